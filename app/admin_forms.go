package app

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// MaxFormText is the longest intro, response-time or out-of-hours text,
// in characters: room for a few paragraphs a pupil will still read.
const MaxFormText = 2000

// AdminForm is a form as its organisation's admins manage it: with its
// inboxes and the three ways a school publishes it.
type AdminForm struct {
	Form    *domain.Form
	Inboxes []*domain.Inbox
	// URL is the form's public address, /r/{code}.
	URL string
	// Snippet is the HTML link a school pastes into its own website.
	Snippet string
}

// Forms returns the organisation's forms, oldest first, each with its
// inboxes in order.
func (s *Admin) Forms(ctx context.Context, a *Actor) (out []AdminForm, err error) {
	defer domain.Wrap(&err, "app.Admin.Forms")
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	err = s.store.View(ctx, func(tx ports.Tx) error {
		forms, err := tx.Forms().List(ctx, ports.FormFilter{OrgID: &a.Org.ID})
		if err != nil {
			return err
		}
		inboxes, err := tx.Inboxes().List(ctx, ports.InboxFilter{OrgID: &a.Org.ID})
		if err != nil {
			return err
		}
		byForm := map[domain.FormID][]*domain.Inbox{}
		for _, ib := range inboxes {
			byForm[ib.FormID] = append(byForm[ib.FormID], ib)
		}
		for _, f := range forms {
			out = append(out, s.adminForm(f, byForm[f.ID]))
		}
		return nil
	})
	return out, err
}

// Form returns one form of the organisation, or KindNotFound.
func (s *Admin) Form(ctx context.Context, a *Actor, id domain.FormID) (out AdminForm, err error) {
	defer domain.Wrap(&err, "app.Admin.Form")
	if err := requireAdmin(a); err != nil {
		return out, err
	}
	err = s.store.View(ctx, func(tx ports.Tx) error {
		form, err := ownForm(ctx, tx, a, id)
		if err != nil {
			return err
		}
		inboxes, err := tx.Inboxes().List(ctx, ports.InboxFilter{FormID: &form.ID})
		if err != nil {
			return err
		}
		out = s.adminForm(form, inboxes)
		return nil
	})
	return out, err
}

func (s *core) adminForm(f *domain.Form, inboxes []*domain.Inbox) AdminForm {
	return AdminForm{Form: f, Inboxes: inboxes, URL: s.links.FormURL(f.Code), Snippet: s.links.FormSnippet(f)}
}

// ownForm loads a form of the actor's organisation; any other is errNoSuch.
func ownForm(ctx context.Context, tx ports.Tx, a *Actor, id domain.FormID) (*domain.Form, error) {
	form, err := tx.Forms().Get(ctx, id)
	var org domain.OrgID
	if form != nil {
		org = form.OrgID
	}
	if err := ownedBy(a, org, err); err != nil {
		return nil, err
	}
	return form, nil
}

// NewForm is an admin's request for another form.
type NewForm struct {
	Name string
	// Code is optional; empty makes one from the name.
	Code string
}

// CreateForm adds a form, with one inbox named General, to the
// actor's organisation. Bad input and a taken code come back as field
// problems ("name", "code").
func (s *Admin) CreateForm(ctx context.Context, a *Actor, in NewForm) (out FormCreated, err error) {
	defer domain.Wrap(&err, "app.Admin.CreateForm")
	if err := requireAdmin(a); err != nil {
		return out, err
	}
	var problems domain.Problems
	problems.Add("name", checkFormName(in.Name))
	if code := strings.TrimSpace(in.Code); code != "" {
		_, err := domain.ParseFormCode(code)
		problems.Add("code", err)
	}
	if err := problems.Invalid(); err != nil {
		return out, err
	}
	out, err = s.addForm(ctx, CreateForm{OrgID: a.Org.ID, Name: in.Name, Code: strings.TrimSpace(in.Code), Actor: staffActor(a.Staff.ID)})
	if domain.KindOf(err) == domain.KindConflict {
		return out, domain.Problems{{Field: "code", Safe: domain.SafeMessage(err)}}.Invalid()
	}
	return out, err
}

