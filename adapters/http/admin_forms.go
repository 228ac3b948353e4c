package http

import (
	nethttp "net/http"
	"strconv"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// adminFormsPage lists the organisation's forms.
type adminFormsPage struct {
	Staff staffChrome
	Forms []app.AdminForm
}

func (s *Server) adminForms(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	forms, err := s.app.Admin.Forms(r.Context(), a)
	if err != nil {
		return err
	}
	return s.render(w, nethttp.StatusOK, "staff/admin_forms", adminFormsPage{Staff: s.adminChrome(a, r), Forms: forms})
}

// adminNewFormPage asks for a new form's name and code.
type adminNewFormPage struct {
	Staff    staffChrome
	Values   app.NewForm
	Problems fieldProblems
}

func (s *Server) adminNewForm(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	// Asking the app for the forms is how a staff member gets the 404.
	if _, err := s.app.Admin.Forms(r.Context(), a); err != nil {
		return err
	}
	return s.render(w, nethttp.StatusOK, "staff/admin_form_new", adminNewFormPage{Staff: s.adminChrome(a, r)})
}

func (s *Server) adminCreateForm(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	if err := parseAdminForm(w, r); err != nil {
		return err
	}
	in := app.NewForm{Name: r.PostFormValue("name"), Code: r.PostFormValue("code")}
	out, err := s.app.Admin.CreateForm(r.Context(), a, in)
	if problems := adminProblems(a, err); problems != nil {
		return s.render(w, nethttp.StatusUnprocessableEntity, "staff/admin_form_new",
			adminNewFormPage{Staff: s.adminChrome(a, r), Values: in, Problems: problems})
	}
	if err != nil {
		return err
	}
	return s.redirectDone(w, r, "/staff/admin/forms/"+string(out.Form.ID), doneFormCreated)
}

// adminFormPage edits one form, shows how to publish it, opens or closes
// it, and lists and adds its inboxes.
type adminFormPage struct {
	Staff    staffChrome
	Form     app.AdminForm
	Values   app.FormSettings
	Problems fieldProblems
	// NewInbox and InboxProblems belong to the form that adds an inbox.
	NewInbox      string
	InboxProblems fieldProblems
	// Open and Archived are the form's inboxes as the admin arranges them.
	Open, Archived []inboxRow
}

// inboxRow is one inbox in the list of a form's inboxes, with the buttons
// it can have.
type inboxRow struct {
	*domain.Inbox
	First, Last bool
}

func (s *Server) loadFormPage(r *nethttp.Request, a *app.Actor) (adminFormPage, error) {
	f, err := s.app.Admin.Form(r.Context(), a, domain.FormID(r.PathValue("id")))
	if err != nil {
		return adminFormPage{}, err
	}
	page := adminFormPage{
		Staff: s.adminChrome(a, r), Form: f,
		Values: app.FormSettings{
			Name: f.Form.Name, Intro: f.Form.Intro, ResponseTime: f.Form.ResponseTime, OutOfHours: f.Form.OutOfHours,
			IntroCy: f.Form.IntroCy, ResponseTimeCy: f.Form.ResponseTimeCy, OutOfHoursCy: f.Form.OutOfHoursCy,
			Language: string(f.Form.Language), SwearPolicy: string(f.Form.SwearPolicy), PrivacyURL: f.Form.PrivacyURL,
			ResponseTargetHours: strconv.Itoa(f.Form.ResponseTargetHours),
		},
	}
	for _, ib := range f.Inboxes {
		if ib.Open() {
			page.Open = append(page.Open, inboxRow{Inbox: ib, First: len(page.Open) == 0})
		} else {
			page.Archived = append(page.Archived, inboxRow{Inbox: ib})
		}
	}
	if n := len(page.Open); n > 0 {
		page.Open[n-1].Last = true
	}
	return page, nil
}

func (s *Server) adminForm(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	page, err := s.loadFormPage(r, a)
	if err != nil {
		return err
	}
	return s.render(w, nethttp.StatusOK, "staff/admin_form", page)
}

func (s *Server) adminUpdateForm(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	if err := parseAdminForm(w, r); err != nil {
		return err
	}
	id := domain.FormID(r.PathValue("id"))
	in := app.FormSettings{
		Name: r.PostFormValue("name"), Intro: r.PostFormValue("intro"), ResponseTime: r.PostFormValue("response_time"),
		OutOfHours: r.PostFormValue("out_of_hours"), Language: r.PostFormValue("language"), SwearPolicy: r.PostFormValue("swear_policy"),
		PrivacyURL: r.PostFormValue("privacy_url"), IntroCy: r.PostFormValue("intro_cy"),
		ResponseTimeCy: r.PostFormValue("response_time_cy"), OutOfHoursCy: r.PostFormValue("out_of_hours_cy"),
		ResponseTargetHours: r.PostFormValue("response_target_hours"),
	}
	_, err := s.app.Admin.UpdateForm(r.Context(), a, id, in)
	if problems := adminProblems(a, err); problems != nil {
		page, err := s.loadFormPage(r, a)
		if err != nil {
			return err
		}
		page.Values, page.Problems = in, problems
		return s.render(w, nethttp.StatusUnprocessableEntity, "staff/admin_form", page)
	}
	if err != nil {
		return err
	}
	return s.redirectDone(w, r, "/staff/admin/forms/"+string(id), doneFormSaved)
}

func (s *Server) adminSetFormOpen(open bool) staffHandler {
	what := doneFormClosed
	if open {
		what = doneFormOpened
	}
	return func(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
		id := domain.FormID(r.PathValue("id"))
		if err := s.app.Admin.SetFormOpen(r.Context(), a, id, open); err != nil {
			return err
		}
		return s.redirectDone(w, r, "/staff/admin/forms/"+string(id), what)
	}
}

func (s *Server) adminCreateInbox(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	if err := parseAdminForm(w, r); err != nil {
		return err
	}
	id := domain.FormID(r.PathValue("id"))
	name := r.PostFormValue("inbox_name")
	ib, err := s.app.Admin.CreateInbox(r.Context(), a, id, name)
	if problems := adminProblems(a, err); problems != nil {
		page, err := s.loadFormPage(r, a)
		if err != nil {
			return err
		}
		// The edit form above has its own "name"; this one's is inbox_name.
		page.NewInbox = name
		for _, p := range problems {
			page.InboxProblems = append(page.InboxProblems, fieldProblem{Field: "inbox_" + p.Field, Safe: p.Safe})
		}
		return s.render(w, nethttp.StatusUnprocessableEntity, "staff/admin_form", page)
	}
	if err != nil {
		return err
	}
	return s.redirectDone(w, r, "/staff/admin/inboxes/"+string(ib.ID), doneInboxCreated)
}
