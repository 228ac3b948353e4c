package http

import (
	"errors"
	"html/template"
	nethttp "net/http"
	"strings"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/catalogue"
	"github.com/whisper-schools/whisper/domain"
)

// accountRoutes registers a staff member's own account: password and
// authenticator app.
func (s *Server) accountRoutes(mux *nethttp.ServeMux) {
	mux.Handle("GET /staff/account", s.staffPage(s.account))
	mux.Handle("POST /staff/account/password", s.staffPage(s.changePassword))
	mux.Handle("POST /staff/account/totp/start", s.staffPage(s.startTOTP))
	mux.Handle("POST /staff/account/totp/confirm", s.staffPage(s.confirmTOTP))
	mux.Handle("POST /staff/account/totp/disable", s.staffPage(s.disableTOTP))
	mux.Handle("POST /staff/account/recovery-codes", s.staffPage(s.newRecoveryCodes))
	mux.Handle("POST /staff/account/language", s.staffPage(s.setLanguage))
	mux.Handle("POST /staff/account/notifications", s.staffPage(s.setNotifications))
}

// The forms of the account page, so that a problem shows beside the
// right one.
const (
	formPassword = "password"
	formTOTP     = "totp"
	formDisable  = "disable"
	formRecovery = "recovery"
)

// accountPage is a staff member's own account.
type accountPage struct {
	Staff   staffChrome
	Account app.Account
	// MustEnrol is set while the organisation requires an authenticator
	// app that this member has not set up.
	MustEnrol bool
	// QR and SecretGroups show the authenticator being set up.
	QR           template.HTML
	SecretGroups string
	// NewCodes are recovery codes just made, shown this once.
	NewCodes []string
	// Form names the form whose Problems are shown; Summary links each
	// problem to its field.
	Form     string
	Problems fieldProblems
	Summary  []problemLink
	// Notifications are the member's inboxes and how they hear of each
	// (account_notifications.go).
	Notifications []inboxChoice
}

// EmailLocal and EmailDomain are the two halves of the member's address,
// so that the page can let a long one wrap at the @ on a narrow screen.
func (p accountPage) EmailLocal() string {
	local, _, _ := strings.Cut(p.Account.Staff.Email, "@")
	return local
}

// EmailDomain is the part of the address after the @.
func (p accountPage) EmailDomain() string {
	_, host, _ := strings.Cut(p.Account.Staff.Email, "@")
	return host
}

// problemLink is one line of an error summary: a problem and the id of
// the field it is about.
type problemLink struct{ ID, Text string }

// Problem returns the problem with field of form, or "".
func (p accountPage) Problem(form, field string) string {
	if p.Form != form {
		return ""
	}
	return p.Problems.Of(field)
}

// fieldIDs are the ids of the account page's fields, by form and field:
// several forms have a password field, and ids must be unique.
var fieldIDs = map[string]map[string]string{
	formPassword: {app.AuthFieldCurrent: "current", app.AuthFieldPassword: "password", app.AuthFieldConfirm: "confirm"},
	formTOTP:     {app.AuthFieldCode: "code"},
	formDisable:  {app.AuthFieldPassword: "disable-password"},
	formRecovery: {app.AuthFieldPassword: "recovery-password"},
}

func (s *Server) account(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	page, err := s.accountPage(r, a)
	if err != nil {
		return err
	}
	page.Staff.Flash = s.flash(r)
	return s.render(w, nethttp.StatusOK, "staff/account", page)
}

// accountPage builds the account page as it stands.
func (s *Server) accountPage(r *nethttp.Request, a *app.Actor) (accountPage, error) {
	acc, err := s.app.Portal.Account(r.Context(), a)
	if err != nil {
		return accountPage{}, err
	}
	page := accountPage{Staff: s.staffChrome(a, "account"), Account: acc, MustEnrol: a.MustEnrolTOTP()}
	if page.Notifications, err = s.notificationChoices(r, a); err != nil {
		return page, err
	}
	if acc.Pending != nil {
		if page.QR, err = qrSVG(acc.Pending.URL, "QR code to scan with your authenticator app. If you cannot scan it, type the key shown below instead."); err != nil {
			return page, err
		}
		page.SecretGroups = groupsOfFour(acc.Pending.Secret)
	}
	return page, nil
}

