package domain

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

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

// IsLinkRequest reports whether a text asks for a fresh conversation
// link: the word LINK, or DOLEN in Welsh, alone, in any case, with
// nothing but spaces or a full stop around it.
func IsLinkRequest(text string) bool {
	word := strings.TrimRight(strings.TrimSpace(norm.NFKC.String(text)), ".!")
	return strings.EqualFold(word, "LINK") || strings.EqualFold(word, "DOLEN")
}
