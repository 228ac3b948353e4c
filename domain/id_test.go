package domain_test

import (
	"bytes"
	"crypto/rand"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
)

// newIDFunc and parseIDFunc erase the id types so one table covers them all.
type (
	newIDFunc   func(io.Reader) (string, error)
	parseIDFunc func(string) (string, error)
)

func asNew[T ~string](f func(io.Reader) (T, error)) newIDFunc {
	return func(r io.Reader) (string, error) { id, err := f(r); return string(id), err }
}

func asParse[T ~string](f func(string) (T, error)) parseIDFunc {
	return func(s string) (string, error) { id, err := f(s); return string(id), err }
}

var idBody = regexp.MustCompile(`^[a-z2-7]{20}$`)

func TestNewIDs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prefix string
		new    newIDFunc
	}{
		{"org_", asNew(domain.NewOrgID)},
		{"frm_", asNew(domain.NewFormID)},
		{"inb_", asNew(domain.NewInboxID)},
		{"stf_", asNew(domain.NewStaffID)},
		{"int_", asNew(domain.NewInteractionID)},
		{"msg_", asNew(domain.NewMessageID)},
	}
	for _, tt := range tests {
		t.Run(tt.prefix, func(t *testing.T) {
			t.Parallel()
			seen := make(map[string]bool)
			for range 1000 {
				id, err := tt.new(rand.Reader)
				require.NoError(t, err)
				require.Len(t, id, 24)
				body, ok := strings.CutPrefix(id, tt.prefix)
				require.True(t, ok, id)
				require.Regexp(t, idBody, body)
				require.False(t, seen[id], "duplicate id %s", id)
				seen[id] = true
			}

			id, err := tt.new(bytes.NewReader(make([]byte, 12)))
			require.NoError(t, err)
			assert.Equal(t, tt.prefix+strings.Repeat("a", 20), id)

			id, err = tt.new(bytes.NewReader(make([]byte, 11)))
			assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
			assert.Empty(t, id)
		})
	}
}

func TestParseIDs(t *testing.T) {
	t.Parallel()
	kinds := []struct {
		what  string // as the error names it
		new   newIDFunc
		parse parseIDFunc
		other newIDFunc // an id of another kind
	}{
		{"organisation", asNew(domain.NewOrgID), asParse(domain.ParseOrgID), asNew(domain.NewFormID)},
		{"form", asNew(domain.NewFormID), asParse(domain.ParseFormID), asNew(domain.NewOrgID)},
		{"inbox", asNew(domain.NewInboxID), asParse(domain.ParseInboxID), asNew(domain.NewFormID)},
		{"staff", asNew(domain.NewStaffID), asParse(domain.ParseStaffID), asNew(domain.NewInboxID)},
	}
	for _, k := range kinds {
		t.Run(k.what, func(t *testing.T) {
			t.Parallel()
			good, err := k.new(rand.Reader)
			require.NoError(t, err)
			other, err := k.other(rand.Reader)
			require.NoError(t, err)
			prefix, body, _ := strings.Cut(good, "_")
			otherPrefix, otherBody, _ := strings.Cut(other, "_")

			accepted := []struct{ name, in, want string }{
				{"fresh id", good, good},
				{"surrounding space", " \t" + good + "\n", good},
				{"all a", prefix + "_" + strings.Repeat("a", 20), prefix + "_" + strings.Repeat("a", 20)},
				{"digits 2-7", prefix + "_" + strings.Repeat("234567", 3) + "aa", prefix + "_" + strings.Repeat("234567", 3) + "aa"},
				{"body of another kind's id", prefix + "_" + otherBody, prefix + "_" + otherBody},
			}
			for _, tt := range accepted {
				got, err := k.parse(tt.in)
				require.NoError(t, err, tt.name)
				assert.Equal(t, tt.want, got, tt.name)
			}

			rejected := []struct{ name, in string }{
				{"empty", ""},
				{"id of another kind", other},
				{"right body, other prefix", otherPrefix + "_" + body},
				{"no prefix", body},
				{"prefix without underscore", prefix + body},
				{"dash for underscore", prefix + "-" + body},
				{"upper-case prefix", strings.ToUpper(prefix) + "_" + body},
				{"one short", good[:len(good)-1]},
				{"one long", good + "a"},
				{"prefix only", prefix + "_"},
				{"upper-case body", prefix + "_" + strings.ToUpper(body)},
				{"digit 0", prefix + "_" + body[:19] + "0"},
				{"digit 1", prefix + "_" + body[:19] + "1"},
				{"digit 8", prefix + "_" + "8" + body[1:]},
				{"digit 9", prefix + "_" + "9" + body[1:]},
				{"dash", prefix + "_" + body[:10] + "-" + body[11:]},
				{"space inside", prefix + "_" + body[:10] + " " + body[11:]},
				{"padding", prefix + "_" + body[:19] + "="},
				{"non-ASCII", prefix + "_" + body[:18] + "é"},
			}
			for _, tt := range rejected {
				got, err := k.parse(tt.in)
				requireKind(t, err, domain.KindInvalid)
				assert.Empty(t, got, tt.name)
				assert.Contains(t, err.Error(), k.what+" id", tt.name)
				assert.Contains(t, domain.SafeMessage(err), prefix+"_", tt.name)
			}
		})
	}
}
