package http

import (
	"html/template"
	"io/fs"
	"maps"
	"slices"
	"testing"
	"text/template/parse"

	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/catalogue"
	"github.com/whisper-schools/whisper/catalogue/cataloguetest"
	"github.com/whisper-schools/whisper/domain"
)

// TestReporterPagesAreAllInWelsh fails when a reporter page, its layout or
// the Go code that writes reporter pages asks the catalogue for a message
// that has no Welsh; and when a staff page, the Go code that writes staff
// pages or a confirmation asks for one that is not in the catalogue at all
// (the catalogue's own tests require Welsh for every message it has).
func TestReporterPagesAreAllInWelsh(t *testing.T) {
	reporter := trees(t, "templates/layout/base.html", "templates/pages/*.html")
	cataloguetest.RequireWelsh(t, "reporter templates", cataloguetest.TemplateKeys(reporter...))
	cataloguetest.RequireWelsh(t, "reporter handlers", cataloguetest.GoKeys(t, "reporter.go", "errors.go", "language.go", "wellformed.go"))

	staff := trees(t, "templates/layout/staff.html", "templates/staff/*.html")
	cataloguetest.RequireEnglish(t, "staff templates", cataloguetest.TemplateKeys(staff...))
	cataloguetest.RequireEnglish(t, "staff handlers", cataloguetest.GoKeys(t, "staff.go", "account.go", "auth.go", "staff_public_language.go"))
	cataloguetest.RequireEnglish(t, "confirmations", slices.Collect(maps.Values(confirmations)))
}

// trees parses the templates matching patterns and returns every template
// they define.
func trees(t *testing.T, patterns ...string) []*parse.Tree {
	t.Helper()
	var out []*parse.Tree
	for _, p := range patterns {
		names, err := fs.Glob(templateFiles, p)
		require.NoError(t, err)
		require.NotEmpty(t, names, p)
		// One file at a time: pages all define "title" and "content".
		for _, name := range names {
			set, err := template.New("").Funcs(templateFuncs(catalogue.For(domain.English), "", domain.Zone{})).ParseFS(templateFiles, name)
			require.NoError(t, err, name)
			for _, tt := range set.Templates() {
				if tt.Tree != nil {
					out = append(out, tt.Tree)
				}
			}
		}
	}
	return out
}

// TH trusts the catalogue's markup, never what is formatted into it.
func TestTHEscapesItsArguments(t *testing.T) {
	th := templateFuncs(catalogue.For(domain.English), "", domain.Zone{})["TH"].(func(string, ...any) template.HTML)
	got := th("Hello %s. Choose the password you will use to sign in to Whisper as <strong>%s</strong>.", `<script>x</script>`, domain.Reference(`a"b`))
	require.Equal(t, template.HTML(`Hello &lt;script&gt;x&lt;/script&gt;. Choose the password you will use to sign in to Whisper as <strong>a&#34;b</strong>.`), got)
	require.Equal(t, template.HTML("You have 2 recovery codes left."), th("You have %d recovery codes left.", 2))
}
