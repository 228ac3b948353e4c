// Package passwords tells whether a password is one that people commonly
// choose, and so one that an attacker tries first.
//
// The list in common.txt is the password list of the zxcvbn-ts project
// (@zxcvbn-ts/language-common 4.1.3, src/passwords.json; MIT licence,
// copyright Dan Wheeler, Dropbox, Inc. and @zxcvbn-ts): about 49,000
// passwords from public breach corpora, lower-cased, deduplicated and
// sorted byte-wise so that it can be searched without being copied into a
// map. The package does no I/O and keeps no state, so the core may use it
// as it uses any other rule.
package passwords

import (
	_ "embed"
	"sort"
	"strings"
	"sync"
	"unicode"
)

//go:embed common.txt
var commonText string

// common is the sorted list. Its strings share commonText's memory.
var common = sync.OnceValue(func() []string {
	return strings.Split(strings.TrimSuffix(commonText, "\n"), "\n")
})

// minUnit is the shortest repeated unit that is not weak by itself:
// "abcabcabcabc" is no better than "abc".
const minUnit = 4

// Common reports whether password is a commonly chosen one, or one of
// those dressed up the usual ways: in capitals, with digits or symbols
// before or after it, with spaces between its words, or said several times
// over ("Liverpool1892!", "i love you 2026", "dragondragon"). Those are the
// first guesses of anyone who tries, so a long password built like that is
// still weak.
func Common(password string) bool {
	p := strings.ToLower(strings.TrimSpace(password))
	if listed(p) {
		return true
	}
	core := strings.TrimFunc(p, func(r rune) bool {
		return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r)
	})
	if core == "" {
		// Only digits and symbols: a date, a phone number or a keyboard
		// walk, unless it is long enough to be a random string.
		return len(distinct(p)) < 5
	}
	for _, c := range []string{core, strings.Join(strings.Fields(core), "")} {
		unit := repeated(c)
		if len([]rune(unit)) < minUnit && unit != c {
			return true
		}
		if listed(c) || listed(unit) {
			return true
		}
	}
	return false
}

// listed reports whether p is on the list.
func listed(p string) bool {
	list := common()
	i := sort.SearchStrings(list, p)
	return i < len(list) && list[i] == p
}

// repeated returns the shortest unit that s is made of, said twice or
// more; s itself when it is no repetition.
func repeated(s string) string {
	r := []rune(s)
	for n := 1; n <= len(r)/2; n++ {
		if len(r)%n != 0 {
			continue
		}
		unit := string(r[:n])
		if strings.Repeat(unit, len(r)/n) == s {
			return unit
		}
	}
	return s
}

// distinct returns the set of characters in s.
func distinct(s string) map[rune]bool {
	set := map[rune]bool{}
	for _, r := range s {
		set[r] = true
	}
	return set
}
