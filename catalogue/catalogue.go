// Package catalogue holds every word Whisper shows or sends to people, in
// English and Welsh, and prints them in one language at a time.
//
// A message is keyed by its English text, which is also a format for
// Sprintf (%s, %d and friends), so a template reads as the English it
// prints: {{T "Send report"}}. The words live in gotext JSON files under
// locales/, one per section and language, that a translator edits (see
// docs/translation.md); they are embedded, and built once into a
// golang.org/x/text/message catalogue at start. A message with no Welsh
// falls back to English; every message a reporter can see must have Welsh,
// which this package's tests and the adapters' check.
//
// app and domain name what a person reads about an error or a problem as
// domain.Words, a key with arguments; the edges say them in the reader's
// language with Printer.Say.
package catalogue

import (
	"fmt"
	"slices"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"

	"github.com/whisper-schools/whisper/domain"
)

// Entry is one message, as its files say it, in Sprintf form.
type Entry struct {
	// English is the key and the English text: a Sprintf format.
	English string
	// Welsh is the Welsh text, "" when there is none; a counted message's
	// "other" form.
	Welsh string
	// One and WelshOne are the forms for a count of one of a counted
	// message, when its file has them. Welsh puts the singular noun after
	// any numeral ("3 adroddiad"), so it rarely needs WelshOne.
	One, WelshOne string
}

// Section is a group of entries, one file in each language. A reporter
// section's entries are seen by reporters, so each must have Welsh.
type Section struct {
	Name     string
	File     string // its file's name in each locales/<language>
	Reporter bool
	Entries  []Entry
}

// Sections are every message Whisper has, by where it is used.
func Sections() []Section { return slices.Clone(sections) }

var (
	welsh = language.MustParse("cy")
	// built is the catalogue, built once from the files.
	built, sections = build()
	// byKey finds an entry by its English.
	byKey    = index()
	printers = map[domain.Language]*Printer{
		domain.English: {Lang: domain.English, p: message.NewPrinter(language.English, message.Catalog(built))},
		domain.Welsh:   {Lang: domain.Welsh, p: message.NewPrinter(welsh, message.Catalog(built))},
	}
)

func build() (*catalog.Builder, []Section) {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	s, err := load(locales, b)
	if err != nil {
		// The files are embedded and the tests read them all, so this is
		// a broken build, not something a running server can meet.
		panic("catalogue: " + err.Error())
	}
	return b, s
}

func index() map[string]Entry {
	m := map[string]Entry{}
	for _, s := range sections {
		for _, e := range s.Entries {
			m[e.English] = e
			if s.Reporter {
				forReporters[e.English] = true
			}
		}
	}
	return m
}

// forReporters holds the keys of the reporter sections.
var forReporters = map[string]bool{}

// Lookup returns the entry keyed by english.
func Lookup(english string) (Entry, bool) {
	e, ok := byKey[english]
	return e, ok
}

// ForReporters reports whether the message keyed by english is one a
// reporter reads, and so must have Welsh.
func ForReporters(english string) bool { return forReporters[english] }

// Printer prints messages in one language.
type Printer struct {
	Lang domain.Language
	p    *message.Printer
}

// For returns the printer for lang; any language Whisper does not speak
// gets English.
func For(lang domain.Language) *Printer {
	if p, ok := printers[lang]; ok {
		return p
	}
	return printers[domain.English]
}

// T prints the message keyed by key, formatting args into it.
func (p *Printer) T(key string, args ...any) string {
	if len(args) == 0 {
		if _, ok := byKey[key]; !ok {
			return key // not a format: a stray % must print as itself
		}
	}
	return p.p.Sprintf(key, args...)
}

// Say prints w in p's language. In English, and where p's language has no
// translation of w, it is w.String(): the key formatted as Go formats its
// arguments, exactly as the code said it. A translation formats numbers
// the language's way ("10,000").
func (p *Printer) Say(w domain.Words) string {
	if p.Lang == domain.English || w.IsZero() {
		return w.String()
	}
	if e, ok := byKey[w.Key]; ok && e.Welsh != "" {
		return p.p.Sprintf(w.Key, w.Args...)
	}
	return w.String()
}

var welshMonths = [...]string{"Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr"}

// Date writes the day of t in the zone z as a reader reads it: "5 October
// 2026", or "5 Hydref 2026".
func (p *Printer) Date(z domain.Zone, t time.Time) string {
	if p.Lang == domain.Welsh {
		t = z.In(t)
		return fmt.Sprintf("%d %s %d", t.Day(), welshMonths[t.Month()-1], t.Year())
	}
	return z.Date(t)
}

// Month writes the month of t in the zone z as a reader reads it:
// "October 2026", or "Hydref 2026".
func (p *Printer) Month(z domain.Zone, t time.Time) string {
	t = z.In(t)
	if p.Lang == domain.Welsh {
		return fmt.Sprintf("%s %d", welshMonths[t.Month()-1], t.Year())
	}
	return t.Format("January 2006")
}

var welshShortMonths = [...]string{"Ion", "Chwe", "Maw", "Ebr", "Mai", "Meh", "Gorff", "Awst", "Medi", "Hyd", "Tach", "Rhag"}

// ShortMonth names the month of t in the zone z briefly, for a chart's
// axis: "Oct", or "Hyd".
func (p *Printer) ShortMonth(z domain.Zone, t time.Time) string {
	t = z.In(t)
	if p.Lang == domain.Welsh {
		return welshShortMonths[t.Month()-1]
	}
	return t.Format("Jan")
}

// DateTime writes t in the zone z as a reader reads it, marked with the
// zone's abbreviation (GMT or BST): "5 October 2026, 09:30 BST", or
// "5 Hydref 2026, 09:30 BST".
func (p *Printer) DateTime(z domain.Zone, t time.Time) string {
	if p.Lang == domain.Welsh {
		return p.Date(z, t) + ", " + z.In(t).Format("15:04 MST")
	}
	return z.DateTime(t)
}

// Name is a language's name in itself, for a link that switches to it.
func Name(lang domain.Language) string {
	if lang == domain.Welsh {
		return "Cymraeg"
	}
	return "English"
}
