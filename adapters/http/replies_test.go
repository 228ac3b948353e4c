package http_test

import (
	nethttp "net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"

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

// TestARushOfRepliesIsCappedAndAlertsCoalesce is the attack of issue #15:
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

	c, err := s.svc.Conversation(ctx, token)
	require.NoError(t, err)
	assert.Equal(t, 21, len(c.Messages), "the report and 20 replies; nothing refused is stored")

	alerts := s.staffReplyAlerts()
	assert.Equal(t, 4, len(alerts), "for each of the two recipients, one alert now and one later")
}
