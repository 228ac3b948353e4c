// Package catalogue holds every word Whisper shows or sends to people, in
// English and Welsh, and prints them in one language at a time.
//
// A message is keyed by its English text, which is also a format for
// Sprintf (%s, %d and friends), so a template reads as the English it
// prints: {{T "Send report"}}. The Welsh is kept beside it in one Go list
// (reporter.go, notice.go, staff.go), built once into a
// golang.org/x/text/message catalogue. A message with no Welsh falls back
// to English; every message a reporter can see must have Welsh, which
// catalogue_test.go and the adapters' tests check (see docs/translation.md).
//
// app and domain stay English: their Safe messages are translated here, at
// the edge, by looking the English up (Printer.Safe).
package catalogue

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"

	"github.com/whisper-schools/whisper/domain"
)

// Entry is one message.
type Entry struct {
	// English is the key and the English text: a Sprintf format.
	English string
	// Welsh is the Welsh text, with the same verbs as the English. Use
	// explicit argument indexes (%[2]s) when Welsh needs another order.
	Welsh string
	// One and WelshOne, when set, are the forms for a count of one of a
	// counted message, whose first argument is the count. Welsh puts the
	// singular noun after any numeral ("3 adroddiad"), so it rarely needs
	// WelshOne.
	One, WelshOne string
}

// Section is a group of entries. A reporter section's entries are seen by
// reporters, so each must have Welsh.
type Section struct {
	Name     string
	Reporter bool
	Entries  []Entry
}

// Sections are every message Whisper has, by where it is used.
func Sections() []Section {
	return []Section{
		{Name: "reporter pages", Reporter: true, Entries: pages},
		{Name: "reporter problems", Reporter: true, Entries: problems},
		{Name: "notice", Reporter: true, Entries: notice},
		{Name: "reporter emails", Reporter: true, Entries: emails},
		{Name: "reporter texts", Reporter: true, Entries: texts},
		{Name: "staff portal", Entries: staff},
	}
}

var (
	welsh = language.MustParse("cy")
	// built is the catalogue, built once from the lists.
	built = build()
	// byKey finds an entry by its English.
	byKey = index()
	// safePatterns match problem messages that carry numbers.
	safePatterns = compileProblems()
	printers     = map[domain.Language]*Printer{
		domain.English: {Lang: domain.English, p: message.NewPrinter(language.English, message.Catalog(built))},
		domain.Welsh:   {Lang: domain.Welsh, p: message.NewPrinter(welsh, message.Catalog(built))},
	}
)

func build() *catalog.Builder {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for _, s := range Sections() {
		for _, e := range s.Entries {
			set(b, language.English, e.English, e.English, e.One)
			if e.Welsh != "" {
				set(b, welsh, e.English, e.Welsh, e.WelshOne)
			}
		}
	}
	return b
}

func set(b *catalog.Builder, tag language.Tag, key, other, one string) {
	var err error
	if one == "" {
		err = b.SetString(tag, key, other)
	} else {
		err = b.Set(tag, key, plural.Selectf(1, "%d", "one", one, "other", other))
	}
	if err != nil {
		panic(fmt.Sprintf("catalogue: %q: %v", key, err))
	}
}

func index() map[string]Entry {
	m := map[string]Entry{}
	for _, s := range Sections() {
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

// Safe translates a safe message from app or domain (a problem with a
// form field, or a refusal) that a reporter is about to see. English, and
// anything not in the problems list, is returned as it is.
func (p *Printer) Safe(text string) string {
	if p.Lang == domain.English || text == "" {
		return text
	}
	if e, ok := byKey[text]; ok && !strings.Contains(e.English, "%") {
		return p.p.Sprintf(e.English)
	}
	for _, sp := range safePatterns {
		m := sp.re.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		args := make([]any, len(m)-1)
		for i, s := range m[1:] {
			n, err := strconv.Atoi(s)
			if err != nil {
				return text
			}
			args[i] = n
		}
		return p.p.Sprintf(sp.key, args...)
	}
	return text
}

// IsProblem reports whether text is one of the app's safe messages for
// reporters, which Safe translates.
func IsProblem(text string) bool {
	for _, e := range problems {
		if e.English == text {
			return true
		}
	}
	for _, sp := range safePatterns {
		if sp.re.MatchString(text) {
			return true
		}
	}
	return false
}

type safePattern struct {
	key string
	re  *regexp.Regexp
}

// compileProblems turns each problem with %d in it into a pattern that
// matches the English as app and domain format it ("a name is at most 100
// characters"), so the number can be carried into the Welsh.
func compileProblems() []safePattern {
	var out []safePattern
	for _, e := range problems {
		if !strings.Contains(e.English, "%") {
			continue
		}
		parts := strings.Split(e.English, "%d")
		for i := range parts {
			parts[i] = regexp.QuoteMeta(parts[i])
		}
		out = append(out, safePattern{key: e.English, re: regexp.MustCompile(`^` + strings.Join(parts, `(\d+)`) + `$`)})
	}
	return out
}

var welshMonths = [...]string{"Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr"}

// DateTime writes t (in UTC) as a reporter reads it: "5 October 2026,
// 09:30", or "5 Hydref 2026, 09:30".
func (p *Printer) DateTime(t time.Time) string {
	t = t.UTC()
	if p.Lang == domain.Welsh {
		return fmt.Sprintf("%d %s %d, %s", t.Day(), welshMonths[t.Month()-1], t.Year(), t.Format("15:04"))
	}
	return t.Format("2 January 2006, 15:04")
}

// Name is a language's name in itself, for a link that switches to it.
func Name(lang domain.Language) string {
	if lang == domain.Welsh {
		return "Cymraeg"
	}
	return "English"
}
