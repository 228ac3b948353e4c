package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// toAdmins queues a copy of d for each admin of org (members removed are
// not admins any more), in one statement, and returns how many it queued.
// d is an email that names nothing of a reporter, with its status and
// times; each copy gets its own id and recipient.
func (s *core) toAdmins(ctx context.Context, tx ports.Tx, org domain.OrgID, d domain.Delivery) (int, error) {
	members, err := tx.Staff().List(ctx, ports.StaffFilter{OrgID: &org})
	if err != nil {
		return 0, err
	}
	var out []*domain.Delivery
	for _, m := range members {
		if m.Role != domain.RoleAdmin {
			continue
		}
		id, err := domain.NewDeliveryID(s.random)
		if err != nil {
			return 0, err
		}
		c := d
		c.ID, c.To, c.Channel, c.OrgID = id, m.Email, domain.DeliveryEmail, org
		out = append(out, &c)
	}
	return len(out), tx.Outbox().Enqueue(ctx, out...)
}
