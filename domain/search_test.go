package domain_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
)

func TestSearchWords(t *testing.T) {
	s, err := domain.ParseSearch("  Bus  STOP bus ")
	require.NoError(t, err)
	assert.Equal(t, 2, s.Words(), "words once each")
	assert.Equal(t, uint64(0b11), s.All())
	assert.Equal(t, uint64(0b11), s.Match("at the bus-stop"))
	assert.Equal(t, uint64(0b01), s.Match("on the BUS"))
	assert.Zero(t, s.Match("nothing here"))

	cy, err := domain.ParseSearch("tŷ bwyta")
	require.NoError(t, err)
	assert.Equal(t, cy.All(), cy.Match("Roedd e yn y TY BWYTA"), "the circumflex folds away")
	assert.Equal(t, cy.All(), cy.Match("Roedd e yn y Tŷ Bwyta"))
	plain, err := domain.ParseSearch("ty")
	require.NoError(t, err)
	assert.Equal(t, plain.All(), plain.Match("yn y TŶ"), "and both ways")
	assert.Equal(t, "wyn dwr ty", domain.FoldSearch("Ŵyn Dŵr Tŷ"))

	_, err = domain.ParseSearch(strings.Repeat("a", domain.MaxSearch+1))
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err))
	zero, err := domain.ParseSearch("   ")
	require.NoError(t, err)
	assert.True(t, zero.IsZero())
}

func TestSearchReferences(t *testing.T) {
	ref := domain.Reference("WSP-7K3D-9QXM")
	for _, q := range []string{"WSP-7K3D-9QXM", "wsp-7k3d-9qxm", "7K3D9QXM", "wsp-7k3d", "7k3d", "WSP7K3", "wsp-7"} {
		s, err := domain.ParseSearch(q)
		require.NoError(t, err)
		assert.True(t, s.MatchesRef(ref), q)
	}
	for _, q := range []string{"7K3E", "K3D9", "wsp", "7k3"} {
		s, err := domain.ParseSearch(q)
		require.NoError(t, err)
		assert.False(t, s.MatchesRef(ref), q)
	}
	whole, err := domain.ParseSearch("WSP-7K3D-9QXM")
	require.NoError(t, err)
	assert.Zero(t, whole.Words(), "a whole reference is not read as words")
	prefix, err := domain.ParseSearch("wsp-7k3d-")
	require.NoError(t, err)
	assert.Zero(t, prefix.Words(), "nor is the beginning of one with its prefix")
	word, err := domain.ParseSearch("weekends")
	require.NoError(t, err)
	assert.Equal(t, 1, word.Words(), "a word that could be a reference is still a word")
}

func TestIndexWords(t *testing.T) {
	index := domain.IndexWords("", "Someone is being unkind at the bus-stop.", "Mae'r plentyn yn y TŶ bwyta")
	assert.Equal(t, "at being bus bwyta is mae plentyn r someone stop the ty unkind y yn", index, "each folded word once, in order")
	assert.Equal(t, index, domain.IndexWords(index, "the BUS"), "words already there change nothing")
	assert.Equal(t, "at being bus bwyta is lunch mae plentyn r someone stop the ty unkind y yn", domain.IndexWords(index, "lunch"))
	assert.Empty(t, domain.IndexWords("", "", "?!"))
}

// FuzzIndexWordsMatchesLikeTheTexts checks the promise the store relies on:
// a search matches an interaction's word index exactly as it matches its
// texts, whatever the texts and the query.
func FuzzIndexWordsMatchesLikeTheTexts(f *testing.F) {
	f.Add("Someone at the bus-stop", "Tŷ bwyta, 12:30", "bus ty")
	f.Add("lunchtime", "", "lunch")
	f.Add("ÄÖÜ straße", "naïve café", "strasse cafe")
	f.Fuzz(func(t *testing.T, a, b, q string) {
		s, err := domain.ParseSearch(q)
		if err != nil || s.Words() == 0 {
			return
		}
		want := s.Match(a) | s.Match(b)
		index := domain.IndexWords(domain.IndexWords("", a), b)
		if got := s.Match(index); got != want {
			t.Fatalf("query %q: texts match %b, their index %q matches %b", q, want, index, got)
		}
	})
}
