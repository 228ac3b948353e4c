package cataloguetest

import (
	"fmt"
	"testing"
	"text/template"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder is a testing.TB that keeps its errors instead of failing.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestTemplateKeysFindsEveryCall(t *testing.T) {
	fn := func(string, ...any) string { return "" }
	set, err := template.New("x").Funcs(template.FuncMap{"T": fn, "TH": fn}).Parse(
		`{{T "Send report"}}{{if .X}}{{TH "a"}}{{else}}{{T "b" .}}{{end}}{{range .Y}}{{with .Z}}{{printf "%s" (T "c")}}{{end}}{{end}}{{define "sub"}}{{T "d"}}{{end}}{{T "Send report"}}`)
	require.NoError(t, err)
	var keys []string
	for _, tt := range set.Templates() {
		keys = append(keys, TemplateKeys(tt.Tree)...)
	}
	assert.ElementsMatch(t, []string{"Send report", "a", "b", "c", "d"}, keys)
}

func TestRequireWelshFlagsWhatIsMissing(t *testing.T) {
	r := &recorder{TB: t}
	RequireWelsh(r, "test", []string{"Send report", "not in the catalogue", "Sign in to Whisper"})
	require.Len(t, r.errs, 2)
	assert.Contains(t, r.errs[0], "not in the catalogue")
	assert.Contains(t, r.errs[1], "staff message")

	r = &recorder{TB: t}
	RequireEnglish(r, "test", []string{"Sign in to Whisper", "Send report"})
	assert.Empty(t, r.errs)
	RequireEnglish(r, "test", nil)
	assert.Len(t, r.errs, 1, "finding nothing is an error: the scan is broken")
}

func TestGoKeys(t *testing.T) {
	keys := GoKeys(t, "cataloguetest.go")
	assert.Empty(t, keys, "this file asks for no messages")
}
