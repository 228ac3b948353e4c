package app

import (
	"context"
	"strconv"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Unblock lifts every block on the reporter of an interaction: on their
// email, phone and every IP address they wrote from.
func (s *Operations) Unblock(ctx context.Context, op Operator, ref domain.Reference, reason string) (lifted int, err error) {
	defer domain.Wrap(&err, "app.Operations.Unblock")
	if reason, err = requireReason(reason); err != nil {
		return 0, err
	}
	e := &domain.AuditEntry{Actor: op.Actor(), Action: domain.AuditUnblock, Ref: ref, Reason: reason}
	defer s.intake.forget()
	err = s.audited(ctx, e, func(tx ports.Tx) error {
		senders, org, err := reporterIdentities(ctx, tx, ref, true)
		if err != nil {
			return err
		}
		e.OrgID = org
		for _, b := range senders {
			n, err := tx.Blocks().Lift(ctx, domain.Sender{Email: pick(b, domain.BlockEmail), Phone: pick(b, domain.BlockPhone), IP: pick(b, domain.BlockIP)})
			if err != nil {
				return err
			}
			lifted += n
		}
		e.Details = map[string]string{"lifted": strconv.Itoa(lifted)}
		return nil
	})
	return lifted, err
}
