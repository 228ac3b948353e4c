package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// FieldInboxes is the field of the problems ArrangeInbox finds: the list
// of the form's inboxes.
const FieldInboxes = "inboxes"

// ArrangedInboxes are a form's inboxes after an admin arranged them.
type ArrangedInboxes struct {
	Form domain.FormID
	// Inboxes are all the form's inboxes, in order.
	Inboxes []*domain.Inbox
	// TextsMoved is whether texts now land in another inbox than before.
	TextsMoved bool
}

// ArrangeInbox moves an inbox up or down the form's categories, makes it
// the one texts land in, archives it or unarchives it (domain.InboxChange),
// by the rules of domain.ArrangeInboxes, with the form's inboxes locked.
// A change the rules refuse is KindInvalid, a problem with FieldInboxes.
func (s *Admin) ArrangeInbox(ctx context.Context, a *Actor, id domain.InboxID, change domain.InboxChange) (out ArrangedInboxes, err error) {
	defer domain.Wrap(&err, "app.Admin.ArrangeInbox")
	if err := requireAdmin(a); err != nil {
		return out, err
	}
	err = s.changeIntake(ctx, func(tx ports.Tx) error {
		inbox, err := ownInbox(ctx, tx, a, id)
		if err != nil {
			return err
		}
		var texts domain.InboxID
		out.Form = inbox.FormID
		out.Inboxes, err = tx.Inboxes().Arrange(ctx, inbox.FormID, func(all []*domain.Inbox) error {
			if ib := domain.TextsInbox(all); ib != nil {
				texts = ib.ID
			}
			return domain.ArrangeInboxes(all, id, change, s.now())
		})
		if domain.KindOf(err) == domain.KindInvalid {
			return domain.Problems{{Field: FieldInboxes, Safe: domain.SafeWords(err)}}.Invalid()
		}
		if err != nil {
			return err
		}
		details := map[string]string{"form": string(inbox.FormID), "inbox": string(id), "change": string(change)}
		if now := domain.TextsInbox(out.Inboxes).ID; now != texts {
			out.TextsMoved, details["texts"] = true, string(now)
		}
		return s.record(ctx, tx, byStaff(a, domain.AuditInboxArrange, details))
	})
	if err != nil {
		return ArrangedInboxes{}, err
	}
	return out, nil
}
