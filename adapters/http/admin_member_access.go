package http

import (
	nethttp "net/http"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// The member page's ways back in for a member who is locked out, and the
// correction of their name and address.

func (s *Server) adminUpdateMemberDetails(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	if err := parseAdminForm(w, r); err != nil {
		return err
	}
	id := domain.StaffID(r.PathValue("id"))
	in := app.MemberDetails{FirstName: r.PostFormValue("first_name"), LastName: r.PostFormValue("last_name"), Email: r.PostFormValue("email")}
	_, err := s.app.Admin.UpdateMemberDetails(r.Context(), a, id, in)
	if problems := adminProblems(a, err); problems != nil {
		return s.memberPageWith(w, r, a, id, func(page *adminMemberPage) { page.Details, page.Problems = in, problems })
	}
	if err != nil {
		return err
	}
	return s.redirectDone(w, r, "/staff/admin/staff/"+string(id), doneMemberSaved)
}

// adminMemberAccess answers one of the buttons that let a member back in:
// act is the use case, shown is the confirmation. A refusal that the page
// should not have offered (a reset for a member with no password yet)
// comes back as a problem beside the buttons.
func (s *Server) adminMemberAccess(act func(*app.Admin) func(r *nethttp.Request, a *app.Actor, id domain.StaffID) error, shown done) staffHandler {
	return func(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
		id := domain.StaffID(r.PathValue("id"))
		err := act(s.app.Admin)(r, a, id)
		if domain.KindOf(err) == domain.KindConflict {
			problems := adminProblems(a, domain.Problems{{Field: "access", Safe: domain.SafeWords(err)}}.Invalid())
			return s.memberPageWith(w, r, a, id, func(page *adminMemberPage) { page.Problems = problems })
		}
		if err != nil {
			return err
		}
		return s.redirectDone(w, r, "/staff/admin/staff/"+string(id), shown)
	}
}

func resendInvitation(ad *app.Admin) func(*nethttp.Request, *app.Actor, domain.StaffID) error {
	return func(r *nethttp.Request, a *app.Actor, id domain.StaffID) error {
		return ad.ResendInvitation(r.Context(), a, id)
	}
}

func sendPasswordReset(ad *app.Admin) func(*nethttp.Request, *app.Actor, domain.StaffID) error {
	return func(r *nethttp.Request, a *app.Actor, id domain.StaffID) error {
		return ad.SendPasswordReset(r.Context(), a, id)
	}
}

func resetAuthenticator(ad *app.Admin) func(*nethttp.Request, *app.Actor, domain.StaffID) error {
	return func(r *nethttp.Request, a *app.Actor, id domain.StaffID) error {
		return ad.ResetAuthenticator(r.Context(), a, id)
	}
}

// memberPageWith shows the member page again, as saved, changed by edit,
// with 422.
func (s *Server) memberPageWith(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor, id domain.StaffID, edit func(*adminMemberPage)) error {
	v, err := s.app.Admin.Member(r.Context(), a, id)
	if err != nil {
		return err
	}
	page := s.memberPage(r, a, v, string(v.Member.Role), v.Member.InboxIDs)
	edit(&page)
	return s.render(w, nethttp.StatusUnprocessableEntity, "staff/admin_member", page)
}
