package http

import (
	nethttp "net/http"
	"slices"
	"strings"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// adminInboxPage renames an inbox, sets its notification addresses and
// assigns its staff.
type adminInboxPage struct {
	Staff    staffChrome
	Inbox    *domain.Inbox
	Form     *domain.Form
	Name     string
	NameCy   string
	Notify   string
	Members  []adminCheck
	Problems fieldProblems
}

// adminCheck is one checkbox of a list: a staff member or an inbox.
type adminCheck struct {
	ID      string
	Label   string
	Hint    string
	Checked bool
}

func (s *Server) inboxPage(r *nethttp.Request, a *app.Actor, v app.AdminInbox, in app.InboxSettings, staff []domain.StaffID) adminInboxPage {
	page := adminInboxPage{Staff: s.adminChrome(a, r), Inbox: v.Inbox, Form: v.Form, Name: in.Name, NameCy: in.NameCy, Notify: in.Notify}
	for _, m := range v.Staff {
		page.Members = append(page.Members, adminCheck{
			ID: string(m.ID), Label: m.FullName(), Hint: m.Email, Checked: slices.Contains(staff, m.ID),
		})
	}
	return page
}

func (s *Server) adminInbox(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	v, err := s.app.Admin.Inbox(r.Context(), a, domain.InboxID(r.PathValue("id")))
	if err != nil {
		return err
	}
	var assigned []domain.StaffID
	for _, m := range v.Staff {
		if slices.Contains(m.InboxIDs, v.Inbox.ID) {
			assigned = append(assigned, m.ID)
		}
	}
	page := s.inboxPage(r, a, v, app.InboxSettings{Name: v.Inbox.Name, NameCy: v.Inbox.NameCy, Notify: strings.Join(v.Inbox.Notify, "\n")}, assigned)
	return s.render(w, nethttp.StatusOK, "staff/admin_inbox", page)
}

func (s *Server) adminUpdateInbox(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	if err := parseAdminForm(w, r); err != nil {
		return err
	}
	id := domain.InboxID(r.PathValue("id"))
	in := app.InboxSettings{Name: r.PostFormValue("name"), NameCy: r.PostFormValue("name_cy"), Notify: r.PostFormValue("notify")}
	for _, sid := range r.PostForm["staff"] {
		in.StaffIDs = append(in.StaffIDs, domain.StaffID(sid))
	}
	_, err := s.app.Admin.UpdateInbox(r.Context(), a, id, in)
	if problems := adminProblems(a, err); problems != nil {
		v, err := s.app.Admin.Inbox(r.Context(), a, id)
		if err != nil {
			return err
		}
		page := s.inboxPage(r, a, v, in, in.StaffIDs)
		page.Problems = problems
		return s.render(w, nethttp.StatusUnprocessableEntity, "staff/admin_inbox", page)
	}
	if err != nil {
		return err
	}
	return s.redirectDone(w, r, "/staff/admin/inboxes/"+string(id), doneInboxSaved)
}

// adminArrangeInbox moves an inbox up or down its form, makes it the one
// texts land in, archives or unarchives it, and goes back to the form's
// page, which shows the result.
func (s *Server) adminArrangeInbox(change domain.InboxChange) staffHandler {
	return func(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
		if err := parseAdminForm(w, r); err != nil {
			return err
		}
		id := domain.InboxID(r.PathValue("id"))
		out, err := s.app.Admin.ArrangeInbox(r.Context(), a, id, change)
		if problems := adminProblems(a, err); problems != nil {
			v, err := s.app.Admin.Inbox(r.Context(), a, id)
			if err != nil {
				return err
			}
			r.SetPathValue("id", string(v.Form.ID))
			page, err := s.loadFormPage(r, a)
			if err != nil {
				return err
			}
			page.InboxProblems = problems
			return s.render(w, nethttp.StatusUnprocessableEntity, "staff/admin_form", page)
		}
		if err != nil {
			return err
		}
		what := map[domain.InboxChange]done{domain.InboxUp: doneInboxMoved, domain.InboxDown: doneInboxMoved,
			domain.InboxTexts: doneInboxTexts, domain.InboxArchive: doneInboxArchived, domain.InboxUnarchive: doneInboxUnarchived}[change]
		if change == domain.InboxArchive && out.TextsMoved {
			what = doneInboxArchivedTexts
		}
		return s.redirectDone(w, r, "/staff/admin/forms/"+string(out.Form), what)
	}
}
