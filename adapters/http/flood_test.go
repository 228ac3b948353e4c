package http_test

import (
	nethttp "net/http"
	"net/netip"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestAFloodFromOneAddressIsCut sends 10,000 reports from one address:
// only the configured number is accepted, the rest get 429, and reports
// from another address still go through while the flood lasts.
func TestAFloodFromOneAddressIsCut(t *testing.T) {
	if testing.Short() {
		t.Skip("the flood takes a few seconds; skipped with -short")
	}
	s := newSite(t, siteOptions{trusted: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, reportsPerIP: 30})
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
