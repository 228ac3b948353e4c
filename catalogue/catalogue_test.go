package catalogue_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/catalogue"
	"github.com/whisper-schools/whisper/domain"
)

// TestEveryReporterMessageHasWelsh is the completeness check: a message a
// reporter reads with no Welsh would show in English on a Welsh page. The
// adapters' tests check that every message their templates and code ask for
// is one of these (see cataloguetest).
func TestEveryReporterMessageHasWelsh(t *testing.T) {
	for _, s := range catalogue.Sections() {
		if !s.Reporter {
			continue
		}
		require.NotEmpty(t, s.Entries, s.Name)
		for _, e := range s.Entries {
			assert.NotEmpty(t, e.Welsh, "%s: %q has no Welsh", s.Name, e.English)
			assert.NotEqual(t, e.English, e.Welsh, "%s: %q is not translated", s.Name, e.English)
		}
	}
}

func TestKeysAreUnique(t *testing.T) {
	seen := map[string]string{}
	for _, s := range catalogue.Sections() {
		for _, e := range s.Entries {
			if prev, ok := seen[e.English]; ok {
				t.Errorf("%q is in both %s and %s", e.English, prev, s.Name)
			}
			seen[e.English] = s.Name
		}
	}
}

var (
	verb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)
	tag  = regexp.MustCompile(`</?[a-z]+[^>]*>`)
)

// TestTranslationsKeepVerbsAndMarkup: the Welsh must format the same
// arguments, and carry the same markup (a link must still go where the
// English one goes).
func TestTranslationsKeepVerbsAndMarkup(t *testing.T) {
	for _, s := range catalogue.Sections() {
		for _, e := range s.Entries {
			for _, tr := range []string{e.Welsh, e.One, e.WelshOne} {
				if tr == "" {
					continue
				}
				assert.ElementsMatch(t, verbs(e.English), verbs(tr), "%q: verbs", e.English)
				assert.Equal(t, tag.FindAllString(e.English, -1), tag.FindAllString(tr, -1), "%q: markup", e.English)
			}
		}
	}
}

// verbs are a format's verbs without their indexes, so that a translation
// may reorder them with %[2]s.
func verbs(format string) []string {
	var out []string
	for _, v := range verb.FindAllString(format, -1) {
		out = append(out, regexp.MustCompile(`\[\d+\]`).ReplaceAllString(v, ""))
	}
	return out
}

func TestPrinters(t *testing.T) {
	en, cy := catalogue.For(domain.English), catalogue.For(domain.Welsh)
	assert.Equal(t, "Send report", en.T("Send report"))
	assert.Equal(t, "Anfon adroddiad", cy.T("Send report"))
	assert.Equal(t, "ar gyfer Ysgol y Bryn", cy.T("for %s", "Ysgol y Bryn"))
	assert.Equal(t, "Send report", catalogue.For("fr").T("Send report"), "unknown languages get English")
	assert.Equal(t, "100% not a key", cy.T("100% not a key"), "a string not in the catalogue prints as itself")

	// Counted messages.
	assert.Equal(t, "1 report, urgent first, then most recent activity", en.T("%d reports, urgent first, then most recent activity", 1))
	assert.Equal(t, "2 reports, urgent first, then most recent activity", en.T("%d reports, urgent first, then most recent activity", 2))

	london, err := time.LoadLocation("Europe/London")
	require.NoError(t, err)
	z := domain.NewZone(london)
	winter := time.Date(2026, 3, 5, 9, 7, 0, 0, time.UTC)
	assert.Equal(t, "5 March 2026, 09:07 GMT", en.DateTime(z, winter))
	assert.Equal(t, "5 Mawrth 2026, 09:07 GMT", cy.DateTime(z, winter))
	summer := time.Date(2026, 7, 31, 23, 30, 0, 0, time.UTC) // already 1 August in London
	assert.Equal(t, "1 August 2026, 00:30 BST", en.DateTime(z, summer))
	assert.Equal(t, "1 Awst 2026, 00:30 BST", cy.DateTime(z, summer))
	assert.Equal(t, "1 Awst 2026", cy.Date(z, summer))
	assert.Equal(t, "Cymraeg", catalogue.Name(domain.Welsh))
	assert.Equal(t, "English", catalogue.Name(domain.English))
}

// TestProblemsAreTheAppsOwnWords checks the problems list against what app
// and domain really say, so a change of their words cannot silently leave
// a Welsh page with an English error.
func TestProblemsAreTheAppsOwnWords(t *testing.T) {
	cy := catalogue.For(domain.Welsh)
	var said []domain.Words
	_, err := domain.CheckMessage("  ")
	said = append(said, domain.SafeWords(err))
	_, err = domain.CheckMessage(strings.Repeat("a", domain.MaxMessage+1))
	said = append(said, domain.SafeWords(err))
	_, err = domain.CheckMessage("bad \xff byte")
	said = append(said, domain.SafeWords(err))
	_, err = domain.CheckReporterName(strings.Repeat("n", domain.MaxReporterName+1))
	said = append(said, domain.SafeWords(err))
	_, err = domain.CheckReporterName("bad \xff byte")
	said = append(said, domain.SafeWords(err))
	_, err = domain.ParseEmail("kim@")
	said = append(said, domain.SafeWords(err))
	said = append(said, app.ErrRefused.Safe)
	problems := map[string]bool{}
	for _, s := range catalogue.Sections() {
		if s.File == "problems.gotext.json" {
			for _, e := range s.Entries {
				problems[e.English] = true
			}
		}
	}
	for _, w := range said {
		require.False(t, w.IsZero())
		assert.True(t, problems[w.Key], "%q is not in the problems list", w.Key)
		assert.NotEqual(t, w.String(), cy.Say(w), "%q has no Welsh", w.Key)
		assert.Equal(t, w.String(), catalogue.For(domain.English).Say(w), "English is left alone")
	}

	assert.Equal(t, "gall neges fod hyd at 10,000 nod; mae gan hon 10,001 nod",
		cy.Say(domain.Say("a message is at most %d characters; this one has %d", 10000, 10001)), "numbers are carried over")
	assert.Equal(t, "something else entirely", cy.Say(domain.Say("something else entirely")), "unknown text is left alone")
	assert.Equal(t, "mae cod y ffurflen OAK1 wedi'i gymryd", cy.Say(domain.Say("the form code %s is taken", "OAK1")), "staff words are in Welsh too")
	assert.Equal(t, "no Welsh for OAK1 yet", cy.Say(domain.Say("no Welsh for %s yet", "OAK1")), "words with no Welsh are English")
}
