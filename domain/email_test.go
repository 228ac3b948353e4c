package domain_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
)

// address returns an address of exactly n bytes at oakfield.sch.uk.
func address(n int) string {
	const host = "@oakfield.sch.uk"
	return "alex" + strings.Repeat("x", n-len("alex")-len(host)) + host
}

func TestParseEmail(t *testing.T) {
	t.Parallel()
	require.Len(t, address(domain.MaxEmail), 254)
	tests := []struct {
		name string
		in   string
		want string // "" for a rejection
	}{
		{"plain", "alex@oakfield.sch.uk", "alex@oakfield.sch.uk"},
		{"surrounding space", "  alex@oakfield.sch.uk\t\n", "alex@oakfield.sch.uk"},
		{"domain lower-cased, local part kept", "Alex.Smith@OakField.SCH.UK", "Alex.Smith@oakfield.sch.uk"},
		{"plus tag", "alex+whisper@oakfield.sch.uk", "alex+whisper@oakfield.sch.uk"},
		{"hyphenated domain", "alex@oak-field.org", "alex@oak-field.org"},
		{"254 bytes", address(254), address(254)},

		{"empty", "", ""},
		{"blank", " \t ", ""},
		{"no at", "alex.oakfield.sch.uk", ""},
		{"no local part", "@oakfield.sch.uk", ""},
		{"no domain", "alex@", ""},
		{"two ats", "alex@@oakfield.sch.uk", ""},
		{"at in local part", "alex@home@oakfield.sch.uk", ""},
		{"domain without a dot", "alex@oakfield", ""},
		{"localhost", "alex@localhost", ""},
		{"trailing dot", "alex@oakfield.sch.uk.", ""},
		{"leading dot in domain", "alex@.oakfield.sch.uk", ""},
		{"double dot in domain", "alex@oakfield..sch.uk", ""},
		{"display name with angle brackets", "Alex Smith <alex@oakfield.sch.uk>", ""},
		{"quoted display name", `"Alex" <alex@oakfield.sch.uk>`, ""},
		{"angle brackets only", "<alex@oakfield.sch.uk>", ""},
		{"display name without space", "Alex<alex@oakfield.sch.uk>", ""},
		{"comment", "alex@oakfield.sch.uk(Alex)", ""},
		{"quoted local part", `"alex"@oakfield.sch.uk`, ""},
		{"two addresses", "alex@oakfield.sch.uk,sam@oakfield.sch.uk", ""},
		{"space inside", "alex smith@oakfield.sch.uk", ""},
		{"CRLF header injection", "alex@oakfield.sch.uk\r\nBcc: all@oakfield.sch.uk", ""},
		{"LF injection", "alex@oakfield.sch.uk\nBcc:all@oakfield.sch.uk", ""},
		{"CR in local part", "al\rex@oakfield.sch.uk", ""},
		{"LF in domain", "alex@oakfield\n.sch.uk", ""},
		{"tab inside", "alex@oak\tfield.sch.uk", ""},
		{"255 bytes", address(255), ""},
		{"very long", address(1000), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.ParseEmail(tt.in)
			if tt.want != "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return
			}
			requireKind(t, err, domain.KindInvalid)
			assert.Empty(t, got)
			// The address may be a reporter's: it must not reach logs or pages.
			for _, msg := range []string{err.Error(), domain.SafeMessage(err)} {
				assert.NotContains(t, msg, "alex")
				assert.NotContains(t, msg, "oakfield")
				if s := strings.TrimSpace(tt.in); s != "" {
					assert.NotContains(t, msg, s)
				}
			}
		})
	}
}