// accountProblem shows the account page again with what was wrong with
// one form: 422 for problems, 429 when password guesses must wait.
func (s *Server) accountProblem(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor, form, passwordField string, err error) error {
	status := nethttp.StatusUnprocessableEntity
	problems := staffProblems(a, domain.ProblemsOf(err))
	var throttled *app.ThrottledError
	if errors.As(err, &throttled) {
		status = nethttp.StatusTooManyRequests
		p := catalogue.For(staffLang(a))
		problems = fieldProblems{{Field: passwordField, Safe: p.T("Too many wrong passwords.") + " " + waitWords(p, throttled.Wait)}}
	} else if problems == nil {
		return err
	}
	page, perr := s.accountPage(r, a)
	if perr != nil {
		return perr
	}
	page.Form, page.Problems = form, problems
	for _, p := range problems {
		page.Summary = append(page.Summary, problemLink{ID: fieldIDs[form][p.Field], Text: p.Safe})
	}
	return s.render(w, status, "staff/account", page)
}

func (s *Server) changePassword(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	if err := parseAuthForm(w, r); err != nil {
		return err
	}
	err := s.app.Portal.ChangePassword(r.Context(), a, r.PostFormValue("current"), r.PostFormValue("password"), r.PostFormValue("confirm"))
	if err != nil {
		return s.accountProblem(w, r, a, formPassword, app.AuthFieldCurrent, err)
	}
	return s.redirectDone(w, r, "/staff/account", donePasswordChanged)
}

func (s *Server) startTOTP(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	if _, err := s.app.Portal.StartTOTP(r.Context(), a); err != nil {
		return err
	}
	// The page shows the QR code of the stored secret, so reloading it
	// shows the same code rather than making another.
	nethttp.Redirect(w, r, "/staff/account#totp", nethttp.StatusSeeOther)
	return nil
}

func (s *Server) confirmTOTP(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	if err := parseAuthForm(w, r); err != nil {
		return err
	}
	codes, err := s.app.Portal.ConfirmTOTP(r.Context(), a, r.PostFormValue("code"))
	if err != nil {
		return s.accountProblem(w, r, a, formTOTP, app.AuthFieldCode, err)
	}
	return s.showRecoveryCodes(w, r, doneTOTPOn, codes)
}

func (s *Server) disableTOTP(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	if err := parseAuthForm(w, r); err != nil {
		return err
	}
	if err := s.app.Portal.DisableTOTP(r.Context(), a, r.PostFormValue("password")); err != nil {
		return s.accountProblem(w, r, a, formDisable, app.AuthFieldPassword, err)
	}
	return s.redirectDone(w, r, "/staff/account", doneTOTPOff)
}

func (s *Server) newRecoveryCodes(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	if err := parseAuthForm(w, r); err != nil {
		return err
	}
	codes, err := s.app.Portal.NewRecoveryCodes(r.Context(), a, r.PostFormValue("password"))
	if err != nil {
		return s.accountProblem(w, r, a, formRecovery, app.AuthFieldPassword, err)
	}
	return s.showRecoveryCodes(w, r, doneRecoveryCodes, codes)
}

// showRecoveryCodes answers with the account page showing new recovery
// codes, and what was done. They are in this one response and nowhere
// else: the page is not cached and the store keeps only their hashes. So
// this page confirms in itself, without a redirect.
func (s *Server) showRecoveryCodes(w nethttp.ResponseWriter, r *nethttp.Request, what done, codes []string) error {
	// The account as it is now, not as it was when the request began.
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	page, err := s.accountPage(r, a)
	if err != nil {
		return err
	}
	page.Staff.Flash, page.NewCodes = confirmations[what], codes
	return s.render(w, nethttp.StatusOK, "staff/account", page)
}

// groupsOfFour writes a secret as "ABCD EFGH …", easier to type.
func groupsOfFour(secret string) string {
	var b strings.Builder
	for i, r := range secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// setLanguage remembers the language the member chose, from the switch on
// every page or the account page, and shows the account page in it.
func (s *Server) setLanguage(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	lang, _ := parseLang(r.PostFormValue("lang"))
	if err := s.app.Portal.SetLanguage(r.Context(), a, lang); err != nil {
		return err
	}
	return s.redirectDone(w, r, "/staff/account", doneLanguage)
}
