package swearing_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/whisper-schools/whisper/adapters/swearing"
	"github.com/whisper-schools/whisper/adapters/swearing/swearingtest"
	"github.com/whisper-schools/whisper/domain"
)

// Real profanity and descriptions of abuse appear in the corpora because
// the rule that keeps disclosures open cannot be tested without them.

func TestCorporaAreLargeEnough(t *testing.T) {
	assert.GreaterOrEqual(t, len(swearingtest.Disclosures()), 60)
	assert.GreaterOrEqual(t, len(swearingtest.Insults()), 30)
}

// No disclosure is ever aimed at anyone, with or without an organisation's
// own words, however crude; the crude ones are still found, for flagging.
func TestDisclosuresAreNeverAimed(t *testing.T) {
	t.Parallel()
	f := swearing.New()
	found := 0
	for _, text := range swearingtest.Disclosures() {
		for _, extra := range [][]string{nil, orgWords} {
			got := f.Check(text, extra)
			assert.NotEqual(t, domain.SwearingAtSomeone, got, "%q with %q", text, extra)
			if extra == nil && got == domain.SwearWords {
				found++
			}
		}
	}
	assert.Greater(t, found, 20, "the crude disclosures are found, to be flagged")
}

func TestInsultsAreAimed(t *testing.T) {
	t.Parallel()
	f := swearing.New()
	for _, text := range swearingtest.Insults() {
		assert.Equal(t, domain.SwearingAtSomeone, f.Check(text, nil), "%q", text)
	}
}

// orgWords are an organisation's own words, including disclosure
// vocabulary an admin might add: they flag, and name-call only as names.
var orgWords = []string{"numpty", "rape", "naked", "penis", "kill myself", "pidyn"}

func TestCheck(t *testing.T) {
	t.Parallel()
	f := swearing.New()
	for _, tc := range []struct {
		text  string
		extra []string
		want  domain.Swearing
	}{
		{"", nil, domain.NoSwearing},
		{"Someone keeps pushing me at the bus stop", nil, domain.NoSwearing},
		{"He raped me", nil, domain.NoSwearing},
		{"I want to kill myself", nil, domain.NoSwearing},
		{"I've been cutting", nil, domain.NoSwearing},
		{"he made me touch his dick", nil, domain.SwearWords},
		{"she showed me her tits", nil, domain.SwearWords},
		{"this is shit", nil, domain.SwearWords},
		{"he called me a slag", nil, domain.SwearWords},
		{"my brother is a dickhead", nil, domain.SwearWords},
		// Words for the body and sex never name anyone.
		{"you're a dick", nil, domain.SwearWords},
		{"your dick", nil, domain.SwearWords},
		{"you fucked me", nil, domain.SwearWords},
		{"you fucking raped me", nil, domain.SwearWords},
		// A threat reported is not a curse.
		{"he said he'd fuck you", nil, domain.SwearWords},
		{"he wants to fuck you", nil, domain.SwearWords},
		{"you're a fucking slag", nil, domain.SwearingAtSomeone},
		{"fuck off you dickhead", nil, domain.SwearingAtSomeone},
		{"YOU'RE A FUCKING SLAG!!!", nil, domain.SwearingAtSomeone},
		{"you're a sl@g", nil, domain.SwearingAtSomeone},
		{"fuck you", nil, domain.SwearingAtSomeone},
		{"I hate you, fuck you", nil, domain.SwearingAtSomeone},
		// Someone else's words, reported, are not aimed at the reader; a
		// quote without a word of speech before it still is.
		{"he told me to fuck off", nil, domain.SwearWords},
		{"they keep saying you're a slag", nil, domain.SwearWords},
		{"dywedodd e ti'n gont", nil, domain.SwearWords},
		{"\"you're a slag\" is what he shouted", nil, domain.SwearingAtSomeone},
		// An organisation's own words flag, and refuse only as names.
		{"you numpty", []string{"numpty"}, domain.SwearingAtSomeone},
		{"you're a right Numpty!", []string{"numpty"}, domain.SwearingAtSomeone},
		{"my brother is a numpty", []string{"numpty"}, domain.SwearWords},
		{"he tried to rape me", []string{"rape"}, domain.SwearWords},
		{"you total go away merchant", []string{"go away merchant"}, domain.SwearingAtSomeone},
		// Welsh.
		{"ti'n gont", nil, domain.SwearingAtSomeone},
		{"roedd y bastad yn fy nghyffwrdd i", nil, domain.SwearWords},
	} {
		assert.Equal(t, tc.want, f.Check(tc.text, tc.extra), "%q with %q", tc.text, tc.extra)
	}
}
