package swearing

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The fast paths in text.go and swearing.go must change nothing that the
// filter finds. Each test below holds one of them to the slow path it
// skips, and to the code as it was before (reference_test.go), on inputs
// chosen to trip them: ASCII controls, case that folds out of ASCII or into
// it, marks, format characters, compatibility forms, invalid UTF-8.

// trickyTexts are the inputs every equivalence test runs on.
var trickyTexts = []string{
	"", " ", "\t\n\v\f\r", "\x00\x01\x1f\x7f", "A", "Z", "@[`{", "ABC xyz 019",
	"Every day at break time a group of older pupils follow me to the bus stop.",
	"İstanbul", "ıI", "ǅǄǆ", "Straße SS ß", "ﬁre ﬂy", "ｆｕｃｋ", "ＳＨＩＴ",
	"\u212a \u212b", "ſhit", "Ⅻ ① ² ¾ ٣", "fu\u200bck", "fu\u00adck", "\ufeffshit",
	"e\u0301 é É", "a" + strings.Repeat("\u0301", 40) + "b", "ŵ ŷ â dŵr",
	"ΣΑΣ σας", "ꭰꭱ ᏸ", "Ꭰ", "한국어 ᄒ ᅡ", "क्षि", "ਕਿ", "日本語", "👍👍👍", "🏳️‍🌈",
	"\u00a0nbsp\u00a0", "\u0085\u2028\u2029", "\xff\xfe", "a\xffb", "\xc3", "\xed\xa0\x80",
	"s h i t", "s.h.i.t", "a b", "a b c d", "x y 1", "é é é", "e\u0301 e\u0301 e\u0301",
	"日 本 語", "a\u0301 b c", "shiiiit", "aaa", "   ", "!!!", "$$$", "a$$", "@$$h073",
	"ééé", "e\u0301e\u0301e\u0301", "sh!t", "$h1t", "b<3", "<3 <3 <3", "()", "(((",
	"f**k", "f***", "a * b * c", "***", "f u c k !", "go\naway", "Go... away!",
	"you are a HAM!", "I don’t care", "mae'n dŵr", "quel café", "ｈａｍ", "h\u200bam",
	"fuuuck fuuuuuuck", "ass assss", "sssss", "o o o o", "1 2 3", "a#b+c",
	"just go awayday", "ago away", "ham hamster", "shamham", "mae'r athro",
}

// trickyEntries are the organisation word-list entries the tests try.
var trickyEntries = []string{
	"", " ", "\t", "!!", "ham", "HAM", "  ham  ", "go away", "Go... Away", "don't",
	"café", "cafe", "dŵr", "dwr", "ｈａｍ", "İ", "i", "ß", "ss", "a b c", "7", "\xff",
	"shit", "ab", "mae", "away go", "日本語",
}

func TestIsWordRuneMatchesUnicodeOnASCII(t *testing.T) {
	for r := rune(0); r < utf8.RuneSelf; r++ {
		want := unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
		if isWordRune(r) != want {
			t.Errorf("isWordRune(%q) = %v, want %v", r, !want, want)
		}
	}
}

// go-away's accent removal leaves text alone when every rune is in ' ' to
// '~'; isPrintableASCII must say exactly that, for the ASCII detector to be
// used only where it gives go-away's own answer.
func TestIsPrintableASCIIIsGoAwaysCondition(t *testing.T) {
	for r := rune(0); r < 0x800; r++ {
		want := ' ' <= r && r <= '~'
		if got := isPrintableASCII("ab" + string(r) + "cd"); got != want {
			t.Errorf("isPrintableASCII with %U = %v, want %v", r, got, want)
		}
	}
	for _, s := range []string{"\xff", "a\xc3", "\u00a0", "😀"} {
		if isPrintableASCII(s) {
			t.Errorf("isPrintableASCII(%q) = true", s)
		}
	}
}

func TestFoldMatchesSlowPath(t *testing.T) {
	texts := slices.Clone(trickyTexts)
	// Every ASCII character alone and next to every other.
	for c := byte(0); c < utf8.RuneSelf; c++ {
		texts = append(texts, string([]byte{c}))
		for d := byte(0); d < utf8.RuneSelf; d++ {
			texts = append(texts, string([]byte{c, d}))
		}
	}
	for _, text := range texts {
		got := fold(text)
		if want := foldUnicode(text); got != want {
			t.Errorf("fold(%q) = %q, foldUnicode gives %q", text, got, want)
		}
		if want := refFold(text); got != want {
			t.Errorf("fold(%q) = %q, before the fast path %q", text, got, want)
		}
	}
}

func TestCollapseRunsMatchesReference(t *testing.T) {
	for _, v := range append(trickyForms(), trickyTexts...) {
		for keep := 1; keep <= 2; keep++ {
			if got, want := collapseRuns(v, keep), refCollapseRuns(v, keep); got != want {
				t.Errorf("collapseRuns(%q, %d) = %q, before %q", v, keep, got, want)
			}
		}
	}
}

