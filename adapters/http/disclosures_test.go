package http_test

import (
	"fmt"
	nethttp "net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/adapters/swearing"
	"github.com/whisper-schools/whisper/adapters/swearing/swearingtest"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Real profanity and descriptions of abuse appear here because the rule
// that keeps disclosures open cannot be tested without them (see
// adapters/swearing/aimed.go).

// swearRefusal starts the words a reporter reads when a block policy
// refuses their message, on the web and by text.
const swearRefusal = "Our filter stopped some words in your message."

// ownWords are the organisation's own words for these tests, disclosure
// vocabulary among them: they may flag a disclosure, never refuse it.
var ownWords = []string{"numpty", "rape", "naked", "penis", "kill myself", "pidyn"}

// Every disclosure of the corpus is accepted under every swear-word policy,
// by the web form, a reply and a text, both opening a report and
// continuing one; flagged exactly when the policy flags and the filter
// finds something. Every insult is refused under block, with the kind
// words, and accepted, flagged, under flag and unflagged under off.
func TestDisclosuresAreNeverBlocked(t *testing.T) {
	for _, policy := range []domain.SwearPolicy{domain.SwearOff, domain.SwearFlag, domain.SwearBlock} {
		t.Run(string(policy), func(t *testing.T) {
			t.Parallel()
			c := newCorpusSite(t, policy)
			filter := swearing.New()
			for _, text := range swearingtest.Disclosures() {
				flag, _ := policy.Judge(filter.Check(text, ownWords))
				c.expect(text, true, flag)
			}
			for _, text := range swearingtest.Insults() {
				c.expect(text, policy != domain.SwearBlock, policy != domain.SwearOff)
			}
		})
	}
}

// corpusSite is a site with its SMS webhook on, a form under one policy, a
// web conversation and a text conversation to reply to.
type corpusSite struct {
	*carrierSite
	token   string               // the web conversation's link token
	web     domain.InteractionID // the web conversation
	texter  string               // the number of the text conversation
	texted  domain.InteractionID // the text conversation
	numbers int                  // numbers used so far to open texted reports
}

func newCorpusSite(t *testing.T, policy domain.SwearPolicy) *corpusSite {
	s := newSite(t, siteOptions{plivoToken: plivoToken})
	s.form.SwearPolicy = policy
	require.NoError(t, s.store.InTx(ctx, func(tx ports.Tx) error {
		if err := storetest.SaveForm(tx, s.form); err != nil {
			return err
		}
		_, err := tx.Organisations().Change(ctx, s.org.ID, func(org *domain.Organisation) error {
			org.SwearWords = ownWords
			return nil
		})
		return err
	}))
	c := &corpusSite{carrierSite: &carrierSite{site: s, hook: s.srv}, texter: "447700900001"}
	c.token = c.report("I need to tell someone something")
	c.web = c.newest().ID
	c.clock.add(time.Minute)
	require.Equal(t, nethttp.StatusOK, c.send(c.signedV3("uuid-texter", c.texter, "OAK I need to tell someone something")))
	c.texted = c.newest().ID
	return c
}

// expect puts text through the web form, a web reply, a text opening a
// report and a text continuing one, and checks that each is accepted (and
// flagged as flag says) or refused.
func (c *corpusSite) expect(text string, accepted, flag bool) {
	t := c.t
	t.Helper()

	// The web form.
	c.clock.add(time.Minute)
	r := c.post("/r/OAK", url.Values{"message": {text}, "category": {string(c.inbox.ID)}})
	if accepted {
		if assert.Equal(t, nethttp.StatusSeeOther, r.status, "report %q", text) {
			assert.Equal(t, flag, c.newest().Flagged, "report %q flagged", text)
		}
	} else {
		assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status, "report %q", text)
		assert.Contains(t, r.body, swearRefusal, "report %q", text)
	}

	// A reply through the conversation link.
	before := c.messagesOf(c.web)
	r = c.post("/t/"+c.token, url.Values{"message": {text}})
	if accepted {
		assert.Equal(t, nethttp.StatusSeeOther, r.status, "reply %q", text)
		assert.Equal(t, before+1, c.messagesOf(c.web), "reply %q kept", text)
	} else {
		assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status, "reply %q", text)
		assert.Contains(t, r.body, swearRefusal, "reply %q", text)
		assert.Equal(t, before, c.messagesOf(c.web), "reply %q not kept", text)
	}

	// A text opening a report, from a number of its own.
	c.numbers++
	number := fmt.Sprintf("4477009%05d", 10000+c.numbers)
	c.clock.add(time.Minute)
	newest, refusals := c.newest().ID, 0
	if !accepted {
		refusals = c.refusalTexts()
	}
	require.Equal(t, nethttp.StatusOK, c.send(c.signedV3(fmt.Sprintf("uuid-open-%d", c.numbers), number, "OAK "+text)))
	if accepted {
		opened := c.newest()
		assert.NotEqual(t, newest, opened.ID, "text %q kept", text)
		assert.Equal(t, flag, opened.Flagged, "text %q flagged", text)
	} else {
		assert.Equal(t, newest, c.newest().ID, "text %q not kept", text)
		assert.Equal(t, refusals+1, c.refusalTexts(), "text %q: the texter is told kindly", text)
	}

	// A text continuing the texter's conversation.
	before = c.messagesOf(c.texted)
	require.Equal(t, nethttp.StatusOK, c.send(c.signedV3(fmt.Sprintf("uuid-reply-%d", c.numbers), c.texter, text)))
	if accepted {
		assert.Equal(t, before+1, c.messagesOf(c.texted), "reply text %q kept", text)
	} else {
		assert.Equal(t, before, c.messagesOf(c.texted), "reply text %q not kept", text)
	}
}

// newest is the interaction with the latest activity.
func (c *corpusSite) newest() *domain.Interaction {
	c.t.Helper()
	var list []*domain.Interaction
	require.NoError(c.t, c.store.View(ctx, func(tx ports.Tx) (err error) {
		list, err = tx.Interactions().List(ctx, ports.InteractionFilter{OrgID: &c.org.ID, Limit: 1})
		return err
	}))
	require.NotEmpty(c.t, list)
	return list[0]
}

// messagesOf counts the messages of one conversation.
func (c *corpusSite) messagesOf(id domain.InteractionID) int {
	c.t.Helper()
	var n int
	require.NoError(c.t, c.store.View(ctx, func(tx ports.Tx) error {
		ms, err := tx.Messages().List(ctx, id)
		n = len(ms)
		return err
	}))
	return n
}

// refusalTexts counts the texts queued to tell a texter the filter stopped
// their words.
func (c *corpusSite) refusalTexts() int {
	c.t.Helper()
	n := 0
	require.NoError(c.t, c.store.View(ctx, func(tx ports.Tx) error {
		ds, err := tx.Outbox().List(ctx, ports.OutboxFilter{})
		for _, d := range ds {
			if d.Kind == domain.DeliveryReporterSMS && strings.HasPrefix(d.Body, swearRefusal) {
				n++
			}
		}
		return err
	}))
	return n
}
