package domain_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
)

func TestParsePhone(t *testing.T) {
	for _, c := range []struct {
		in     string
		region domain.PhoneRegion
		want   string // empty: refused
	}{
		// A UK operator types numbers as people say them.
		{"07700 900123", "GB", "+447700900123"},
		{"07700900123", "GB", "+447700900123"},
		{" 07700-900-123 ", "GB", "+447700900123"},
		{"(0117) 496 0123", "GB", "+441174960123"},
		{"+44 7700 900123", "GB", "+447700900123"},
		{"+44 (0)7700 900123", "GB", "+447700900123"},
		{"+447700900123", "GB", "+447700900123"},
		{"0044 7700 900123", "GB", "+447700900123"},
		// As carriers send them: international, without the plus.
		{"447700900123", "GB", "+447700900123"},
		{"14155550100", "GB", "+14155550100"},
		{"+1 415 555 0100", "GB", "+14155550100"},
		// An empty region is the default, GB.
		{"07700 900123", "", "+447700900123"},
		// The region decides what a national number means.
		{"087 123 4567", "IE", "+353871234567"},
		{"+44 7700 900123", "IE", "+447700900123"},
		// Not a number, or not one any phone has.
		{"", "GB", ""},
		{"call me", "GB", ""},
		{"0800-FLOWERS", "GB", ""},
		{"+44 7700", "GB", ""},
		{"07700 900123 456 789", "GB", ""},
		{"0", "GB", ""},
		{"+", "GB", ""},
		{"++447700900123", "GB", ""},
		{"44+7700900123", "GB", ""},
		{"999", "GB", ""},
		{"+999 1234 5678", "GB", ""},
	} {
		got, err := domain.ParsePhone(c.in, c.region)
		if c.want == "" {
			require.Error(t, err, "%q in %s", c.in, c.region)
			assert.Equal(t, domain.KindInvalid, domain.KindOf(err))
			assert.Equal(t, "that is not a phone number", domain.SafeMessage(err), "the error never repeats the number")
			continue
		}
		require.NoError(t, err, "%q in %s", c.in, c.region)
		assert.Equal(t, c.want, got, "%q in %s", c.in, c.region)
	}
}

func TestParsePhoneRegion(t *testing.T) {
	for in, want := range map[string]domain.PhoneRegion{"GB": "GB", "gb": "GB", " ie ": "IE", "US": "US"} {
		got, ok := domain.ParsePhoneRegion(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "UK", "XX", "GBR", "Wales", "44"} {
		_, ok := domain.ParsePhoneRegion(in)
		assert.False(t, ok, in)
	}
}
