package http_test

import (
	nethttp "net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// staffReplyAlerts returns the "new reply" alerts queued for the
// interaction behind the site's only report.
func (s *site) staffReplyAlerts() []*domain.Delivery {
	s.t.Helper()
	list := s.interactions()
	require.Len(s.t, list, 1)
	var out []*domain.Delivery
	require.NoError(s.t, s.store.View(ctx, func(tx ports.Tx) error {
		ds, err := tx.Outbox().List(ctx, ports.OutboxFilter{InteractionID: &list[0].ID})
		for _, d := range ds {
			if d.Kind == domain.DeliveryStaffReply {
				out = append(out, d)
			}
		}
		return err
	}))
	return out
}

// TestARushOfRepliesIsCappedAndAlertsCoalesce is the attack on replies:
// 100 replies to one conversation at once, through the web server, each
// of which used to store a message and email both of the inbox's people
// (200 emails). The default limit lets 20 through; the staff hear of the
// first at once and of the rest in one later alert each.
func TestARushOfRepliesIsCappedAndAlertsCoalesce(t *testing.T) {
	s := newSite(t, siteOptions{repliesPerConversation: 20})
	token := s.report("It started at lunch")

	var accepted, limited atomic.Int64
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			r := s.post("/t/"+token, url.Values{"message": {"and again"}})
			switch r.status {
			case nethttp.StatusSeeOther:
				accepted.Add(1)
			case nethttp.StatusTooManyRequests:
				limited.Add(1)
			default:
				t.Errorf("status %d", r.status)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(20), accepted.Load(), "the limit, exactly")
	assert.Equal(t, int64(80), limited.Load())

	c, err := s.svc.Reporting.Follow(ctx, token)
	require.NoError(t, err)
	assert.Equal(t, 21, len(c.Messages), "the report and 20 replies; nothing refused is stored")

	alerts := s.staffReplyAlerts()
	assert.Equal(t, 4, len(alerts), "for each of the two recipients, one alert now and one later")
	due := map[string][]int{}
	for _, d := range alerts {
		if d.NextAttemptAt.Equal(s.clock.Now()) {
			due["now"] = append(due["now"], d.Count)
		} else {
			assert.Equal(t, s.clock.Now().Add(domain.ReplyAlertWindow), d.NextAttemptAt)
			due["later"] = append(due["later"], d.Count)
		}
	}
	assert.Equal(t, map[string][]int{"now": {1, 1}, "later": {19, 19}}, due, "the later alert counts the other 19")
}

// A reply over the limit comes back as the conversation, 429, with what
// was typed still in the box, when the reporter can write again and where
// to get help now; in Welsh too. An hour on, it goes through.
func TestAReplyOverTheLimitKeepsTheText(t *testing.T) {
	s := newSite(t, siteOptions{repliesPerConversation: 2})
	token := s.report("It started at lunch")
	for range 2 {
		s.clock.add(time.Minute)
		require.Equal(t, nethttp.StatusSeeOther, s.post("/t/"+token, url.Values{"message": {"more"}}).status)
	}
	typed := "They said <they> would wait for me after school"
	r := s.post("/t/"+token, url.Values{"message": {typed}})
	assert.Equal(t, nethttp.StatusTooManyRequests, r.status)
	assertPageHeaders(t, r)
	assert.Contains(t, r.body, "You have sent a lot of messages")
	assert.Contains(t, r.body, "up to 2 messages an hour")
	assert.Contains(t, r.body, "You can write again from 5 October 2026, 11:02 BST.", "an hour after the first counted reply")
	assert.Contains(t, r.body, "Childline")
	assert.Contains(t, r.body, "999")
	assert.Regexp(t, `<textarea[^>]*>They said &lt;they&gt; would wait for me after school</textarea>`, r.body, "the text is kept")
	c, err := s.svc.Reporting.Follow(ctx, token)
	require.NoError(t, err)
	assert.Len(t, c.Messages, 3, "nothing refused is stored")

	cy := s.post("/t/"+token+"?lang=cy", url.Values{"message": {typed}, "lang": {"cy"}})
	assert.Equal(t, nethttp.StatusTooManyRequests, cy.status)
	assert.Contains(t, cy.body, `<html lang="cy">`)
	assert.Contains(t, cy.body, "Rydych chi wedi anfon llawer o negeseuon")
	assert.Contains(t, cy.body, "5 Hydref 2026, 11:02 BST")

	s.clock.add(time.Hour)
	assert.Equal(t, nethttp.StatusSeeOther, s.post("/t/"+token, url.Values{"message": {typed}}).status)
}
