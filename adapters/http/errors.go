package http

import (
	"errors"
	"log/slog"
	nethttp "net/http"

	"github.com/whisper-schools/whisper/domain"
)

// statusOf is the one table from error kinds to HTTP statuses. Reporter
// pages answer 404 for Forbidden too, so that a link that exists and one
// that does not look the same; they map that themselves before rendering.
func statusOf(err error) int {
	switch domain.KindOf(err) {
	case domain.KindInvalid:
		return nethttp.StatusBadRequest
	case domain.KindNotFound:
		return nethttp.StatusNotFound
	case domain.KindConflict:
		return nethttp.StatusConflict
	case domain.KindForbidden:
		return nethttp.StatusForbidden
	case domain.KindUnavailable:
		return nethttp.StatusServiceUnavailable
	default:
		return nethttp.StatusInternalServerError
	}
}

// renderError answers with the status of err's kind and its safe message.
// Only server-side failures are logged, and then with the route, never the
// URL: a conversation link's token is in its path.
func (s *Server) renderError(w nethttp.ResponseWriter, r *nethttp.Request, err error) {
	status := statusOf(err)
	if status >= 500 {
		s.logFailure(r, status, err)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write([]byte(english.Say(domain.SafeWords(err)) + "\n"))
}

// renderErrorPage answers a page route's error with a page. A reporter
// cannot tell a link that exists but is refused from one that never
// existed: both are the same 404 page.
func (s *Server) renderErrorPage(w nethttp.ResponseWriter, r *nethttp.Request, err error) {
	status := statusOf(err)
	// A miss has no form to take a language from: it is in the language
	// the reporter chose or their browser asks for, else English, so that
	// a conversation link that does not exist reads like any other miss.
	c := s.chrome(lang(r, ""), "")
	page := messagePage{chrome: c}
	switch status {
	case nethttp.StatusNotFound, nethttp.StatusForbidden:
		status = nethttp.StatusNotFound
		page.Heading = c.p.T("We could not find that page")
		page.Paragraphs = []string{
			c.p.T("Check that the address is complete. A conversation link is long, and it only works if all of it is copied."),
			c.p.T("If you were sent a link to your school's form, ask the school for it again."),
		}
	case nethttp.StatusServiceUnavailable:
		page.Heading = c.p.T("Whisper is busy")
		page.Paragraphs = []string{c.p.T("Please try again in a minute. Nothing you sent has been lost.")}
	case nethttp.StatusBadRequest, nethttp.StatusConflict:
		page.Heading = c.p.T("Something was wrong with that request")
		page.Paragraphs = []string{c.p.Say(domain.SafeWords(err))}
	default:
		s.logFailure(r, status, err)
		page.Heading = c.p.T("Sorry, something went wrong")
		page.Paragraphs = []string{c.p.T("Please try again. If it keeps happening, come back later.")}
	}
	if u := (unsent{}); errors.As(err, &u) {
		// The help now comes with what was typed.
		page.Refused, page.Kept = true, u.text
	} else {
		page.Paragraphs = append(page.Paragraphs, c.p.T("If someone is in danger right now, call 999."))
	}
	if err := s.render(w, status, "message", page); err != nil {
		s.renderError(w, r, err)
	}
}

// logFailure logs a server-side failure with its route pattern, never the
// URL: a conversation link's token is in its path.
func (s *Server) logFailure(r *nethttp.Request, status int, err error) {
	s.log.Error("request failed", slog.String("route", r.Pattern), slog.Int("status", status), slog.Any("error", err))
}
