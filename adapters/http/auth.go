package http

import (
	"errors"
	nethttp "net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/catalogue"
	"github.com/whisper-schools/whisper/domain"
)

// maxAuthFormBytes bounds the sign-in and password forms: a 256-character
// password in the widest UTF-8, form-encoded, fits several times over.
const maxAuthFormBytes = 16 << 10

// authRoutes registers sign-in, sign-out, set-password and account routes.
func (s *Server) authRoutes(mux *nethttp.ServeMux) {
	mux.Handle("GET /staff/login", s.staffPublic(s.loginForm))
	mux.Handle("POST /staff/login", s.staffPublic(s.login))
	mux.Handle("POST /staff/logout", s.staffPublic(s.logout))
	s.ssoRoutes(mux)
	mux.Handle("GET /staff/set-password/{token}", s.staffPublic(s.setPasswordForm))
	mux.Handle("POST /staff/set-password/{token}", s.staffPublic(s.setPassword))
	s.accountRoutes(mux)
}

// loginPage is the sign-in form.
type loginPage struct {
	Staff staffChrome
	Email string
	// Failed is why the last attempt was refused: the same words whether
	// or not the account exists.
	Failed string
	// SSO asks for the email address first, for staff whose school signs
	// them in through its own provider.
	SSO bool
}

func (s *Server) loginForm(w nethttp.ResponseWriter, r *nethttp.Request) error {
	if _, err := s.actor(r); err == nil {
		nethttp.Redirect(w, r, "/staff/", nethttp.StatusSeeOther)
		return nil
	}
	page := loginPage{Staff: s.publicStaffChrome(r, ""), Email: r.URL.Query().Get("email")}
	page.Staff.Flash = s.flash(r)
	if len(page.Email) > domain.MaxEmail {
		page.Email = ""
	}
	var err error
	if page.SSO, err = s.app.Portal.SSOOffered(r.Context()); err != nil {
		return err
	}
	return s.render(w, nethttp.StatusOK, "staff/login", page)
}

func (s *Server) login(w nethttp.ResponseWriter, r *nethttp.Request) error {
	if err := parseAuthForm(w, r); err != nil {
		return err
	}
	in := app.SignIn{
		Email: r.PostFormValue("email"), Password: r.PostFormValue("password"), Code: r.PostFormValue("code"),
		IP: clientIP(r, s.cfg.TrustedProxies),
	}
	if c, err := r.Cookie(s.sessionCookie()); err == nil {
		in.Previous = c.Value
	}
	if c, err := r.Cookie(s.deviceCookie()); err == nil {
		in.Device = c.Value
	}
	signedIn, err := s.app.Portal.SignIn(r.Context(), in)
	var err2 error
	page := loginPage{Staff: s.publicStaffChrome(r, ""), Email: in.Email}
	p := catalogue.For(page.Staff.Lang)
	if err != nil {
		if page.SSO, err2 = s.app.Portal.SSOOffered(r.Context()); err2 != nil {
			return err2
		}
	}
	var throttled *app.ThrottledError
	switch {
	case errors.Is(err, app.ErrSSORequired):
		nethttp.Redirect(w, r, "/staff/sso/start?"+url.Values{"email": {in.Email}}.Encode(), nethttp.StatusSeeOther)
		return nil
	case errors.As(err, &throttled):
		w.Header().Set("Retry-After", strconv.Itoa(int((throttled.Wait+time.Second-1)/time.Second)))
		page.Failed = p.T("Too many attempts.") + " " + waitWords(p, throttled.Wait)
		return s.render(w, nethttp.StatusTooManyRequests, "staff/login", page)
	case errors.Is(err, app.ErrSignInFailed):
		page.Failed = p.Say(domain.SafeWords(err))
		return s.render(w, nethttp.StatusUnauthorized, "staff/login", page)
	case errors.Is(err, app.ErrHashingBusy):
		w.Header().Set("Retry-After", "60")
		page.Failed = p.Say(domain.SafeWords(err))
		return s.render(w, nethttp.StatusServiceUnavailable, "staff/login", page)
	case err != nil:
		return err
	}
	s.setSession(w, signedIn.Token)
	s.setDevice(w, signedIn.Device)
	nethttp.Redirect(w, r, "/staff/", nethttp.StatusSeeOther)
	return nil
}

// deviceCookie is the device cookie's name: with the __Secure- prefix over
// HTTPS (not __Host-, which would need Path=/).
func (s *Server) deviceCookie() string {
	if s.secureCookies() {
		return "__Secure-whisper_device"
	}
	return "whisper_device"
}

