package app

import (
	"context"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// SetTrial sets the last day of an organisation's trial (see
// domain.Organisation.ExtendTrial): to extend it, or to bring back one
// that has ended. It refuses an organisation not on trial (KindConflict)
// and a day already past (KindInvalid), and records who did it and why.
func (s *Subscriptions) SetTrial(ctx context.Context, op Operator, id domain.OrgID, until time.Time, reason string) (org *domain.Organisation, err error) {
	defer domain.Wrap(&err, "app.Subscriptions.SetTrial")
	if reason, err = requireReason(reason); err != nil {
		return nil, err
	}
	now := s.now()
	e := &domain.AuditEntry{Actor: op.Actor(), Action: domain.AuditOrgTrial, OrgID: id, Reason: reason,
		Details: map[string]string{"until": until.Format(time.DateOnly)}}
	defer s.intake.forget()
	err = s.audited(ctx, e, func(tx ports.Tx) error {
		org, err = tx.Organisations().Change(ctx, id, func(org *domain.Organisation) error {
			if org.TrialEndsAt != nil {
				e.Details["from"] = org.TrialEndsAt.Format(time.RFC3339)
			}
			return org.ExtendTrial(until, now, s.zone)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return org, nil
}
