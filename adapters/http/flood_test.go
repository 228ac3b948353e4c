package http_test

import (
	"context"
	nethttp "net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAFloodFromOneAddressIsCut sends 10,000 reports from one address:
// only the configured number is accepted, the rest get 429, and reports
// from another address still go through while the flood lasts.
func TestAFloodFromOneAddressIsCut(t *testing.T) {
	if testing.Short() {
		t.Skip("the flood takes a few seconds; skipped with -short")
	}
	// Refusals are held a moment, as whisperd holds them (for longer).
	s := newSite(t, siteOptions{trusted: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, reportsPerIP: 30,
		refusalDelay: time.Millisecond})
	form := url.Values{"message": {"flood"}, "category": {string(s.inbox.ID)}}
	var accepted, limited, other atomic.Int64
	var wg sync.WaitGroup
	work := make(chan int)
	for range 16 {
		wg.Go(func() {
			for range work {
				r := s.post("/r/OAK", form, "X-Forwarded-For", "198.51.100.7")
				switch r.status {
				case nethttp.StatusSeeOther:
					accepted.Add(1)
				case nethttp.StatusTooManyRequests:
					limited.Add(1)
				default:
					t.Errorf("status %d", r.status)
				}
			}
		})
	}
	for i := range 10_000 {
		work <- i
		if i%1000 == 500 {
			if s.post("/r/OAK", form, "X-Forwarded-For", "203.0.113.200").status == nethttp.StatusSeeOther {
				other.Add(1)
			}
		}
	}
	close(work)
	wg.Wait()
	assert.Equal(t, int64(30), accepted.Load(), "the limit, exactly")
	assert.Equal(t, int64(10_000-30), limited.Load())
	assert.Equal(t, int64(10), other.Load(), "another address is not held back")
	assert.Len(t, s.interactions(), 40)
}

// A report refused by a rate limit is held before its answer, so that a
// flood waits instead of taking the CPU; other addresses are answered
// meanwhile, and a client that gives up frees its request (or the test
// server's Close would wait out the hour).
func TestARefusedReportIsHeldWhileOthersAreAnswered(t *testing.T) {
	s := newSite(t, siteOptions{trusted: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, reportsPerIP: 1,
		refusalDelay: time.Hour})
	form := url.Values{"message": {"flood"}, "category": {string(s.inbox.ID)}}
	require.Equal(t, nethttp.StatusSeeOther, s.post("/r/OAK", form, "X-Forwarded-For", "198.51.100.7").status)

	held, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, err := nethttp.NewRequestWithContext(held, nethttp.MethodPost, s.srv.URL+"/r/OAK", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", "198.51.100.7")
	_, err = s.client.Do(req)
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the refusal is held, not answered")

	assert.Equal(t, nethttp.StatusSeeOther, s.post("/r/OAK", form, "X-Forwarded-For", "203.0.113.200").status,
		"another address is answered at once")
}
