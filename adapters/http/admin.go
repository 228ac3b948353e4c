package http

import (
	nethttp "net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// adminRoutes registers the admin pages under /staff/admin/. Every page
// and action asks the app, which answers 404 to anyone but the
// organisation's admins and for anything of another organisation.
func (s *Server) adminRoutes(mux *nethttp.ServeMux) {
	mux.Handle("GET /staff/admin/{$}", s.staffPage(s.adminHome))

	mux.Handle("GET /staff/admin/forms", s.staffPage(s.adminForms))
	mux.Handle("GET /staff/admin/forms/new", s.staffPage(s.adminNewForm))
	mux.Handle("POST /staff/admin/forms/new", s.staffPage(s.adminCreateForm))
	mux.Handle("GET /staff/admin/forms/{id}", s.staffPage(s.adminForm))
	mux.Handle("POST /staff/admin/forms/{id}", s.staffPage(s.adminUpdateForm))
	mux.Handle("POST /staff/admin/forms/{id}/open", s.staffPage(s.adminSetFormOpen(true)))
	mux.Handle("POST /staff/admin/forms/{id}/close", s.staffPage(s.adminSetFormOpen(false)))
	mux.Handle("POST /staff/admin/forms/{id}/inboxes", s.staffPage(s.adminCreateInbox))

	mux.Handle("GET /staff/admin/inboxes/{id}", s.staffPage(s.adminInbox))
	mux.Handle("POST /staff/admin/inboxes/{id}", s.staffPage(s.adminUpdateInbox))
	for _, change := range []domain.InboxChange{domain.InboxUp, domain.InboxDown, domain.InboxTexts, domain.InboxArchive, domain.InboxUnarchive} {
		mux.Handle("POST /staff/admin/inboxes/{id}/"+string(change), s.staffPage(s.adminArrangeInbox(change)))
	}

	mux.Handle("GET /staff/admin/staff", s.staffPage(s.adminStaff))
	mux.Handle("GET /staff/admin/staff/new", s.staffPage(s.adminNewMember))
	mux.Handle("POST /staff/admin/staff/new", s.staffPage(s.adminInvite))
	mux.Handle("GET /staff/admin/staff/{id}", s.staffPage(s.adminMember))
	mux.Handle("POST /staff/admin/staff/{id}", s.staffPage(s.adminUpdateMember))
	mux.Handle("POST /staff/admin/staff/{id}/remove", s.staffPage(s.adminRemoveMember))
	mux.Handle("POST /staff/admin/staff/{id}/details", s.staffPage(s.adminUpdateMemberDetails))
	mux.Handle("POST /staff/admin/staff/{id}/invitation", s.staffPage(s.adminMemberAccess(resendInvitation, doneInvitationResent)))
	mux.Handle("POST /staff/admin/staff/{id}/password-reset", s.staffPage(s.adminMemberAccess(sendPasswordReset, doneResetSent)))
	mux.Handle("POST /staff/admin/staff/{id}/authenticator-reset", s.staffPage(s.adminMemberAccess(resetAuthenticator, doneAuthenticatorReset)))

	mux.Handle("GET /staff/admin/settings", s.staffPage(s.adminSettings))
	mux.Handle("POST /staff/admin/settings", s.staffPage(s.adminUpdateSettings))
}

// adminChrome is the staff chrome for an admin page, with the confirmation
// of the action that led here, if any.
func (s *Server) adminChrome(a *app.Actor, r *nethttp.Request) staffChrome {
	c := s.staffChrome(a, "admin")
	c.Flash = s.flash(r)
	return c
}

// parseAdminForm reads a POSTed admin form, bounded like a reporter's.
func parseAdminForm(w nethttp.ResponseWriter, r *nethttp.Request) error {
	r.Body = nethttp.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return &domain.Error{Kind: domain.KindInvalid, Safe: domain.Say("the form could not be read; it may be too long"), Err: err}
	}
	return nil
}

// adminHomePage is the admin overview.
type adminHomePage struct {
	Staff staffChrome
	Org   *domain.Organisation
}

func (s *Server) adminHome(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	org, err := s.app.Admin.Organisation(r.Context(), a)
	if err != nil {
		return err
	}
	return s.render(w, nethttp.StatusOK, "staff/admin", adminHomePage{Staff: s.adminChrome(a, r), Org: org})
}

// adminProblems returns the field problems in err, if any, each starting
// with a capital letter: on the page each stands alone as a sentence.
func adminProblems(a *app.Actor, err error) fieldProblems {
	out := staffProblems(a, domain.ProblemsOf(err))
	for i, p := range out {
		if r, n := utf8.DecodeRuneInString(p.Safe); n > 0 {
			out[i].Safe = strings.TrimSuffix(string(unicode.ToUpper(r))+p.Safe[n:], ".") + "."
		}
	}
	return out
}
