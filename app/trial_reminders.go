package app

import (
	"context"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// remindTrials emails the admins and the contact of each organisation
// whose trial ends within one of domain.TrialReminderDays, once for each
// (see domain.Organisation.TrialReminderDue), through the outbox. A
// reminder is claimed by the write that records it, in the transaction
// that queues its emails, so instances running housekeeping at once send
// it once. It returns how many organisations were reminded.
func (s *core) remindTrials(ctx context.Context, now time.Time) (reminded int, err error) {
	err = s.store.InTx(ctx, func(tx ports.Tx) error {
		reminded = 0
		orgs, err := tx.Organisations().List(ctx)
		if err != nil {
			return err
		}
		for _, org := range orgs {
			days, due := org.TrialReminderDue(now)
			if !due {
				continue
			}
			took, err := tx.Organisations().TakeTrialReminder(ctx, org.ID, *org.TrialEndsAt, days, now)
			if err != nil {
				return err
			}
			if !took {
				continue
			}
			to, err := orgAddresses(ctx, tx, org)
			if err != nil {
				return err
			}
			// The last day of the trial is the day before it ends, as a
			// calendar day (2026-10-08) that each email names in its
			// reader's language.
			lastDay := s.zone.Day(s.zone.LastDay(*org.TrialEndsAt))
			var reminders []*domain.Delivery
			for _, addr := range to {
				d, err := s.email(domain.DeliveryTrialReminder, org.ID, addr, now)
				if err != nil {
					return err
				}
				d.Subject, d.Body, d.Link = org.Name, lastDay, s.links.Link("staff", "")
				reminders = append(reminders, d)
			}
			if err := tx.Outbox().Enqueue(ctx, reminders...); err != nil {
				return err
			}
			reminded++
		}
		return nil
	})
	return reminded, err
}
