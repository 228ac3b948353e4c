package swearing

import (
	"slices"
	"strings"

	goaway "github.com/TwiN/go-away"
)

// A block policy refuses a message only when its swearing is aimed at
// someone; everything else on the lists is flagged at most. That is the
// rule which keeps disclosures open: a child may need any word at all to
// say what was done to them ("he made me touch his dick", "she showed me her
// tits", "he fucking raped me"), and no word on its own is a reason to turn
// them away. What a block policy exists to stop is abuse of the people
// reading, and abuse has a shape:
//
//   - a name: the person addressed, then a word of the lists used as a
//     noun, with only fillers between ("you dickhead", "you're a fucking
//     slag", "ur such a twat", "you lot are wankers"; Welsh "ti'n gont",
//     "cont wyt ti"); "your" and "ur" count only before "a", "an" or
//     "such", so "your dick" is not a name;
//   - a curse: "fuck off", "fuck you", "go fuck yourself", "piss off",
//     "get fucked", "shut the fuck up", "stfu", "gtfo"; Welsh "ffyc off",
//     "ffwcia bant", "cer i ffwcio". "Fuck you" after "to", "will", "'ll",
//     "'d", "gonna", "wants" and the like is a threat being reported ("he
//     said he'd fuck you"), not a curse.
//
// Words for the body and sex ("dick", "cock", "tits", "pussy", "cum",
// "wank") and verb forms ("fucked", "fucking") are never a name, so "you're
// a dick" is flagged, not refused; the words of abuse, rape and self-harm
// are not on the lists at all. An organisation's own words count as
// names too ("you numpty"), and so can never refuse a message in which no one
// is called them.
//
// A name or curse reported as someone else's words, after "said", "told",
// "called", "wrote", "texted" and the like within a few words ("he told me
// to fuck off", "they keep saying you're a slag"; Welsh "dywedodd", "galw"),
// is a child telling what happened, not abuse: flagged, never refused. A
// quote without such a word ("you're a slag" is what he shouted) still
// reads as aimed at the reader; under block it is refused with the kind
// message asking to say it another way, its text kept to edit.

// maxRun bounds the fillers between the person addressed and the name.
const maxRun = 6

// speechWindow is how far before a name or curse a word of speech makes it
// reported.
const speechWindow = 6

// speech are the words that report what someone said or wrote, in English
// and Welsh.
var speech = set(
	"say", "says", "said", "saying", "sed", "tell", "tells", "told", "telling", "call", "calls", "called", "calling",
	"shout", "shouts", "shouted", "shouting", "yell", "yelled", "yelling", "scream", "screamed", "screaming",
	"write", "writes", "wrote", "written", "writing", "text", "texts", "texted", "texting", "message", "messaged",
	"messages", "post", "posted", "posts", "comment", "commented", "sent", "send", "sends", "went", "goes", "like",
	"quote", "quoted",
	// Welsh.
	"dweud", "deud", "dwedodd", "dywedodd", "wedodd", "wedo", "galw", "galwodd", "gweiddi", "gwaeddodd",
	"ysgrifennu", "ysgrifennodd", "sgwennodd", "sgwennu", "tecstio", "tecstiodd", "anfonodd", "postio", "postiodd",
)

// addressees start a name: the person written to.
var addressees = set("you", "u", "ya", "ye", "yous", "youse", "yall", "youre")

// addresseesBeforeArticle start a name only before an article: "your a
// slag" is a common spelling of "you're a slag", "your dick" is a body part.
var addresseesBeforeArticle = set("your", "ur", "yer", "yur")

// articles are what addresseesBeforeArticle need next.
var articles = set("a", "an", "such", "r", "are", "re", "all")

// welshAddressees start a name before "'n" or "yn": "ti'n gont".
var welshAddressees = set("ti", "chi")

