package swearing

import (
	"strings"
	"unicode"
	"unicode/utf8"

	goaway "github.com/TwiN/go-away"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Most messages are plain English: ASCII, clean, with no leetspeak symbols,
// spaced-out letters or stretched words. Every step below has a fast path
// for that case which gives exactly what the general path would, and the
// tests in fastpath_test.go hold each one to the general path (and to the
// code as it was before the fast paths).

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
// ASCII text skips the Unicode work: it is already in NFKD and NFC, holds no
// marks or format characters (ASCII controls are Cc, not Cf), and case
// folding maps only A-Z within ASCII, to a-z, which is what strings.ToLower
// does.
func fold(text string) string {
	if isASCII(text) {
		return strings.ToLower(text)
	}
	return foldUnicode(text)
}

// foldUnicode is fold for any text.
//
// Only norm.Form and a fresh Caser are used: both are safe here because
// nothing is shared between calls.
func foldUnicode(text string) string {
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
//
// A form is added only when it differs from the one it comes from; the
// cheap checks hasLeet, hasSingleRun and hasStretch say so before anything
// is built, as the forms are mostly identical.
func variants(folded string) []string {
	out := []string{wordForm(folded, true)}
	if hasLeet(folded) {
		out = append(out, wordForm(folded, false))
	}
	for _, v := range out {
		if hasSingleRun(v) {
			out = append(out, joinSingles(v))
		}
	}
	for _, v := range out {
		if hasStretch(v) {
			out = append(out, collapseRuns(v, 1), collapseRuns(v, 2))
		}
	}
	return out
}

// wordForm keeps letters, digits, combining marks and '*' (for masks such as
// "f*ck"), keeps or blanks leetspeak symbols, and turns everything else into
// a space.
//
// Most of a message comes out as it went in (spaces included), so it is
// copied a stretch at a time, between the characters that turn into spaces,
// rather than a rune at a time. That copies the same bytes as writing each
// kept rune would: utf8.RuneError, which is what an invalid byte decodes
// to, is a symbol and always blanked, so every byte copied is part of a
// valid rune.
func wordForm(s string, keepLeet bool) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte(' ')
	copied := 0 // s[:copied] is written
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r != ' ' && !keeps(r, keepLeet) {
			b.WriteString(s[copied:i])
			b.WriteByte(' ')
			copied = i + size
		}
		i += size
	}
	b.WriteString(s[copied:])
	b.WriteByte(' ')
	return b.String()
}

// keeps reports whether wordForm keeps r rather than blanking it.
func keeps(r rune, keepLeet bool) bool {
	return isWordRune(r) || r == '*' || keepLeet && strings.ContainsRune(leetSymbols, r)
}

// hasLeet reports whether s holds a leetspeak symbol, the only case in which
// the two word forms differ: the symbols are neither word runes nor '*', so
// wordForm keeps or blanks them and passes everything else alike.
func hasLeet(s string) bool {
	return strings.ContainsAny(s, leetSymbols)
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

// hasSingleRun reports whether v has three one-character words in a row,
// the only case in which joinSingles changes it. It splits v as joinSingles
// does, without allocating.
func hasSingleRun(v string) bool {
	run := 0
	for field := range strings.FieldsSeq(v) {
		if !isSingle(field) {
			run = 0
			continue
		}
		if run++; run == 3 {
			return true
		}
	}
	return false
}

func isSingle(field string) bool {
	return utf8.RuneCountInString(field) == 1
}

// collapseRuns cuts every run of three or more equal characters down to keep
// copies. No English word repeats a letter three times, so this undoes
// stretching ("fuuuck") without touching spelling; trying keep 1 and 2 covers
// "shit" as well as "ass".
func collapseRuns(v string, keep int) string {
	var b strings.Builder
	b.Grow(len(v))
	last, n := rune(-1), 0 // the run being read: n copies of last
	for _, r := range v {
		if r == last {
			n++
			continue
		}
		writeRun(&b, last, n, keep)
		last, n = r, 1
	}
	writeRun(&b, last, n, keep)
	return b.String()
}

// writeRun writes a run of n copies of r for collapseRuns.
func writeRun(b *strings.Builder, r rune, n, keep int) {
	if n >= 3 && r != ' ' {
		n = keep
	}
	for range n {
		b.WriteRune(r)
	}
}

// hasStretch reports whether v repeats a character other than a space three
// or more times in a row, the only case in which collapseRuns changes v. (v
// is valid UTF-8, as wordForm and joinSingles make it, so collapseRuns,
// which writes an invalid byte as U+FFFD, does not change it otherwise.)
func hasStretch(v string) bool {
	last, n := rune(-1), 0 // -1 is no rune, so the first starts a run
	for _, r := range v {
		if r != last {
			last, n = r, 0
		}
		if n++; n == 3 && r != ' ' {
			return true
		}
	}
	return false
}

// containsAny reports whether an entry of extra appears in folded text as a
// whole word, or as a phrase of whole words in a row.
func containsAny(folded string, extra []string) bool {
	for _, e := range extra {
		if containsPhrase(folded, fold(e)) {
			return true
		}
	}
	return false
}

// containsPhrase reports whether the words of phrase appear in text as whole
// words in a row, whatever separates them. A phrase without words is never
// found. Words are runs of letters, digits and marks; both strings are
// walked in place rather than split, so nothing is allocated.
func containsPhrase(text, phrase string) bool {
	first, _ := nextWord(phrase)
	if first == "" {
		return false
	}
	// A word of text is a substring of it, and a substring search is far
	// cheaper than walking the words: most entries end here.
	if !strings.Contains(text, first) {
		return false
	}
	for rest := text; ; {
		word, after := nextWord(rest)
		if word == "" {
			return false
		}
		if word == first && startsWithWords(rest, phrase) {
			return true
		}
		rest = after
	}
}

// startsWithWords reports whether the first words of text are the words of
// phrase.
func startsWithWords(text, phrase string) bool {
	for {
		want, phraseRest := nextWord(phrase)
		if want == "" {
			return true
		}
		got, textRest := nextWord(text)
		if got != want {
			return false
		}
		text, phrase = textRest, phraseRest
	}
}

// nextWord returns the first word of s and what follows it, or "" if s has
// no word.
func nextWord(s string) (word, rest string) {
	start := strings.IndexFunc(s, isWordRune)
	if start < 0 {
		return "", ""
	}
	s = s[start:]
	end := strings.IndexFunc(s, func(r rune) bool { return !isWordRune(r) })
	if end < 0 {
		return s, ""
	}
	return s[:end], s[end:]
}

// isWordRune reports whether r is a letter, a number or a mark.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		// The Unicode tables agree, and are much slower to search: no
		// ASCII character is a mark, and the only ASCII letters and
		// numbers are these.
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
