package swearing

import (
	"slices"
	"strings"
	"unicode"

	goaway "github.com/TwiN/go-away"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// leetSymbols are the characters go-away reads as letters ('$' as "s", '!'
// as "i", '@' as "a", …), taken from its default map so the two agree.
var leetSymbols = func() string {
	var b strings.Builder
	for k, v := range goaway.DefaultCharacterReplacements {
		if v != ' ' && !unicode.IsLetter(k) && !unicode.IsDigit(k) {
			b.WriteRune(k)
		}
	}
	return b.String()
}()

// fold brings text to one form for matching: compatibility characters
// unpacked (full-width "ｆ", ligatures, circled letters), accents and other
// combining marks dropped, invisible format characters (zero-width spaces,
// soft hyphens) removed, and case folded.
//
// Only norm.Form and a fresh Caser are used: both are safe here because
// nothing is shared between calls.
func fold(text string) string {
	s := norm.NFKD.String(text)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) {
			continue
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(cases.Fold().String(b.String()))
}

// variants returns the forms of folded text to hand go-away. The first keeps
// leetspeak symbols, so "$hit" and "a$$" read as words; the second turns
// them into spaces, so "you ass!" is not read as "you assi". Where the text
// has runs of single letters ("f u c k", "s.h.i.t") or letters stretched
// three times or more ("shiiiit", "asssss"), forms with those undone follow.
// Every form has a space at each end, so dictionary entries can match whole
// words.
func variants(folded string) []string {
	out := []string{wordForm(folded, true)}
	if v := wordForm(folded, false); v != out[0] {
		out = append(out, v)
	}
	for _, v := range out {
		if j := joinSingles(v); j != v {
			out = append(out, j)
		}
	}
	for _, v := range out {
		if c := collapseRuns(v, 1); c != v {
			out = append(out, c, collapseRuns(v, 2))
		}
	}
	return out
}

// wordForm keeps letters, digits, combining marks and '*' (for masks such as
// "f*ck"), keeps or blanks leetspeak symbols, and turns everything else into
// a space.
func wordForm(s string, keepLeet bool) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte(' ')
	for _, r := range s {
		switch {
		case isWordRune(r), r == '*':
			b.WriteRune(r)
		case keepLeet && strings.ContainsRune(leetSymbols, r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	b.WriteByte(' ')
	return b.String()
}

// joinSingles joins runs of three or more one-character words into one word,
// so "f u c k" reads as "fuck". Shorter runs ("a I") are left alone.
func joinSingles(v string) string {
	fields := strings.Fields(v)
	var out []string
	changed := false
	for i := 0; i < len(fields); {
		j := i
		for j < len(fields) && isSingle(fields[j]) {
			j++
		}
		if j-i >= 3 {
			out = append(out, strings.Join(fields[i:j], ""))
			changed = true
			i = j
			continue
		}
		if j == i {
			j++
		}
		out = append(out, fields[i:j]...)
		i = j
	}
	if !changed {
		return v
	}
	return " " + strings.Join(out, " ") + " "
}

func isSingle(field string) bool {
	n := 0
	for range field {
		n++
	}
	return n == 1
}

// collapseRuns cuts every run of three or more equal characters down to keep
// copies. No English word repeats a letter three times, so this undoes
// stretching ("fuuuck") without touching spelling; trying keep 1 and 2 covers
// "shit" as well as "ass".
func collapseRuns(v string, keep int) string {
	rs := []rune(v)
	out := make([]rune, 0, len(rs))
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && rs[j] == rs[i] {
			j++
		}
		n := j - i
		if n >= 3 && rs[i] != ' ' {
			n = keep
		}
		for k := 0; k < n; k++ {
			out = append(out, rs[i])
		}
		i = j
	}
	return string(out)
}

// containsAny reports whether an entry of extra appears in folded text as a
// whole word, or as a phrase of whole words in a row.
func containsAny(folded string, extra []string) bool {
	var words []string // tokenised only once some entry is not blank
	for _, e := range extra {
		want := tokens(fold(e))
		if len(want) == 0 {
			continue
		}
		if words == nil {
			words = tokens(folded)
		}
		for i := 0; i+len(want) <= len(words); i++ {
			if slices.Equal(words[i:i+len(want)], want) {
				return true
			}
		}
	}
	return false
}

// tokens splits folded text into words: runs of letters, digits and marks.
func tokens(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !isWordRune(r) })
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}