// fillers may stand between the person addressed and the name.
var fillers = set(
	"a", "an", "the", "such", "are", "r", "re", "is", "all", "lot", "guys", "lads", "girls", "bunch", "of", "one",
	"absolute", "absolutely", "total", "totally", "complete", "proper", "utter", "fat", "ugly", "stupid", "little",
	"lil", "big", "massive", "dirty", "filthy", "thick", "pathetic", "useless", "lazy", "bloody", "sad", "old", "dumb",
	"so", "just", "really", "right", "dead", "being", "weird", "creepy", "sick", "nasty", "disgusting", "horrible",
	"evil", "boring", "skinny", "smelly", "gay", "mad", "crazy",
	// Welsh.
	"n", "yn", "y", "yr", "hen", "blydi", "fath", "o", "mor", "wir", "twp", "ffiaidd", "tew", "hyll",
)

// bodyWords are on the lists for flagging but never a name (see above).
var bodyWords = set(
	"dick", "dicks", "cock", "cocks", "coc", "tits", "titty", "tittie", "titties", "pussy", "pussies", "cum",
	"boner", "boners", "spunk", "jizz", "dildo", "dildos", "blowjob", "blowjobs", "rimjob", "ballsack", "wank",
	"wanks", "wanked", "wanking", "choad", "felching", "piss", "pissed", "pissing", "cachu",
)

// fWords are the f-word itself, spelt as children spell it; stretched
// letters are undone by variants.
var fWords = set("fuck", "fuk", "fck", "fvck", "phuck", "feck", "fcuk", "f*ck", "f**k", "fu*k", "f***", "ffyc", "ffyk", "ffwc", "ffoc", "ffwcia", "ffwciwch")

// cursesOff follow a curse: "fuck off", "ffwcia bant".
var cursesOff = set("off", "yourself", "urself", "yourselves", "yaself", "bant")

// cursedAt follow the f-word to curse someone: "fuck you".
var cursedAt = set("you", "u", "ya", "ye", "yous", "ti", "chi")

// threats before "fuck you" make it a threat reported, not a curse.
var threats = set(
	"to", "ll", "will", "would", "d", "gonna", "gunna", "wanna", "going", "want", "wants", "wanted", "could", "can",
	"cant", "let", "should", "might", "must", "try", "tried", "trying", "not", "didnt", "dont", "never",
)

// curseWords are curses on their own.
var curseWords = set("fuckoff", "fuckyou", "fuckyourself", "stfu", "gtfo")

// aimed reports whether v, a form from variants, holds swearing aimed at
// someone: a name or a curse, as described above. extra is the
// organisation's own list, each entry folded and split into words.
func (f *Filter) aimed(v string, extra [][]string) bool {
	words := strings.Fields(v)
	for i := range words {
		words[i] = unleet(words[i])
	}
	for i, w := range words {
		next := at(words, i+1)
		var found bool
		switch {
		case f.curse(words, i):
			found = true
		case addressees[w],
			addresseesBeforeArticle[w] && articles[next],
			welshAddressees[w] && (next == "n" || next == "yn"):
			found = f.nameAfter(words, i+1, extra)
		case w == "wyt" && next == "ti", (w == "ydych" || w == "dych" || w == "ych") && next == "chi":
			found = f.nameBefore(words, i, extra)
		}
		if found && !reported(words, i) {
			return true
		}
	}
	return false
}

// reported reports whether the words just before words[i] say that what
// follows is someone else's words: "he told me to fuck off", "they keep
// saying you're a slag", "dywedodd e ti'n hwren".
func reported(words []string, i int) bool {
	return slices.ContainsFunc(words[max(0, i-speechWindow):i], func(w string) bool { return speech[w] })
}

