package http_test

import (
	nethttp "net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzReportForm posts arbitrary form fields to a real site: no input may
// cause a server error, and whatever was typed is shown back escaped —
// between two markers, the raw text never appears when it holds markup.
func FuzzReportForm(f *testing.F) {
	f.Add("Sam", "sam@example.org", "Someone took my bag", "")
	f.Add("<b>x</b>", "not an email", "<script>alert(1)</script>", "inb_x")
	f.Add("", "", "", "")
	f.Add("\x00", "a@b.c\r\nBcc: x@y.z", "&amp; \"quoted\" 'single'", "category")
	site := newSite(f, siteOptions{})
	f.Fuzz(func(t *testing.T, name, email, message, category string) {
		// The site reports through the fuzz case's own t.
		s := *site
		s.t = t
		if category == "" {
			category = string(s.inbox.ID)
		}
		marked := "ZQXMARK" + message + "ZQXMARK"
		r := s.post("/r/OAK", url.Values{"name": {name}, "email": {email}, "message": {marked}, "category": {category}})
		switch r.status {
		case nethttp.StatusSeeOther:
			r = s.get(r.header.Get("Location"))
			if r.status != nethttp.StatusOK {
				t.Fatalf("the conversation answered %d", r.status)
			}
		case nethttp.StatusUnprocessableEntity, nethttp.StatusForbidden, nethttp.StatusTooManyRequests:
		default:
			t.Fatalf("name %q email %q message %q category %q: status %d", name, email, message, category, r.status)
		}
		if strings.ContainsAny(message, "<>&\"'") && strings.Contains(r.body, marked) {
			t.Fatalf("%q was shown unescaped", message)
		}
	})
}
