package http_test

import (
	nethttp "net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A captured webhook replayed later is refused however long after, and
// after housekeeping has run: its nonce is never forgotten.
func TestPlivoWebhookReplayIsRefusedForever(t *testing.T) {
	c := newCarrierSite(t, false)
	captured := c.signedV3("uuid-captured", "447700900123", "OAK someone keeps following me home")
	require.Equal(t, nethttp.StatusOK, c.send(captured))
	require.Len(t, c.interactions(), 1)
	sent := c.deliveries()

	assert.Equal(t, nethttp.StatusForbidden, c.send(captured), "at once")
	for _, later := range []time.Duration{25 * time.Hour, 8 * 24 * time.Hour, 400 * 24 * time.Hour} {
		c.clock.add(later)
		c.housekeep()
		assert.Equal(t, nethttp.StatusForbidden, c.send(captured), "%s later, after housekeeping", later)
	}
	assert.Len(t, c.interactions(), 1, "no second report")
	assert.Equal(t, 1, c.messages(), "nothing added to the report")
	assert.Equal(t, sent, c.deliveries(), "nothing sent again")
}

// A text the carrier delivers again, with a fresh and valid signature, is
// never handled twice however long after: answered 200 so the carrier
// stops, with nothing stored and nothing sent.
func TestPlivoCarrierIDIsHandledOnceEver(t *testing.T) {
	c := newCarrierSite(t, false)
	require.Equal(t, nethttp.StatusOK, c.send(c.signedV3("uuid-once", "447700900123", "OAK someone keeps following me home")))
	require.Len(t, c.interactions(), 1)
	sent := c.deliveries()
	for _, later := range []time.Duration{0, 25 * time.Hour, 8 * 24 * time.Hour, 400 * 24 * time.Hour} {
		c.clock.add(later)
		c.housekeep()
		assert.Equal(t, nethttp.StatusOK, c.send(c.signedV3("uuid-once", "447700900123", "OAK someone keeps following me home")),
			"%s later, after housekeeping", later)
		assert.Equal(t, nethttp.StatusOK, c.send(c.signedV3("uuid-once", "447700900123", "and it happened again")),
			"%s later, as a continuation", later)
	}
	assert.Len(t, c.interactions(), 1, "no second report")
	assert.Equal(t, 1, c.messages(), "nothing added to the report")
	assert.Equal(t, sent, c.deliveries(), "nothing sent again")
}
