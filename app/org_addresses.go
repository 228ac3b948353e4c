package app

import (
	"context"
	"strings"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// adminAddresses are the addresses of org's admins, each once. Members
// removed are not admins any more, and a member who signs in elsewhere
// cannot act here, so neither is written to.
func adminAddresses(ctx context.Context, tx ports.Tx, org domain.OrgID) ([]string, error) {
	members, err := tx.Staff().List(ctx, ports.StaffFilter{OrgID: &org})
	if err != nil {
		return nil, err
	}
	var to []string
	for _, m := range members {
		if m.Role == domain.RoleAdmin && !m.SignsInElsewhere {
			to = append(to, m.Email)
		}
	}
	return uniqueAddresses(nil, to), nil
}

// orgAddresses are whom the service writes to about an organisation's
// subscription: its contact, then its admins, each address once.
func orgAddresses(ctx context.Context, tx ports.Tx, org *domain.Organisation) ([]string, error) {
	admins, err := adminAddresses(ctx, tx, org.ID)
	if err != nil {
		return nil, err
	}
	return uniqueAddresses(nil, append([]string{org.Contact.Email}, admins...)), nil
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

// toAdmins queues a copy of d for each admin of org (see adminAddresses),
// in one statement, and returns how many it queued. d is an email that
// names nothing of a reporter, with its status and times; each copy gets
// its own id and recipient.
func (s *core) toAdmins(ctx context.Context, tx ports.Tx, org domain.OrgID, d domain.Delivery) (int, error) {
	to, err := adminAddresses(ctx, tx, org)
	if err != nil {
		return 0, err
	}
	out := make([]*domain.Delivery, len(to))
	for i, addr := range to {
		id, err := domain.NewDeliveryID(s.random)
		if err != nil {
			return 0, err
		}
		c := d
		c.ID, c.To, c.Channel, c.OrgID = id, addr, domain.DeliveryEmail, org
		out[i] = &c
	}
	return len(out), tx.Outbox().Enqueue(ctx, out...)
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
