package http

import (
	"errors"
	nethttp "net/http"
	"strings"
	"time"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/catalogue"
	"github.com/whisper-schools/whisper/domain"
)

// staffChrome is what the staff layout needs. Every staff page's view
// embeds it as the field Staff.
type staffChrome struct {
	SignedIn  bool
	FirstName string
	OrgName   string
	Admin     bool
	// Section marks the current part of the portal in the navigation:
	// "cases", "stats", "admin" or "account".
	Section string
	// Flash is a one-line confirmation of what was just done (see
	// flash.go).
	Flash string
	// Trial, for admins of an organisation on trial, says when it ends.
	Trial *trialBanner
	// Lang is the language of the page: the member's own choice, English
	// before sign-in. Switch is the other language, and SwitchName its
	// name in itself, for the button that switches to it.
	Lang       domain.Language
	Switch     domain.Language
	SwitchName string
	// SwitchLink, before sign-in, is the link to this page in the other
	// language (see publicStaffChrome); signed in, the switch is a button.
	SwitchLink string
}

// trialBanner is the end of the organisation's trial, as its admins see it
// on every page.
type trialBanner struct {
	// LastDay is a moment on the trial's last day, in the service's time
	// zone; DaysLeft counts it and the days before it, from today.
	LastDay  time.Time
	DaysLeft int
	Ended    bool
}

func (s *Server) staffChrome(a *app.Actor, section string) staffChrome {
	lang := staffLang(a)
	c := staffChrome{Section: section, Lang: lang, Switch: otherLang(lang), SwitchName: catalogue.Name(otherLang(lang))}
	if a == nil {
		return c
	}
	c.SignedIn, c.FirstName, c.OrgName, c.Admin = true, a.Staff.FirstName, a.Org.Name, a.IsAdmin()
	if left, ok := a.Org.TrialDaysLeft(s.cfg.Now()); ok && c.Admin {
		c.Trial = &trialBanner{LastDay: s.app.Zone.LastDay(*a.Org.TrialEndsAt), DaysLeft: left, Ended: left == 0}
	}
	return c
}

// staffLang is the language of a's pages and emails: their own choice,
// or English before anyone has signed in.
func staffLang(a *app.Actor) domain.Language {
	if a != nil && a.Staff.Language == domain.Welsh {
		return domain.Welsh
	}
	return domain.English
}

// otherLang is the language a page switches to from lang.
func otherLang(lang domain.Language) domain.Language {
	if lang == domain.Welsh {
		return domain.English
	}
	return domain.Welsh
}

// staffHandler is a staff route that needs a signed-in actor.
type staffHandler func(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error

// secureCookies says whether the portal is served over HTTPS, so its
// cookie can carry Secure and the __Host- prefix.
func (s *Server) secureCookies() bool { return strings.HasPrefix(s.cfg.PublicURL, "https://") }

// sessionCookie is the cookie's name: with the __Host- prefix over HTTPS,
// which browsers bind to this host, path / and Secure.
func (s *Server) sessionCookie() string {
	if s.secureCookies() {
		return "__Host-whisper_session"
	}
	return "whisper_session"
}

// setSession hands the browser a session; an empty token ends it.
func (s *Server) setSession(w nethttp.ResponseWriter, token domain.Token) {
	c := &nethttp.Cookie{
		Name: s.sessionCookie(), Value: string(token), Path: "/",
		HttpOnly: true, Secure: s.secureCookies(), SameSite: nethttp.SameSiteLaxMode,
	}
	if token == "" {
		c.MaxAge = -1
	}
	nethttp.SetCookie(w, c)
}

// actor returns the signed-in staff member behind the request, or
// app.ErrNotSignedIn.
func (s *Server) actor(r *nethttp.Request) (*app.Actor, error) {
	c, err := r.Cookie(s.sessionCookie())
	if err != nil {
		return nil, app.ErrNotSignedIn
	}
	return s.app.Portal.Authenticate(r.Context(), c.Value)
}

// staffPage serves a staff route: without a live session it sends the
// browser to sign in and does nothing else; errors become staff pages.
// A member whose organisation requires an authenticator app they have not
// set up is sent to their account page to set it up, and may go nowhere
// else until they have.
func (s *Server) staffPage(h staffHandler) nethttp.Handler {
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		s.forgetFlash(w, r)
		a, err := s.actor(r)
		if errors.Is(err, app.ErrNotSignedIn) {
			s.setSession(w, "")
			nethttp.Redirect(w, r, "/staff/login", nethttp.StatusSeeOther)
			return
		}
		if err == nil && a.MustEnrolTOTP() && !allowedBeforeEnrolment(r.URL.Path) {
			nethttp.Redirect(w, r, "/staff/account", nethttp.StatusSeeOther)
			return
		}
		if err == nil {
			err = h(w, r, a)
		}
		if err != nil {
			s.renderStaffError(w, r, a, err)
		}
	})
}

// allowedBeforeEnrolment says whether path is one of the few a member who
// must set up an authenticator app may use first: their account page, and
// signing out.
func allowedBeforeEnrolment(path string) bool {
	return path == "/staff/account" || strings.HasPrefix(path, "/staff/account/") || path == "/staff/logout"
}

// staffPublic serves a staff route that needs no session: signing in and
// choosing a password. Errors become staff pages without the portal's
// navigation.
func (s *Server) staffPublic(h handlerFunc) nethttp.Handler {
	// A ?lang choice is remembered as on the reporter's pages.
	return s.withLanguage(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		s.forgetFlash(w, r)
		if err := h(w, r); err != nil {
			s.renderStaffError(w, r, nil, err)
		}
	}))
}

// staffMessage is a staff page of a heading and paragraphs.
type staffMessage struct {
	Staff      staffChrome
	Heading    string
	Paragraphs []string
}

// renderStaffError answers a staff route's error with a page. Anything
// another organisation's or another inbox's is simply not found.
func (s *Server) renderStaffError(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor, err error) {
	status := statusOf(err)
	page := staffMessage{Staff: s.staffChrome(a, "")}
	if a == nil {
		page.Staff = s.publicStaffChrome(r, "")
	}
	p := catalogue.For(page.Staff.Lang)
	switch status {
	case nethttp.StatusNotFound, nethttp.StatusForbidden:
		status = nethttp.StatusNotFound
		page.Heading = p.T("Not found")
		page.Paragraphs = []string{p.T("There is nothing here that you can see. It may belong to another inbox, or the address may be wrong.")}
	case nethttp.StatusBadRequest, nethttp.StatusConflict:
		page.Heading = p.T("That could not be done")
		page.Paragraphs = []string{p.Say(domain.SafeWords(err))}
	case nethttp.StatusServiceUnavailable:
		page.Heading = p.T("Whisper is busy")
		page.Paragraphs = []string{p.T("Please try again in a minute.")}
	default:
		s.logFailure(r, status, err)
		page.Heading = p.T("Sorry, something went wrong")
		page.Paragraphs = []string{p.T("Please try again.")}
	}
	if err := s.render(w, status, "staff/message", page); err != nil {
		s.renderError(w, r, err)
	}
}
