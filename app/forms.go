package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// CreateForm asks for a new form of an organisation.
type CreateForm struct {
	OrgID domain.OrgID
	Name  string
	// Code is the form's URL and SMS code; empty means one is made from
	// the name.
	Code string
	// Actor names who asks, for the audit log; empty is the service.
	Actor string
}

// FormCreated is a new form with its first inbox and public address.
type FormCreated struct {
	Form  *domain.Form
	Inbox *domain.Inbox
	URL   string
}

// codeAttempts bounds how often a suggested code is redrawn when taken.
const codeAttempts = 20

// addForm adds a form with one inbox named General. A code the caller
// chose is refused when taken (KindConflict); a suggested one is redrawn.
func (s *core) addForm(ctx context.Context, in CreateForm) (out FormCreated, err error) {
	defer domain.Wrap(&err, "app.addForm")
	var code domain.FormCode
	if in.Code != "" {
		if code, err = domain.ParseFormCode(in.Code); err != nil {
			return out, err
		}
	}
	for attempt := 1; ; attempt++ {
		chosen := code
		if chosen == "" {
			if chosen, err = domain.SuggestFormCode(in.Name, s.random); err != nil {
				return out, err
			}
		}
		out, err = s.insertForm(ctx, in, chosen)
		if code != "" || domain.KindOf(err) != domain.KindConflict || attempt == codeAttempts {
			return out, err
		}
	}
}

func (s *core) insertForm(ctx context.Context, in CreateForm, code domain.FormCode) (out FormCreated, err error) {
	now := s.now()
	formID, err := domain.NewFormID(s.random)
	if err != nil {
		return out, err
	}
	inboxID, err := domain.NewInboxID(s.random)
	if err != nil {
		return out, err
	}
	form, err := domain.NewForm(formID, in.OrgID, in.Name, code, now)
	if err != nil {
		return out, err
	}
	inbox, err := domain.NewInbox(inboxID, form, domain.DefaultInboxName, nil, 0, now)
	if err != nil {
		return out, err
	}
	inbox.Texts = true
	err = s.store.InTx(ctx, func(tx ports.Tx) error {
		if _, err := tx.Organisations().Get(ctx, in.OrgID); err != nil {
			return err
		}
		if err := tx.Forms().Create(ctx, form); err != nil {
			return err
		}
		if err := tx.Inboxes().Create(ctx, inbox); err != nil {
			return err
		}
		return s.record(ctx, tx, &domain.AuditEntry{Actor: actorOr(in.Actor), Action: domain.AuditFormCreate, OrgID: in.OrgID,
			Details: map[string]string{"form": string(form.ID), "code": string(form.Code), "inbox": string(inbox.ID)}})
	})
	if err != nil {
		return out, err
	}
	return FormCreated{Form: form, Inbox: inbox, URL: s.links.FormURL(form.Code)}, nil
}

// CreateInbox asks for another inbox (a report category) on a form.
type CreateInbox struct {
	FormID domain.FormID
	Name   string
	// Notify lists the addresses told of new reports and replies.
	Notify []string
	// Actor names who asks, for the audit log; empty is the service.
	Actor string
}

// addInbox adds an inbox after the form's existing ones.
func (s *core) addInbox(ctx context.Context, in CreateInbox) (inbox *domain.Inbox, err error) {
	defer domain.Wrap(&err, "app.addInbox")
	id, err := domain.NewInboxID(s.random)
	if err != nil {
		return nil, err
	}
	now := s.now()
	err = s.changeIntake(ctx, func(tx ports.Tx) error {
		form, err := tx.Forms().Get(ctx, in.FormID)
		if err != nil {
			return err
		}
		existing, err := tx.Inboxes().List(ctx, ports.InboxFilter{FormID: &form.ID})
		if err != nil {
			return err
		}
		position := 0
		for _, ib := range existing {
			position = max(position, ib.Position+1)
		}
		if inbox, err = domain.NewInbox(id, form, in.Name, in.Notify, position, now); err != nil {
			return err
		}
		if err := tx.Inboxes().Create(ctx, inbox); err != nil {
			return err
		}
		return s.record(ctx, tx, &domain.AuditEntry{Actor: actorOr(in.Actor), Action: domain.AuditInboxCreate, OrgID: form.OrgID,
			Details: map[string]string{"form": string(form.ID), "inbox": string(inbox.ID), "notify": howMany(inbox.Notify)}})
	})
	if err != nil {
		return nil, err
	}
	return inbox, nil
}
