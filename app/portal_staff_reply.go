package app

import (
	"context"
	"net/netip"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// StaffReply adds the actor's answer to a report and queues it for the
// reporter: by SMS, with the text, to someone who texted; by email, as a
// notice without the text, to a web reporter who gave an address; and not
// at all to one who gave none, who reads it through their link. The caller
// learns none of this: which way a reply travels would tell staff how the
// report came in. A reply keeps the report's status; a closed report stays
// closed until someone reopens it, or the reporter writes again.
//
// A reply with problems (domain.Problems, KindInvalid) adds nothing, and
// answers with the report as ReadInteraction does, read and marked read
// in the same transaction, for the page that shows the reply again. A
// stored reply answers with nothing: its page is a redirect away.
func (s *Portal) StaffReply(ctx context.Context, a *Actor, ref, body string, ip netip.Addr) (out InteractionView, err error) {
	defer domain.Wrap(&err, "app.Portal.StaffReply")
	var problems domain.Problems
	body, err = domain.CheckStaffReply(body)
	problems.Add(FieldMessage, err)
	// Staff addresses are meta data too; placing one may be slow, so it
	// happens before the transaction.
	meta := s.meta(ip)
	msgID, err := domain.NewMessageID(s.random)
	if err != nil {
		return out, err
	}
	deliveryID, err := domain.NewDeliveryID(s.random)
	if err != nil {
		return out, err
	}
	now := s.now()
	var refused error
	err = s.store.InTx(ctx, func(tx ports.Tx) error {
		seen, err := getInteraction(ctx, tx, a, ref)
		if err != nil {
			return err
		}
		if refused = problems.Invalid(); refused != nil {
			out, err = readInteraction(ctx, tx, a, seen, now)
			return err
		}
		// Past the viewer's check, the interaction itself is loaded, and
		// held before anything is added to it, so that an erasure comes
		// wholly before the reply or after it: the reply must reach the
		// reporter, and only this code, never the actor, sees how.
		ia, err := changeInteraction(ctx, tx, seen.ID, func(ia *domain.Interaction) error {
			ia.LastActivityAt = now
			return nil
		})
		if err != nil {
			return err
		}
		msg := &domain.Message{ID: msgID, InteractionID: ia.ID, Author: domain.AuthorStaff, StaffID: a.Staff.ID, Body: body, CreatedAt: now}
		if err := tx.Messages().Add(ctx, msg, meta); err != nil {
			return err
		}
		if err := recordEvent(ctx, tx, a, ia.ID, domain.HistoryReplied, "", now); err != nil {
			return err
		}
		if err := tx.StaffView().MarkRead(ctx, a.Viewer, ia.ID, now); err != nil {
			return err
		}
		d, err := s.replyDelivery(ctx, tx, ia, a.Staff.ID, body, deliveryID, now)
		if err != nil || d == nil {
			return err
		}
		return tx.Outbox().Enqueue(ctx, d)
	})
	if err != nil {
		return InteractionView{}, err
	}
	return out, refused
}

// replyDelivery is how a staff member's reply reaches the reporter, or nil
// when it cannot: a web reporter who gave no email reads it through their
// link. A text starts with the replier's first name, as the conversation
// page shows it (staffFirstName).
func (s *core) replyDelivery(ctx context.Context, tx ports.Tx, ia *domain.Interaction, by domain.StaffID, body string, id domain.DeliveryID, now time.Time) (*domain.Delivery, error) {
	contact, err := tx.Interactions().Contact(ctx, ia.ID)
	if err != nil {
		return nil, err
	}
	form, err := tx.Forms().Get(ctx, ia.FormID)
	if err != nil {
		return nil, err
	}
	switch {
	case ia.Channel == domain.ChannelSMS && contact.Phone != "":
		name, err := staffFirstName(ctx, tx, map[domain.StaffID]string{}, by)
		if err != nil {
			return nil, err
		}
		return domain.ReporterSMS(id, ia, contact.Phone, name, body, form.Language, now), nil
	case ia.Channel == domain.ChannelWeb && contact.Email != "":
		// The conversation link cannot be rebuilt (only its token's hash
		// is kept), so the notice sends the reporter to the link they
		// saved, and carries none.
		return domain.ReporterReplyNotice(id, ia, contact.Email, form.Language, now), nil
	}
	return nil, nil
}
