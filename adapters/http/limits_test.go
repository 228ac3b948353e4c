package http_test

import (
	nethttp "net/http"
	"net/netip"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A client holding an IPv6 /64 cannot escape the per-address limit by
// rotating through its addresses: the /64 is what is counted.
func TestIPv6AddressesAreCountedByTheirPrefix(t *testing.T) {
	s := newSite(t, siteOptions{trusted: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, reportsPerIP: 2})
	form := url.Values{"message": {"rotating"}, "category": {string(s.inbox.ID)}}
	var statuses []int
	for _, addr := range []string{"2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:abcd::3", "2001:db8:1:2:ffff:ffff:ffff:ffff"} {
		statuses = append(statuses, s.post("/r/OAK", form, "X-Forwarded-For", addr).status)
	}
	assert.Equal(t, []int{nethttp.StatusSeeOther, nethttp.StatusSeeOther, nethttp.StatusTooManyRequests, nethttp.StatusTooManyRequests}, statuses,
		"one /64, one allowance")
	assert.Equal(t, nethttp.StatusSeeOther, s.post("/r/OAK", form, "X-Forwarded-For", "2001:db8:1:3::1").status, "the next /64 is another client")
	assert.Equal(t, nethttp.StatusSeeOther, s.post("/r/OAK", form, "X-Forwarded-For", "192.0.2.1").status)
	assert.Equal(t, nethttp.StatusSeeOther, s.post("/r/OAK", form, "X-Forwarded-For", "192.0.2.2").status, "IPv4 is counted by address")
}
