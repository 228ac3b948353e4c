package http

import (
	"errors"
	nethttp "net/http"
	"net/url"
	"time"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/catalogue"
	"github.com/whisper-schools/whisper/domain"
)

// ssoRoutes registers signing in at a school's own OpenID provider.
func (s *Server) ssoRoutes(mux *nethttp.ServeMux) {
	mux.Handle("GET /staff/sso/start", s.staffPublic(s.ssoStart))
	mux.Handle("GET "+app.SSOCallbackPath, s.staffPublic(s.ssoCallback))
}

// ssoStateCookie holds a sign-in's state while the browser is at the
// provider, so that the return is accepted only into the browser that
// left: a link to the callback sent to someone else signs no one in.
func (s *Server) ssoStateCookie() string {
	if s.secureCookies() {
		return "__Secure-whisper_sso"
	}
	return "whisper_sso"
}

// setSSOState hands the browser a sign-in's state; an empty one forgets
// it. SameSite=Lax, because the provider's redirect back is a top-level
// navigation from another site.
func (s *Server) setSSOState(w nethttp.ResponseWriter, state string) {
	c := &nethttp.Cookie{
		Name: s.ssoStateCookie(), Value: state, Path: "/staff/sso/", MaxAge: int(domain.SSOStateLifetime / time.Second),
		HttpOnly: true, Secure: s.secureCookies(), SameSite: nethttp.SameSiteLaxMode,
	}
	if state == "" {
		c.MaxAge = -1
	}
	nethttp.SetCookie(w, c)
}

// ssoStart sends the browser to the provider of the email's school, or,
// when its domain has none, back to sign in with a password.
func (s *Server) ssoStart(w nethttp.ResponseWriter, r *nethttp.Request) error {
	email := r.URL.Query().Get("email")
	if len(email) > domain.MaxEmail {
		email = ""
	}
	started, err := s.app.Portal.StartSSO(r.Context(), email)
	if domain.KindOf(err) == domain.KindNotFound {
		nethttp.Redirect(w, r, "/staff/login?"+url.Values{"email": {email}}.Encode(), nethttp.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	s.setSSOState(w, started.State)
	nethttp.Redirect(w, r, started.URL, nethttp.StatusSeeOther)
	return nil
}

// ssoCallback is the provider's return: a session, as a password sign-in
// gives, and the portal.
func (s *Server) ssoCallback(w nethttp.ResponseWriter, r *nethttp.Request) error {
	q := r.URL.Query()
	in := app.SSOCallback{State: q.Get("state"), Code: q.Get("code"), ProviderError: q.Get("error")}
	if c, err := r.Cookie(s.ssoStateCookie()); err == nil {
		in.BrowserState = c.Value
	}
	if c, err := r.Cookie(s.sessionCookie()); err == nil {
		in.Previous = c.Value
	}
	// Whatever happens, this state is spent.
	s.setSSOState(w, "")
	signedIn, err := s.app.Portal.FinishSSO(r.Context(), in)
	if errors.Is(err, app.ErrSSOFailed) {
		s.log.Info("single sign-on refused", "err", err)
		c := s.publicStaffChrome(r, "")
		page := loginPage{Staff: c, SSO: true, Failed: catalogue.For(c.Lang).Say(domain.SafeWords(err))}
		return s.render(w, nethttp.StatusForbidden, "staff/login", page)
	}
	if err != nil {
		return err
	}
	s.setSession(w, signedIn.Token)
	s.setDevice(w, signedIn.Device)
	nethttp.Redirect(w, r, "/staff/", nethttp.StatusSeeOther)
	return nil
}