// checkFormName applies domain.NewForm's rule to a name, so that it can
// stand beside its field.
func checkFormName(name string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return domain.Errorf(domain.KindInvalid, "enter the form's name, usually the school's")
	}
	if utf8.RuneCountInString(name) > 200 {
		return domain.Errorf(domain.KindInvalid, "a form name is at most 200 characters")
	}
	return nil
}

// FormSettings are a form's texts and settings as an admin edits them.
type FormSettings struct {
	Name         string
	Intro        string
	ResponseTime string
	OutOfHours   string
	// Language is en or cy; SwearPolicy is off, flag or block.
	Language    string
	SwearPolicy string
}

// UpdateForm saves a form's name, texts, language and swear-word policy.
// Its code is left alone: it is printed on posters and saved in phones.
func (s *Admin) UpdateForm(ctx context.Context, a *Actor, id domain.FormID, in FormSettings) (form *domain.Form, err error) {
	defer domain.Wrap(&err, "app.Admin.UpdateForm")
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	var problems domain.Problems
	problems.Add("name", checkFormName(in.Name))
	problems.Add("intro", checkFormText(in.Intro))
	problems.Add("response_time", checkFormText(in.ResponseTime))
	problems.Add("out_of_hours", checkFormText(in.OutOfHours))
	lang, err := domain.ParseLanguage(in.Language)
	problems.Add("language", err)
	policy, err := domain.ParseSwearPolicy(in.SwearPolicy)
	problems.Add("swear_policy", err)
	// The form must be the actor's before its problems are told: another
	// organisation's form is simply not found.
	err = s.changeIntake(ctx, func(tx ports.Tx) error {
		if _, err := ownForm(ctx, tx, a, id); err != nil {
			return err
		}
		if err := problems.Invalid(); err != nil {
			return err
		}
		var was domain.SwearPolicy
		form, err = tx.Forms().Change(ctx, id, func(form *domain.Form) error {
			was = form.SwearPolicy
			form.Name = strings.TrimSpace(in.Name)
			form.Intro, form.ResponseTime, form.OutOfHours = formText(in.Intro), formText(in.ResponseTime), formText(in.OutOfHours)
			form.Language, form.SwearPolicy = lang, policy
			return nil
		})
		if err != nil {
			return err
		}
		return s.record(ctx, tx, byStaff(a, domain.AuditFormChange, map[string]string{"form": string(id),
			"language": string(form.Language), "swear_policy": string(form.SwearPolicy), "swear_policy_was": string(was)}))
	})
	if err != nil {
		return nil, err
	}
	return form, nil
}

// formText tidies a text: line endings as browsers send them become
// newlines, and surrounding blank space goes.
func formText(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

func checkFormText(s string) error {
	if utf8.RuneCountInString(formText(s)) > MaxFormText {
		return domain.Errorf(domain.KindInvalid, "this text is at most %d characters", MaxFormText)
	}
	return nil
}

// SetFormOpen opens or closes a form. A closed form shows its out-of-hours
// text, with emergency contacts, instead of taking reports.
func (s *Admin) SetFormOpen(ctx context.Context, a *Actor, id domain.FormID, open bool) (err error) {
	defer domain.Wrap(&err, "app.Admin.SetFormOpen")
	if err := requireAdmin(a); err != nil {
		return err
	}
	return s.changeIntake(ctx, func(tx ports.Tx) error {
		if _, err := ownForm(ctx, tx, a, id); err != nil {
			return err
		}
		_, err := tx.Forms().Change(ctx, id, func(form *domain.Form) error {
			form.Open = open
			return nil
		})
		if err != nil {
			return err
		}
		return s.record(ctx, tx, byStaff(a, domain.AuditFormOpen, map[string]string{"form": string(id), "open": strconv.FormatBool(open)}))
	})
}
