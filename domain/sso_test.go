package domain_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/whisper-schools/whisper/domain"
)

func TestNewSSOSetting(t *testing.T) {
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, issuer, client, secret string
		domains                      []string
		ok                           bool
		tenant                       string
	}{
		{"entra", "https://login.microsoftonline.com/abc-123/v2.0", "c", "s", []string{"a.sch.uk"}, true, "abc-123"},
		{"google", "https://accounts.google.com", "c", "s", []string{" A.sch.uk ", "a.sch.uk", ""}, true, ""},
		{"entra common has no tenant", "https://login.microsoftonline.com/common/v2.0", "c", "s", []string{"a.sch.uk"}, true, ""},
		{"plain http", "http://accounts.example.com", "c", "s", []string{"a.sch.uk"}, false, ""},
		{"loopback http for tests", "http://127.0.0.1:8080/oidc", "c", "s", []string{"a.sch.uk"}, true, ""},
		{"no client", "https://accounts.google.com", " ", "s", []string{"a.sch.uk"}, false, ""},
		{"no secret", "https://accounts.google.com", "c", "", []string{"a.sch.uk"}, false, ""},
		{"no domain", "https://accounts.google.com", "c", "s", []string{" "}, false, ""},
		{"bad domain", "https://accounts.google.com", "c", "s", []string{"not a domain"}, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := domain.NewSSOSetting("org_x", tc.issuer, tc.client, tc.secret, tc.domains, false, "", now)
			if !tc.ok {
				assert.Equal(t, domain.KindInvalid, domain.KindOf(err))
				return
			}
			if assert.NoError(t, err) {
				assert.Equal(t, tc.tenant, s.TenantID)
				assert.Equal(t, []string{"a.sch.uk"}, s.Domains)
				assert.True(t, s.Allows("Sam@A.SCH.UK"))
				assert.False(t, s.Allows("sam@b.sch.uk"))
			}
		})
	}
}
