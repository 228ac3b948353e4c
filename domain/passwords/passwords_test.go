package passwords_test

import (
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/whisper-schools/whisper/domain/passwords"
)

func TestCommonPasswords(t *testing.T) {
	for _, p := range []string{
		"password", "qwertyuiop", "1qaz2wsx3edc", "PASSWORD1234", "Liverpool1892!", "i love you 2026",
		"dragondragon", "abcabcabcabc", "aaaaaaaaaaaa", "  summertime2026  ", "201920202021", "!!!!!!!!!!!!",
		"Whisper12345!",
	} {
		assert.True(t, passwords.Common(p), p)
	}
	for _, p := range []string{
		"correct horse battery staple", "plum tractor lantern 47", "G7#kq!2vL0zp", "my dog eats toast on tuesdays",
		"839201746512", "oakfield primary staff room",
	} {
		assert.False(t, passwords.Common(p), p)
	}
}

func TestListIsSortedForSearching(t *testing.T) {
	// Common searches the embedded list in place; an unsorted line would
	// silently hide its neighbours.
	raw, err := os.ReadFile("common.txt")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	assert.Greater(t, len(lines), 40000)
	assert.True(t, sort.StringsAreSorted(lines))
	for _, l := range lines {
		if l != strings.ToLower(l) || l == "" {
			t.Fatalf("line %q is not lower case", l)
		}
	}
}
