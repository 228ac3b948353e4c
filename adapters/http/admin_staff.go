package http

import (
	nethttp "net/http"
	"slices"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// adminStaffPage lists the organisation's members.
type adminStaffPage struct {
	Staff   staffChrome
	Members []adminMemberRow
}

// adminMemberRow is one member in the list.
type adminMemberRow struct {
	ID      domain.StaffID
	Name    string
	Email   string
	Role    domain.Role
	Inboxes []string
	TOTP    bool
	// Pending is set until the member has chosen a password.
	Pending bool
	Self    bool
}

func (s *Server) adminStaff(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	dir, err := s.app.Admin.Staff(r.Context(), a)
	if err != nil {
		return err
	}
	labels := map[domain.InboxID]string{}
	for _, c := range dir.Inboxes {
		labels[c.ID] = c.Label
	}
	page := adminStaffPage{Staff: s.adminChrome(a, r)}
	for _, m := range dir.Members {
		row := adminMemberRow{
			ID: m.ID, Name: m.FullName(), Email: m.Email, Role: m.Role, TOTP: m.TOTPEnabled,
			Pending: m.PasswordHash == "", Self: m.ID == a.Staff.ID,
		}
		// Labels come in the organisation's order, not the assignments'.
		for _, c := range dir.Inboxes {
			if slices.Contains(m.InboxIDs, c.ID) {
				row.Inboxes = append(row.Inboxes, labels[c.ID])
			}
		}
		page.Members = append(page.Members, row)
	}
	return s.render(w, nethttp.StatusOK, "staff/admin_staff", page)
}

// inboxChecks offers choices as checkboxes, ticking those in checked.
func inboxChecks(choices []app.InboxChoice, checked []domain.InboxID) []adminCheck {
	var out []adminCheck
	for _, c := range choices {
		out = append(out, adminCheck{ID: string(c.ID), Label: c.Label, Checked: slices.Contains(checked, c.ID)})
	}
	return out
}

// postedInboxes are the ticked inbox checkboxes of a form.
func postedInboxes(r *nethttp.Request) []domain.InboxID {
	var ids []domain.InboxID
	for _, id := range r.PostForm["inboxes"] {
		ids = append(ids, domain.InboxID(id))
	}
	return ids
}

// adminInvitePage invites a new member.
type adminInvitePage struct {
	Staff    staffChrome
	Values   app.Invite
	Inboxes  []adminCheck
	Problems fieldProblems
}

func (s *Server) adminNewMember(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	dir, err := s.app.Admin.Staff(r.Context(), a)
	if err != nil {
		return err
	}
	return s.render(w, nethttp.StatusOK, "staff/admin_staff_new", adminInvitePage{
		Staff: s.adminChrome(a, r), Values: app.Invite{Role: string(domain.RoleStaff), Language: string(staffLang(a))}, Inboxes: inboxChecks(dir.Inboxes, nil),
	})
}

func (s *Server) adminInvite(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	if err := parseAdminForm(w, r); err != nil {
		return err
	}
	in := app.Invite{
		Email: r.PostFormValue("email"), FirstName: r.PostFormValue("first_name"), LastName: r.PostFormValue("last_name"),
		Role: r.PostFormValue("role"), InboxIDs: postedInboxes(r), Language: r.PostFormValue("language"),
	}
	_, err := s.app.Admin.InviteStaff(r.Context(), a, in)
	if problems := adminProblems(a, err); problems != nil {
		dir, err := s.app.Admin.Staff(r.Context(), a)
		if err != nil {
			return err
		}
		return s.render(w, nethttp.StatusUnprocessableEntity, "staff/admin_staff_new", adminInvitePage{
			Staff: s.adminChrome(a, r), Values: in, Inboxes: inboxChecks(dir.Inboxes, in.InboxIDs), Problems: problems,
		})
	}
	if err != nil {
		return err
	}
	return s.redirectDone(w, r, "/staff/admin/staff", doneInvited)
}

// adminMemberPage changes one member's role, inboxes, name and address,
// lets them back in, or removes them.
type adminMemberPage struct {
	Staff    staffChrome
	Member   *domain.Staff
	Self     bool
	Role     string
	Inboxes  []adminCheck
	Details  app.MemberDetails
	Problems fieldProblems
}

func (s *Server) memberPage(r *nethttp.Request, a *app.Actor, v app.AdminMember, role string, inboxes []domain.InboxID) adminMemberPage {
	return adminMemberPage{
		Staff: s.adminChrome(a, r), Member: v.Member, Self: v.Self, Role: role, Inboxes: inboxChecks(v.Inboxes, inboxes),
		Details: app.MemberDetails{FirstName: v.Member.FirstName, LastName: v.Member.LastName, Email: v.Member.Email},
	}
}

func (s *Server) adminMember(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	v, err := s.app.Admin.Member(r.Context(), a, domain.StaffID(r.PathValue("id")))
	if err != nil {
		return err
	}
	return s.render(w, nethttp.StatusOK, "staff/admin_member", s.memberPage(r, a, v, string(v.Member.Role), v.Member.InboxIDs))
}

func (s *Server) adminUpdateMember(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	if err := parseAdminForm(w, r); err != nil {
		return err
	}
	id := domain.StaffID(r.PathValue("id"))
	in := app.MemberSettings{Role: r.PostFormValue("role"), InboxIDs: postedInboxes(r)}
	_, err := s.app.Admin.UpdateMember(r.Context(), a, id, in)
	if problems := adminProblems(a, err); problems != nil {
		return s.memberProblems(w, r, a, id, &in, problems)
	}
	if err != nil {
		return err
	}
	return s.redirectDone(w, r, "/staff/admin/staff/"+string(id), doneMemberSaved)
}

func (s *Server) adminRemoveMember(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	id := domain.StaffID(r.PathValue("id"))
	err := s.app.Admin.RemoveMember(r.Context(), a, id)
	if problems := adminProblems(a, err); problems != nil {
		return s.memberProblems(w, r, a, id, nil, problems)
	}
	if err != nil {
		return err
	}
	return s.redirectDone(w, r, "/staff/admin/staff", doneMemberRemoved)
}

// memberProblems shows the member page again with what was wrong, keeping
// what was posted; with nothing posted (a refused removal), as saved.
func (s *Server) memberProblems(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor, id domain.StaffID, posted *app.MemberSettings, problems fieldProblems) error {
	v, err := s.app.Admin.Member(r.Context(), a, id)
	if err != nil {
		return err
	}
	role, inboxes := string(v.Member.Role), v.Member.InboxIDs
	if posted != nil {
		role, inboxes = posted.Role, posted.InboxIDs
	}
	page := s.memberPage(r, a, v, role, inboxes)
	page.Problems = problems
	return s.render(w, nethttp.StatusUnprocessableEntity, "staff/admin_member", page)
}
