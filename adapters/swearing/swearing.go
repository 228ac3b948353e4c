// Package swearing spots swearing in reporters' messages for forms whose
// policy flags or blocks it. It implements ports.SwearFilter with
// github.com/TwiN/go-away, tuned for what children write when they report
// bullying.
//
// go-away's stock set-up is unusable here. It matches its words anywhere in
// the text, spaces removed, so "I was hit" reads as "iwashit", and
// "assembly", "assault", "embarrassed", "smartwatch", "whoever", "restful",
// "sturdy", "puberty" and "snowballs" all count as swearing. Its list also
// holds the words a child needs to disclose abuse ("rape", "naked", "sex"),
// to name a body part, or to describe themselves ("queer"). A block policy
// built on it would turn away the very reports the service exists for.
//
// So the Filter keeps go-away's sanitising (case, accents, leetspeak such as
// "$h1t", separators such as "f-u-c-k") but gives it its own dictionary, in
// words.go, whose entries carry their own word boundaries: a few stems match
// inside any word ("bullshit", "motherfucker"), others only at the start of
// a word ("wankers" but not "swanky") or as a whole word ("ass" but not
// "class" or "assembly").
//
// Check goes one step further for a block policy: it says whether the
// swearing is aimed at someone, the only thing a block policy refuses, so
// that a disclosure never is (see aimed.go).
//
// Nothing here logs, stores or returns the text it is given.
package swearing

import (
	"strings"

	goaway "github.com/TwiN/go-away"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

var _ ports.SwearFilter = (*Filter)(nil)

// Filter spots swearing. The zero value is not usable; call New. A Filter is
// safe for concurrent use: go-away's detectors only read their configuration
// once built, and each call works on its own copies of the text.
type Filter struct {
	detector *goaway.ProfanityDetector
	// asciiDetector is detector without go-away's accent removal, for forms
	// of the text that are printable ASCII. There the removal changes
	// nothing (go-away itself only transforms text with a rune outside ' '
	// to '~'), yet it builds a transform chain of several kilobytes on
	// every call.
	asciiDetector *goaway.ProfanityDetector
}

// New returns a Filter with the built-in dictionary.
func New() *Filter {
	return &Filter{detector: newDetector(true), asciiDetector: newDetector(false)}
}

func newDetector(sanitizeAccents bool) *goaway.ProfanityDetector {
	return goaway.NewProfanityDetector().
		WithSanitizeLeetSpeak(true).
		WithSanitizeSpecialCharacters(true).
		WithSanitizeAccents(sanitizeAccents).
		// Never glue words together: with spaces removed, "I was hit" would
		// contain "shit". Spaced-out letters ("f u c k") are rejoined by
		// variants instead, and only where single letters run.
		WithSanitizeSpaces(false).
		WithCustomCharacterReplacements(replacements()).
		WithCustomDictionary(clone(profanities), clone(falsePositives), nil)
}

// ContainsSwearing reports whether text holds a word of the built-in
// dictionary or a word or phrase from extra, an organisation's own list.
//
// The built-in dictionary sees through case, accents, leetspeak, masks such
// as "f*ck", spaced or dotted letters and stretched letters ("shiiit").
// Entries of extra match case-insensitively and as whole words only, after
// Unicode normalisation ("ham" matches "HAM!" but not "hamster"); an entry of
// several words matches those words in a row, whatever separates them.
// Blank entries are ignored. extra gets no leetspeak treatment.
func (f *Filter) ContainsSwearing(text string, extra []string) bool {
	if strings.TrimSpace(text) == "" {
		return false
	}
	folded := fold(text)
	return f.contains(folded, variants(folded), extra)
}

// Check says whether text holds swearing, as ContainsSwearing finds it, and
// whether that swearing is aimed at someone, by the rule in aimed.go: only
// then may a block policy refuse the message.
func (f *Filter) Check(text string, extra []string) domain.Swearing {
	if strings.TrimSpace(text) == "" {
		return domain.NoSwearing
	}
	folded := fold(text)
	forms := variants(folded)
	if !f.contains(folded, forms, extra) {
		return domain.NoSwearing
	}
	entries := splitEntries(extra)
	for _, v := range forms {
		if f.aimed(v, entries) {
			return domain.SwearingAtSomeone
		}
	}
	return domain.SwearWords
}

// contains is ContainsSwearing on folded text and its forms.
func (f *Filter) contains(folded string, forms, extra []string) bool {
	for _, v := range forms {
		if f.isProfane(v) {
			return true
		}
	}
	return containsAny(folded, extra)
}

// isProfane asks go-away about one form of the text, skipping its accent
// removal where that is a no-op.
func (f *Filter) isProfane(v string) bool {
	if isPrintableASCII(v) {
		return f.asciiDetector.IsProfane(v)
	}
	return f.detector.IsProfane(v)
}

// isPrintableASCII reports whether every byte of s is in ' ' to '~', the
// range in which go-away's accent removal leaves text alone.
func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// replacements is go-away's default character map without '*': keeping the
// asterisk lets the dictionary name masked words such as "f*ck", while
// go-away would otherwise turn it into a space and split the word.
func replacements() map[rune]rune {
	m := make(map[rune]rune, len(goaway.DefaultCharacterReplacements))
	for k, v := range goaway.DefaultCharacterReplacements {
		if k != '*' {
			m[k] = v
		}
	}
	return m
}

// clone copies a word list so that go-away, which keeps the slice it is
// given, shares nothing with package state.
func clone(words []string) []string {
	return append([]string(nil), words...)
}
