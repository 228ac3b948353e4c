package app

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// CreateInbox adds an inbox (a report category) after the form's
// existing ones. A bad name comes back as a problem with field "name".
func (s *Admin) CreateInbox(ctx context.Context, a *Actor, form domain.FormID, name string) (inbox *domain.Inbox, err error) {
	defer domain.Wrap(&err, "app.Admin.CreateInbox")
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	// A form never moves to another organisation, so the check still holds
	// when addInbox opens its own transaction.
	err = s.store.View(ctx, func(tx ports.Tx) error {
		_, err := ownForm(ctx, tx, a, form)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := checkInboxName(name); err != nil {
		return nil, domain.Problems{{Field: "name", Safe: domain.SafeWords(err)}}.Invalid()
	}
	inbox, err = s.addInbox(ctx, CreateInbox{FormID: form, Name: name, Actor: staffActor(a.Staff.ID)})
	return inbox, nameProblem(err)
}

// nameProblem puts the words of an inbox name another inbox of the form
// has beside the name's field.
func nameProblem(err error) error {
	if domain.KindOf(err) == domain.KindConflict {
		field := "name"
		if domain.SafeWords(err).Key == domain.SafeWords(domain.InboxWelshNameTaken("", nil)).Key {
			field = "name_cy"
		}
		return domain.Problems{{Field: field, Safe: domain.SafeWords(err)}}.Invalid()
	}
	return err
}

// checkInboxName applies domain.NewInbox's rule to a name, so that it can
// stand beside its field.
func checkInboxName(name string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return domain.Errorf(domain.KindInvalid, "enter a name, such as Bullying or Online worries")
	}
	if utf8.RuneCountInString(name) > 100 {
		return domain.Errorf(domain.KindInvalid, "an inbox name is at most 100 characters")
	}
	return nil
}
