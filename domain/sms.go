package domain

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// ParsePhone normalises a number as carriers send it ("447700900123",
// "+44 7700 900123") to E.164 ("+447700900123"). The error never repeats
// the number.
func ParsePhone(s string) (string, error) {
	var digits strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '+' && i == 0, r == ' ', r == '-', r == '(', r == ')':
		default:
			return "", Errorf(KindInvalid, "that is not a phone number")
		}
	}
	n := digits.String()
	if len(n) < 7 || len(n) > 15 || n[0] == '0' {
		return "", Errorf(KindInvalid, "that is not a phone number in international form")
	}
	return "+" + n, nil
}

// SplitText reads a text's first word as a possible form code: the word,
// normalised (NFKC, so full-width letters from some phones count) and in
// upper case, and the rest of the text. ok is false when the first word
// cannot be a code.
func SplitText(text string) (code FormCode, rest string, ok bool) {
	t := strings.TrimLeftFunc(norm.NFKC.String(text), unicode.IsSpace)
	end := strings.IndexFunc(t, unicode.IsSpace)
	word := t
	if end >= 0 {
		word, rest = t[:end], strings.TrimSpace(t[end:])
	}
	// People write "OAK: help" or "OAK, help" as often as "OAK help".
	word = strings.TrimRight(word, ":,.;!-")
	code, err := ParseFormCode(word)
	return code, rest, err == nil
}
