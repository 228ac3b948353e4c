package domain

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxSearch is the longest search staff may type, in characters, and
// MaxSearchWords the most words of it that count.
const (
	MaxSearch      = 200
	MaxSearchWords = 16
)

// Search is what a member of staff looks for in the list: a reference,
// whole or its beginning, or words that an interaction's messages and
// notes must all hold. Words match in any case and whatever accents they
// carry (Welsh "tŷ" finds "ty" and "TŶ"). The query is sensitive: it may
// quote a report, so it is never logged.
type Search struct {
	words []string
	// ref is the query read as a reference body (no prefix or dashes),
	// with and without a leading "WSP", or "" when it cannot be one.
	ref, refBare string
}

// ParseSearch reads what was typed in the search box. An empty query is
// the zero Search, which IsZero reports; a query too long is KindInvalid.
func ParseSearch(q string) (Search, error) {
	q = strings.TrimSpace(q)
	if !utf8.ValidString(q) {
		return Search{}, Errorf(KindInvalid, "the message contains characters we cannot read")
	}
	if n := utf8.RuneCountInString(q); n > MaxSearch {
		return Search{}, Errorf(KindInvalid, "Search for at most %d characters; this has %d.", MaxSearch, n)
	}
	var s Search
	s.ref, s.refBare = refQuery(q)
	_, err := ParseReference(q)
	whole := err == nil && strings.ContainsAny(strings.ToUpper(q), "-0123456789WSP") && !isWord(q)
	if whole || (s.refBare != "" && strings.HasPrefix(strings.ToUpper(q), refPrefix)) {
		// A whole reference, as written or with digits in it, or the
		// beginning of one written with its prefix ("WSP-7K"), is looked
		// up, not read as words.
		return s, nil
	}
	seen := map[string]bool{}
	for _, w := range searchTokens(q) {
		if !seen[w] && len(s.words) < MaxSearchWords {
			seen[w] = true
			s.words = append(s.words, w)
		}
	}
	return s, nil
}

// refQuery reads q as the beginning of a reference, if it can be one: at
// least four characters of the reference's alphabet (after the optional
// prefix), dashes and spaces ignored, look-alikes read as ParseReference
// reads them.
func refQuery(q string) (withPrefix, bare string) {
	t := strings.NewReplacer("-", "", " ", "").Replace(strings.ToUpper(q))
	if t == "" {
		return "", ""
	}
	t = strings.NewReplacer("O", "0", "I", "1", "L", "1").Replace(t)
	for _, r := range t {
		if !strings.ContainsRune(refAlphabet, r) {
			return "", ""
		}
	}
	if rest, ok := strings.CutPrefix(t, "WSP"); ok && len(rest) >= 1 {
		bare = rest
	}
	if len(t) < 4 {
		t = ""
	}
	return t, bare
}

// isWord says whether q is letters alone, as a word is ("weekends" may
// also be read as a reference), so that it is searched for as a word too.
func isWord(q string) bool {
	for _, r := range q {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// IsZero says whether nothing is searched for.
func (s Search) IsZero() bool { return len(s.words) == 0 && s.ref == "" && s.refBare == "" }

// Words is how many words count.
func (s Search) Words() int { return len(s.words) }

// All is the mask of every word: an interaction matches when the masks of
// its texts together make All.
func (s Search) All() uint64 {
	if len(s.words) == 0 {
		return 0
	}
	return 1<<len(s.words) - 1
}

// MatchesRef says whether ref begins with what was typed as a reference.
func (s Search) MatchesRef(ref Reference) bool {
	body := strings.ReplaceAll(strings.TrimPrefix(string(ref), refPrefix), "-", "")
	return (s.ref != "" && strings.HasPrefix(body, s.ref)) ||
		(s.refBare != "" && strings.HasPrefix(body, s.refBare))
}

// Match returns the mask of s's words that text holds.
func (s Search) Match(text string) uint64 {
	if len(s.words) == 0 || text == "" {
		return 0
	}
	folded := FoldSearch(text)
	var mask uint64
	for i, w := range s.words {
		if strings.Contains(folded, w) {
			mask |= 1 << i
		}
	}
	return mask
}

// searchTokens are text's words as search compares them: folded, and
// split wherever a character is neither a letter nor a digit.
func searchTokens(text string) []string {
	return strings.FieldsFunc(FoldSearch(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// IndexWords adds the words of texts to index, a text IndexWords made
// before (or ""), and returns the new index: each distinct word once, in
// order, separated by spaces. A Search matches an index exactly as it
// matches the texts themselves — a word typed is a run of letters and
// digits, so it lies inside one of the texts' words or nowhere — which
// lets the store keep one short index per interaction instead of reading
// every message and note at each search.
func IndexWords(index string, texts ...string) string {
	words := strings.Fields(index)
	seen := make(map[string]bool, len(words))
	for _, w := range words {
		seen[w] = true
	}
	added := false
	for _, t := range texts {
		for _, w := range searchTokens(t) {
			if !seen[w] {
				seen[w], added = true, true
				words = append(words, w)
			}
		}
	}
	if added {
		slices.Sort(words)
	}
	return strings.Join(words, " ")
}

// FoldSearch is text as search compares it: lower case, with the accents
// of Welsh (and French and German) letters taken off, so that "Tŷ", "TY"
// and "ty" are one. ASCII text is only lowered.
func FoldSearch(text string) string {
	ascii := true
	for i := 0; i < len(text); i++ {
		if text[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(text)
	}
	return strings.Map(foldRune, text)
}

// foldRune lowers r and takes off its accent.
func foldRune(r rune) rune {
	r = unicode.ToLower(r)
	if b, ok := accentless[r]; ok {
		return b
	}
	return r
}

// accentless maps the accented lower-case letters Welsh uses (the to bach
// ^, the acen ddyrchafedig ´, the acen drom ` and the didolnod ¨) and a
// few more to their base letters.
var accentless = func() map[rune]rune {
	m := map[rune]rune{'ß': 's'}
	for base, accented := range map[rune]string{
		'a': "âáàäãå", 'e': "êéèë", 'i': "îíìï", 'o': "ôóòöõ", 'u': "ûúùü",
		'w': "ŵẃẁẅ", 'y': "ŷýỳÿ", 'c': "ç", 'n': "ñ",
	} {
		for _, r := range accented {
			m[r] = base
		}
	}
	return m
}()
