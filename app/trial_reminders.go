package app

import (
	"context"
	"strings"
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
			// The last day of the trial is the day before it ends.
			lastDay := org.TrialEndsAt.Add(-time.Nanosecond).Format("2 January 2006")
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

// orgAddresses are whom the service writes to about an organisation's
// subscription: its contact, then its admins, each address once.
func orgAddresses(ctx context.Context, tx ports.Tx, org *domain.Organisation) ([]string, error) {
	members, err := tx.Staff().List(ctx, ports.StaffFilter{OrgID: &org.ID})
	if err != nil {
		return nil, err
	}
	to := []string{org.Contact.Email}
	for _, m := range members {
		if m.Role == domain.RoleAdmin && !m.SignsInElsewhere {
			to = append(to, m.Email)
		}
	}
	return uniqueAddresses(nil, to), nil
}

// uniqueAddresses adds to seen each address not in it yet, in any case,
// and returns those it added, in order.
func uniqueAddresses(seen map[string]bool, addresses []string) []string {
	if seen == nil {
		seen = map[string]bool{}
	}
	var out []string
	for _, a := range addresses {
		if key := strings.ToLower(a); a != "" && !seen[key] {
			seen[key] = true
			out = append(out, a)
		}
	}
	return out
}

// email is an email of kind to one address about org, in English (the
// staff's language), due now.
func (s *core) email(kind domain.DeliveryKind, org domain.OrgID, to string, now time.Time) (*domain.Delivery, error) {
	id, err := domain.NewDeliveryID(s.random)
	if err != nil {
		return nil, err
	}
	return &domain.Delivery{ID: id, Kind: kind, Channel: domain.DeliveryEmail, To: to, Language: domain.English, OrgID: org,
		Status: domain.DeliveryPending, NextAttemptAt: now, CreatedAt: now}, nil
}
