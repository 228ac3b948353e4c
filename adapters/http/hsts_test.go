package http_test

import (
	nethttp "net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
)

// hstsRequests are requests of every kind the edge answers: pages, plain
// text, static files, misses, refusals and redirects.
func hstsRequests(p *portal) map[string]func() response {
	anon := p.anonymous()
	return map[string]func() response{
		"form page":        func() response { return p.get("/r/OAK") },
		"notice":           func() response { return p.get("/notice") },
		"redirect":         func() response { return p.get("/") },
		"missing page":     func() response { return p.get("/t/nothing-here") },
		"stylesheet":       func() response { return p.get("/static/whisper.css") },
		"healthz":          func() response { return p.get("/healthz") },
		"metrics (gone)":   func() response { return p.get("/metrics") },
		"unsigned webhook": func() response { return p.post("/sms/plivo", url.Values{"Text": {"hi"}}) },
		"staff sign-in":    func() response { return anon.get("/staff/login") },
		"staff redirect":   func() response { return anon.get("/staff/") },
		"bad report":       func() response { return p.post("/r/OAK", url.Values{"message": {""}}) },
		"wrong method":     func() response { return anon.do(nethttp.MethodDelete, "/healthz", nil) },
	}
}

func TestHTTPSSitesSendStrictTransportSecurityOnEveryResponse(t *testing.T) {
	p := newPortal(t) // public_url https://whisper.example.org
	for name, req := range hstsRequests(p) {
		r := req()
		// Two years, the subdomains too (ASVS 5.0 3.4.1, level 2).
		assert.Equal(t, "max-age=63072000; includeSubDomains", r.header.Get("Strict-Transport-Security"), "%s (%d)", name, r.status)
	}
}

func TestPlainHTTPSitesSendNoStrictTransportSecurity(t *testing.T) {
	p := newPortalWith(t, siteOptions{publicURL: "http://localhost:8080"})
	for name, req := range hstsRequests(p) {
		r := req()
		assert.Empty(t, r.header.Get("Strict-Transport-Security"), "%s (%d)", name, r.status)
	}
}