// setDevice hands the browser a device cookie (see app/device.go). It is
// sent only to the staff portal, never across sites, and outlives the
// session: signing out does not touch it, or it would be gone exactly
// when it is needed, the next morning.
func (s *Server) setDevice(w nethttp.ResponseWriter, value string) {
	nethttp.SetCookie(w, &nethttp.Cookie{
		Name: s.deviceCookie(), Value: value, Path: "/staff/", MaxAge: int(app.DeviceCookieLifetime / time.Second),
		HttpOnly: true, Secure: s.secureCookies(), SameSite: nethttp.SameSiteStrictMode,
	})
}

// waitWords says how long to wait, in whole minutes: a countdown in
// seconds would invite retrying on the dot.
func waitWords(p *catalogue.Printer, d time.Duration) string {
	n := int((d + time.Minute - 1) / time.Minute)
	if n <= 1 {
		return p.T("Wait 1 minute, then try again.")
	}
	return p.T("Wait %d minutes, then try again.", n)
}

// logout ends the browser's session on the server, whoever it belonged
// to, and forgets it in the browser.
func (s *Server) logout(w nethttp.ResponseWriter, r *nethttp.Request) error {
	if c, err := r.Cookie(s.sessionCookie()); err == nil {
		if err := s.app.Portal.EndSession(r.Context(), c.Value); err != nil {
			return err
		}
	}
	s.setSession(w, "")
	nethttp.Redirect(w, r, "/staff/login", nethttp.StatusSeeOther)
	return nil
}

// setPasswordPage lets the holder of a set-password link choose a
// password, or says that the link does not work.
type setPasswordPage struct {
	Staff    staffChrome
	Token    string
	Who      app.PasswordLinkFor
	Problems fieldProblems
	// Dead is set when the link is unknown, expired or used.
	Dead bool
}

func (s *Server) setPasswordForm(w nethttp.ResponseWriter, r *nethttp.Request) error {
	token := r.PathValue("token")
	who, err := s.app.Portal.PasswordLink(r.Context(), token)
	if err != nil {
		return s.deadLink(w, r, err)
	}
	return s.render(w, nethttp.StatusOK, "staff/set-password", setPasswordPage{Staff: s.publicStaffChrome(r, who.Language), Token: token, Who: who})
}

func (s *Server) setPassword(w nethttp.ResponseWriter, r *nethttp.Request) error {
	if err := parseAuthForm(w, r); err != nil {
		return err
	}
	token := r.PathValue("token")
	err := s.app.Portal.SetPassword(r.Context(), token, r.PostFormValue("password"), r.PostFormValue("confirm"))
	if problems := domain.ProblemsOf(err); problems != nil {
		who, err := s.app.Portal.PasswordLink(r.Context(), token)
		if err != nil {
			return s.deadLink(w, r, err)
		}
		// The passwords are not sent back: they would sit in the page.
		c := s.publicStaffChrome(r, who.Language)
		return s.render(w, nethttp.StatusUnprocessableEntity, "staff/set-password", setPasswordPage{
			Staff: c, Token: token, Who: who, Problems: sayProblems(catalogue.For(c.Lang), problems),
		})
	}
	if err != nil {
		return s.deadLink(w, r, err)
	}
	return s.redirectDone(w, r, "/staff/login", donePasswordSet)
}

// deadLink answers a set-password link that cannot be used: unknown,
// expired and used links look the same, and one used in another tab just
// now is a conflict. Other errors pass through.
func (s *Server) deadLink(w nethttp.ResponseWriter, r *nethttp.Request, err error) error {
	status := nethttp.StatusNotFound
	switch {
	case errors.Is(err, app.ErrPasswordLinkDead):
	case domain.KindOf(err) == domain.KindConflict:
		status = nethttp.StatusConflict
	default:
		return err
	}
	return s.render(w, status, "staff/set-password", setPasswordPage{Staff: s.publicStaffChrome(r, ""), Dead: true})
}

// parseAuthForm reads a small form.
func parseAuthForm(w nethttp.ResponseWriter, r *nethttp.Request) error {
	r.Body = nethttp.MaxBytesReader(w, r.Body, maxAuthFormBytes)
	if err := r.ParseForm(); err != nil {
		return domain.Errorf(domain.KindInvalid, "The form could not be read. Please go back and try again.")
	}
	return nil
}
