package app

import (
	"context"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// alertRecipients are whom a new report or reply in inbox is announced to
// at once (domain.AlertRecipients): its notification addresses and the
// assigned members who chose to hear at once, each in their language. It
// reads the members with read every time, never from the intake cache, so
// that a member's language and choice are as they are when the alert is
// queued: within the transaction that queues it for a reply or a move;
// for a new report, in a read just before the write that queues it, which
// at read committed sees what a read inside that write would.
func (s *core) alertRecipients(ctx context.Context, read reader, inbox *domain.Inbox) ([]domain.Recipient, error) {
	var members []domain.Alertee
	err := read(func(tx ports.Tx) (err error) {
		members, err = tx.Notifications().Alertees(ctx, inbox.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return domain.AlertRecipients(inbox, members), nil
}

// alertNewReport queues a notification of a new report for the inbox's
// addresses and its assigned staff who chose to hear at once: a link to
// the interaction, never its content.
func (s *core) alertNewReport(ctx context.Context, tx ports.Tx, ia *domain.Interaction, form *domain.Form, inbox *domain.Inbox, now time.Time) error {
	recipients, err := s.alertRecipients(ctx, within(tx), inbox)
	if err != nil {
		return err
	}
	alerts, err := s.newReportAlerts(ia, form, inbox, recipients, now)
	if err != nil {
		return err
	}
	return tx.Outbox().Enqueue(ctx, alerts...)
}

// alertReply tells the inbox's people that the reporter replied, paced
// for each recipient (see domain.ReplyAlertState): the first reply in a
// while is announced at once; the replies that follow within
// domain.ReplyAlertWindow are counted into one trailing alert, due when
// the window ends. While the relay has not taken the trailing alert, a
// reply raises its count; once it has, the reply gets a trailing alert of
// its own at the end of the next window. It runs with the interaction
// held (after Change), so replies at the same moment take turns here.
func (s *core) alertReply(ctx context.Context, tx ports.Tx, ia *domain.Interaction, form *domain.Form, inbox *domain.Inbox, now time.Time) error {
	recipients, err := s.alertRecipients(ctx, within(tx), inbox)
	if err != nil {
		return err
	}
	recipients = domain.Recipients(recipients)
	if len(recipients) == 0 {
		return nil
	}
	addresses := make([]string, len(recipients))
	for i, to := range recipients {
		addresses[i] = to.Address
	}
	states, err := tx.Replies().AlertStates(ctx, ia.ID, addresses)
	if err != nil {
		return err
	}
	link := s.links.InteractionURL(ia.Ref)
	var alerts []*domain.Delivery
	for _, to := range recipients {
		st := states[to.Address]
		if st.PendingID != "" {
			raised, err := tx.Outbox().Raise(ctx, st.PendingID, st.PendingCount+1)
			if err != nil {
				return err
			}
			if raised {
				st.PendingCount++
				states[to.Address] = st
				continue
			}
			st = st.PendingWent()
		}
		id, err := domain.NewDeliveryID(s.random)
		if err != nil {
			return err
		}
		due, next := st.NextAlert(now, id)
		alerts = append(alerts, domain.StaffReplyAlert(id, ia, form, inbox, to, link, due, now))
		states[to.Address] = next
	}
	if err := tx.Outbox().Enqueue(ctx, alerts...); err != nil {
		return err
	}
	return tx.Replies().SaveAlertStates(ctx, ia.ID, states)
}

// newReportAlerts are the alerts to recipients of a new report.
func (s *core) newReportAlerts(ia *domain.Interaction, form *domain.Form, inbox *domain.Inbox, recipients []domain.Recipient, now time.Time) ([]*domain.Delivery, error) {
	return domain.NewReportAlerts(func() (domain.DeliveryID, error) { return domain.NewDeliveryID(s.random) },
		ia, form, inbox, recipients, s.links.InteractionURL(ia.Ref), now)
}