// curse reports whether a curse starts at words[i].
func (f *Filter) curse(words []string, i int) bool {
	w, next := words[i], at(words, i+1)
	switch {
	case curseWords[w]:
		return true
	case (fWords[w] || w == "piss" || w == "bugger") && cursesOff[next]:
		return true
	case fWords[w] && cursedAt[next]:
		return !threats[at(words, i-1)]
	case w == "get" && (next == "fucked" || next == "fukd" || next == "fcked"):
		return true
	case w == "shut" && next == "the" && fWords[at(words, i+2)] && at(words, i+3) == "up":
		return true
	case (w == "cer" || w == "dos" || w == "ewch" || w == "cerwch") && next == "i":
		after := at(words, i+2)
		return strings.HasPrefix(after, "ffwc") || strings.HasPrefix(after, "ffyc")
	}
	return false
}

// nameAfter reports whether a name follows from words[j], past fillers.
func (f *Filter) nameAfter(words []string, j int, extra [][]string) bool {
	for k := j; k < len(words) && k < j+maxRun; k++ {
		if f.nameAt(words, k, extra) {
			return true
		}
		if !f.fills(words[k]) {
			return false
		}
	}
	return false
}

// nameBefore reports whether a name comes just before words[i], past
// fillers, as in Welsh "ffycin cont wyt ti".
func (f *Filter) nameBefore(words []string, i int, extra [][]string) bool {
	for k := i - 1; k >= 0 && k >= i-maxRun; k-- {
		// words[k] may end a name of two words: "twll din wyt ti".
		if f.nameAt(words, k, extra) || k >= 1 && f.nameAt(words, k-1, extra) {
			return true
		}
		if !f.fills(words[k]) {
			return false
		}
	}
	return false
}

// nameAt reports whether a name starts at words[k]: an organisation's own
// entry, or a word or two-word entry of the lists used as a noun.
func (f *Filter) nameAt(words []string, k int, extra [][]string) bool {
	for _, e := range extra {
		if len(e) <= len(words)-k && slices.Equal(words[k:k+len(e)], e) {
			return true
		}
	}
	w := words[k]
	if f.isProfane(" " + w + " ") {
		return !bodyWords[w] && !isVerbForm(w)
	}
	// A phrase whose words are clean on their own: "coc oen".
	return k+1 < len(words) && !f.isProfane(" "+words[k+1]+" ") && f.isProfane(" "+w+" "+words[k+1]+" ")
}

// fills reports whether w may stand between the person addressed and the
// name: a filler, or a word of the lists that is not a name ("fucking",
// "dick").
func (f *Filter) fills(w string) bool {
	return fillers[w] || f.isProfane(" "+w+" ")
}

// isVerbForm reports whether w, a word of the lists, is the f-word or a
// form of a verb or adjective ("fucked", "fucking", "ffycin") rather than a
// name.
func isVerbForm(w string) bool {
	return fWords[w] || strings.HasSuffix(w, "ed") || strings.HasSuffix(w, "ing") || strings.HasSuffix(w, "in") || strings.HasSuffix(w, "kn")
}

// unleet reads the leetspeak symbols of w as go-away does ("$lag" is
// "slag"), keeping '*' for masks such as "f*ck".
func unleet(w string) string {
	if !strings.ContainsFunc(w, func(r rune) bool { return r != '*' && goaway.DefaultCharacterReplacements[r] > ' ' }) {
		return w
	}
	return strings.Map(func(r rune) rune {
		if to := goaway.DefaultCharacterReplacements[r]; r != '*' && to > ' ' {
			return to
		}
		return r
	}, w)
}

// splitEntries folds an organisation's entries and splits each into words;
// entries without words are dropped.
func splitEntries(extra []string) [][]string {
	var out [][]string
	for _, e := range extra {
		var words []string
		for rest := fold(e); ; {
			var w string
			if w, rest = nextWord(rest); w == "" {
				break
			}
			words = append(words, w)
		}
		if len(words) > 0 {
			out = append(out, words)
		}
	}
	return out
}

// at returns words[i], or "" outside the slice.
func at(words []string, i int) string {
	if i < 0 || i >= len(words) {
		return ""
	}
	return words[i]
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
