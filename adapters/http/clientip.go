package http

import (
	nethttp "net/http"
	"net/netip"
	"strings"
)

// clientIP is the address a request came from: the socket's peer, or, when
// that peer is one of our own trusted proxies, the address the proxies say
// they received it from. X-Forwarded-For is read from the right, skipping
// trusted proxies, so a client cannot forge its address by adding entries
// of its own on the left.
func clientIP(r *nethttp.Request, trusted []netip.Prefix) netip.Addr {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	addr := peer.Addr().Unmap()
	if !isTrusted(addr, trusted) {
		return addr
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			// A malformed hop ends what can be believed.
			return addr
		}
		addr = hop.Unmap()
		if !isTrusted(addr, trusted) {
			return addr
		}
	}
	return addr
}

func isTrusted(addr netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
