package app

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/whisper-schools/whisper/domain"
)

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
		return out, domain.Problems{{Field: "code", Safe: domain.SafeWords(err)}}.Invalid()
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
