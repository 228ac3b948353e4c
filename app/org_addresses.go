package app

import (
	"context"
	"strings"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// adminAddresses are org's admins, each address once, in the language
// each chose. Members removed are not admins any more, and a member who
// signs in elsewhere cannot act here, so neither is written to.
func adminAddresses(ctx context.Context, tx ports.Tx, org domain.OrgID) ([]domain.Recipient, error) {
	members, err := tx.Staff().List(ctx, ports.StaffFilter{OrgID: &org})
	if err != nil {
		return nil, err
	}
	var to []domain.Recipient
	for _, m := range members {
		if m.Role == domain.RoleAdmin && !m.SignsInElsewhere {
			to = append(to, domain.Recipient{Address: m.Email, Language: m.Language.OrEnglish()})
		}
	}
	return uniqueAddresses(nil, to), nil
}

// orgAddresses are whom the service writes to about an organisation's
// subscription: its contact, then its admins, each address once. An
// admin is written to in their own language, and so is the contact when
// the contact address is an admin's; a contact who is no member is
// written to in English: nobody has chosen a language for that address,
// and it is the operator's, not the school's, to set (see
// docs/translation.md).
func orgAddresses(ctx context.Context, tx ports.Tx, org *domain.Organisation) ([]domain.Recipient, error) {
	admins, err := adminAddresses(ctx, tx, org.ID)
	if err != nil {
		return nil, err
	}
	contact := domain.Recipient{Address: org.Contact.Email, Language: domain.English}
	for _, a := range admins {
		if strings.EqualFold(a.Address, contact.Address) {
			contact.Language = a.Language
		}
	}
	return uniqueAddresses(nil, append([]domain.Recipient{contact}, admins...)), nil
}

// uniqueAddresses adds to seen each address not in it yet, in any case,
// and returns those it added, in order.
func uniqueAddresses(seen map[string]bool, recipients []domain.Recipient) []domain.Recipient {
	if seen == nil {
		seen = map[string]bool{}
	}
	var out []domain.Recipient
	for _, r := range recipients {
		if key := strings.ToLower(r.Address); r.Address != "" && !seen[key] {
			seen[key] = true
			out = append(out, r)
		}
	}
	return out
}

// toAdmins queues a copy of d for each admin of org (see adminAddresses),
// in one statement, and returns how many it queued. d is an email that
// names nothing of a reporter, with its status and times; each copy gets
// its own id and recipient, and the recipient's language.
func (s *core) toAdmins(ctx context.Context, tx ports.Tx, org domain.OrgID, d domain.Delivery) (int, error) {
	to, err := adminAddresses(ctx, tx, org)
	if err != nil {
		return 0, err
	}
	out := make([]*domain.Delivery, len(to))
	for i, r := range to {
		id, err := domain.NewDeliveryID(s.random)
		if err != nil {
			return 0, err
		}
		c := d
		c.ID, c.To, c.Channel, c.OrgID, c.Language = id, r.Address, domain.DeliveryEmail, org, r.Language.OrEnglish()
		out[i] = &c
	}
	return len(out), tx.Outbox().Enqueue(ctx, out...)
}

// email is an email of kind to one recipient about org, in their
// language, due now.
func (s *core) email(kind domain.DeliveryKind, org domain.OrgID, to domain.Recipient, now time.Time) (*domain.Delivery, error) {
	id, err := domain.NewDeliveryID(s.random)
	if err != nil {
		return nil, err
	}
	return &domain.Delivery{ID: id, Kind: kind, Channel: domain.DeliveryEmail, To: to.Address, Language: to.Language.OrEnglish(), OrgID: org,
		Status: domain.DeliveryPending, NextAttemptAt: now, CreatedAt: now}, nil
}
