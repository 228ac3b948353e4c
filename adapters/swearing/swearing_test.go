package swearing_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/whisper-schools/whisper/adapters/swearing"
)

// Real profanity appears below because a swear filter cannot be tested
// without it; it is kept to a few standard words.

func TestCleanMessagesPass(t *testing.T) {
	t.Parallel()
	f := swearing.New()
	for _, text := range []string{
		"",
		"   ",
		"Someone keeps pushing me at the bus stop",
		"My class teacher",
		"I live in Scunthorpe",
		"He called me an assassin in the game",
		// Words that hide a stem of go-away's stock list.
		"I was hit in assembly and I felt so embarrassed",
		"He assaulted me behind the glass doors by the grass",
		"They stole my smartwatch and my wristwatch",
		"Whoever did it echoed what the others said",
		"They threw snowballs and footballs at me",
		"We have puberty lessons and an assessment on Saturday",
		"He is a sturdy boy and I could not have a restful night",
		"We had cucumber sandwiches, under the circumstances",
		"A raccoon in a cocoon, a peacock and a shuttlecock",
		"I like muffins, the canal and Dickens",
		"Someone snapped the scrap of paper and was sniggering",
		"We were doing rehearsal for the school play",
		// Words a child needs to disclose abuse or describe themselves.
		"He touched my butt and sent me naked pictures",
		"He tried to rape me",
		"They keep saying I'm queer",
		"He kicked me in the balls",
		"Someone drew a nazi sign on my bag",
		"He gave me a bloody nose",
		// Numbers and symbols are not leetspeak on their own.
		"I'm in year 7, room 101, at 3pm!!!",
		"It happened 5 times <3",
		"My email is jo@ssmith.com",
		"I paid £5 or $10 #bullying",
		// Welsh.
		"Mae rhywun yn fy mwlio i",
		"Dw i ddim eisiau mynd i'r ysgol achos mae pawb yn gas i fi",
		"Maen nhw'n galw enwau arna i ar y bws",
		"Rwy'n teimlo'n drist ac yn unig amser chwarae",
		"Mae'r athro'n dweud wrtha i am beidio â phoeni",
	} {
		assert.False(t, f.ContainsSwearing(text, nil), "%q", text)
	}
}

func TestSwearingIsCaught(t *testing.T) {
	t.Parallel()
	f := swearing.New()
	for _, text := range []string{
		"shit",
		"He said shit to me",
		"SHIT",
		"ShIt",
		"it was bullshit",
		"$h1t",
		"sh!t",
		"sh*t",
		"s h i t",
		"s.h.i.t",
		"shiiiiiit",
		"fück",
		"ｆｕｃｋ",       // full width
		"fu\u200bck", // zero-width space inside
		"fu\u00adck", // soft hyphen inside
		"fuck!",
		"f*ck off",
		"f**k",
		"what the f***",
		"f-u-c-k",
		"motherfucker",
		"fuk off",
		"you ass!",
		"a$$",
		"you're an asssss",
		"@$$h073",
		"b1tch",
		"w@nker",
		"Twat",
		"wtf",
	} {
		assert.True(t, f.ContainsSwearing(text, nil), "%q", text)
	}
}

func TestExtraWords(t *testing.T) {
	t.Parallel()
	f := swearing.New()
	for _, tc := range []struct {
		name  string
		text  string
		extra []string
		want  bool
	}{
		{"whole word", "you are a ham", []string{"ham"}, true},
		{"substring does not match", "my hamster died", []string{"ham"}, false},
		{"inside a word does not match", "we went to Birmingham", []string{"ham"}, false},
		{"case-insensitive text", "You are a HAM!", []string{"ham"}, true},
		{"case-insensitive entry", "you are a ham", []string{"HAM"}, true},
		{"entry trimmed", "you are a ham", []string{"  ham  "}, true},
		{"punctuation around word", "(ham), ham.", []string{"ham"}, true},
		{"accents ignored", "quel café", []string{"cafe"}, true},
		{"accents ignored in entry", "quel cafe", []string{"café"}, true},
		{"welsh circumflex", "mae'n dŵr", []string{"dwr"}, true},
		{"full width text", "ｈａｍ", []string{"ham"}, true},
		{"zero-width space in text", "h\u200bam", []string{"ham"}, true},
		{"phrase", "just go away now", []string{"go away"}, true},
		{"phrase across punctuation", "Go... away!", []string{"go away"}, true},
		{"phrase across line break", "go\naway", []string{"go away"}, true},
		{"phrase words apart", "go right away", []string{"go away"}, false},
		{"phrase words reversed", "away go", []string{"go away"}, false},
		{"phrase inside words", "ago awayday", []string{"go away"}, false},
		{"one of several", "you smell", []string{"ham", "smell"}, true},
		{"none of several", "you are kind", []string{"ham", "smell"}, false},
		{"blank entries ignored", "anything at all", []string{"", "  ", "\t"}, false},
		{"punctuation-only entry ignored", "anything at all!", []string{"!!"}, false},
		{"nil extra", "anything at all", nil, false},
		{"blank text", "  ", []string{"ham"}, false},
		{"apostrophe entry", "I don’t care", []string{"don't"}, true},
		{"welsh entry", "Mae rhywun yn fy mwlio i", []string{"mwlio"}, true},
		{"no leetspeak for extra", "h4m", []string{"ham"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, f.ContainsSwearing(tc.text, tc.extra))
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	f := swearing.New()
	cases := []struct {
		text  string
		extra []string
		want  bool
	}{
		{"Someone keeps pushing me at the bus stop", nil, false},
		{"what the sh1t", nil, true},
		{"fück this", nil, true},
		{"I live in Scunthorpe", []string{"ham"}, false},
		{"you are a ham", []string{"ham"}, true},
		{"my hamster", []string{"ham"}, false},
		{"please go away", []string{"go away"}, true},
	}
	var wg sync.WaitGroup
	for g := range 50 {
		wg.Go(func() {
			for i := range 20 {
				c := cases[(g+i)%len(cases)]
				assert.Equal(t, c.want, f.ContainsSwearing(c.text, c.extra), "%q", c.text)
			}
		})
	}
	wg.Wait()
}

// message is about 600 characters of the kind a child might send.
var message = strings.Repeat(
	"Every day at break time a group of older pupils follow me to the bus stop. ", 8)

func BenchmarkContainsSwearing(b *testing.B) {
	f := swearing.New()
	extra := []string{"ham", "go away", "loser", "smelly", "weirdo"}
	b.Logf("message is %d characters", len(message))
	b.ReportAllocs()
	for b.Loop() {
		f.ContainsSwearing(message, extra)
	}
}

// mixedMessage is about 600 characters of clean Welsh and English with
// accents, symbols that go-away reads as leetspeak ('@', '!', '<'), digits
// and a stretched word, so every variant is built and handed to go-away.
var mixedMessage = strings.Repeat(
	"Mae'r athro'n dweud wrtha i am beidio â phoeni!! It was sooo bad @ the café <3 in year 7. ", 7)

func BenchmarkContainsSwearingMixed(b *testing.B) {
	f := swearing.New()
	extra := []string{"ham", "go away", "loser", "smelly", "weirdo"}
	b.Logf("message is %d characters", len([]rune(mixedMessage)))
	if f.ContainsSwearing(mixedMessage, extra) {
		b.Fatal("the mixed message should be clean")
	}
	b.ReportAllocs()
	for b.Loop() {
		f.ContainsSwearing(mixedMessage, extra)
	}
}