func TestHasLeetSaysWhetherWordFormsDiffer(t *testing.T) {
	for _, text := range trickyTexts {
		folded := fold(text)
		want := wordForm(folded, true) != wordForm(folded, false)
		if got := hasLeet(folded); got != want {
			t.Errorf("hasLeet(%q) = %v, but the word forms differ: %v", folded, got, want)
		}
	}
}

func TestHasSingleRunSaysWhetherJoinSinglesChanges(t *testing.T) {
	for _, v := range trickyForms() {
		want := joinSingles(v) != v
		if got := hasSingleRun(v); got != want {
			t.Errorf("hasSingleRun(%q) = %v, but joinSingles changes it: %v", v, got, want)
		}
	}
}

func TestHasStretchSaysWhetherCollapseRunsChanges(t *testing.T) {
	for _, v := range trickyForms() {
		want := collapseRuns(v, 1) != v
		if got := hasStretch(v); got != want {
			t.Errorf("hasStretch(%q) = %v, but collapseRuns changes it: %v", v, got, want)
		}
	}
}

func TestVariantsMatchReference(t *testing.T) {
	for _, text := range trickyTexts {
		got, want := variants(fold(text)), refVariants(refFold(text))
		if !slices.Equal(got, want) {
			t.Errorf("variants of %q:\n got %q\nwant %q", text, got, want)
		}
	}
}

func TestContainsAnyMatchesReference(t *testing.T) {
	for _, text := range trickyTexts {
		for _, entry := range trickyEntries {
			extra := []string{entry}
			got, want := containsAny(fold(text), extra), refContainsAny(refFold(text), extra)
			if got != want {
				t.Errorf("containsAny(%q, %q) = %v, before %v", text, extra, got, want)
			}
		}
	}
}

func TestASCIIDetectorAgrees(t *testing.T) {
	f := New()
	for _, v := range trickyForms() {
		if !isPrintableASCII(v) {
			continue
		}
		if got, want := f.asciiDetector.IsProfane(v), f.detector.IsProfane(v); got != want {
			t.Errorf("on %q the ASCII detector says %v, go-away with accent removal %v", v, got, want)
		}
	}
}

func TestContainsSwearingMatchesReference(t *testing.T) {
	f := New()
	for _, text := range trickyTexts {
		for _, extra := range [][]string{nil, trickyEntries} {
			if got, want := f.ContainsSwearing(text, extra), f.refContainsSwearing(text, extra); got != want {
				t.Errorf("ContainsSwearing(%q, %q) = %v, before %v", text, extra, got, want)
			}
		}
	}
}

// FuzzFastPaths checks every fast path on one text and one word-list entry.
func FuzzFastPaths(f *testing.F) {
	for i, text := range trickyTexts {
		f.Add(text, trickyEntries[i%len(trickyEntries)])
	}
	filter := New()
	f.Fuzz(func(t *testing.T, text, entry string) {
		folded := fold(text)
		if want := refFold(text); folded != want {
			t.Fatalf("fold(%q) = %q, before %q", text, folded, want)
		}
		if got, want := hasLeet(folded), wordForm(folded, true) != wordForm(folded, false); got != want {
			t.Fatalf("hasLeet(%q) = %v, word forms differ: %v", folded, got, want)
		}
		forms := variants(folded)
		if want := refVariants(folded); !slices.Equal(forms, want) {
			t.Fatalf("variants of %q:\n got %q\nwant %q", text, forms, want)
		}
		for _, v := range forms {
			if got, want := hasSingleRun(v), joinSingles(v) != v; got != want {
				t.Fatalf("hasSingleRun(%q) = %v, joinSingles changes it: %v", v, got, want)
			}
			if got, want := hasStretch(v), collapseRuns(v, 1) != v; got != want {
				t.Fatalf("hasStretch(%q) = %v, collapseRuns changes it: %v", v, got, want)
			}
		}
		for keep := 1; keep <= 2; keep++ {
			if got, want := collapseRuns(text, keep), refCollapseRuns(text, keep); got != want {
				t.Fatalf("collapseRuns(%q, %d) = %q, before %q", text, keep, got, want)
			}
		}
		extra := []string{entry}
		if got, want := containsAny(folded, extra), refContainsAny(folded, extra); got != want {
			t.Fatalf("containsAny(%q, %q) = %v, before %v", text, extra, got, want)
		}
		if got, want := filter.ContainsSwearing(text, extra), filter.refContainsSwearing(text, extra); got != want {
			t.Fatalf("ContainsSwearing(%q, %q) = %v, before %v", text, extra, got, want)
		}
	})
}

// trickyForms are the forms of trickyTexts that variants hands go-away,
// along with the forms that the fast paths decided not to build.
func trickyForms() []string {
	var forms []string
	for _, text := range trickyTexts {
		folded := fold(text)
		for _, v := range append(variants(folded), wordForm(folded, false)) {
			forms = append(forms, v, joinSingles(v), collapseRuns(v, 1), collapseRuns(v, 2))
		}
	}
	return forms
}
