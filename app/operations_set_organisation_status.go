package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// SetOrganisationStatus moves an organisation to a new status, recording
// who did it and why in the audit log. Only trial and active organisations accept
// reports; the others keep their data until it is erased on schedule.
func (s *Operations) SetOrganisationStatus(ctx context.Context, op Operator, id domain.OrgID, status domain.OrgStatus, reason string) (org *domain.Organisation, err error) {
	defer domain.Wrap(&err, "app.Operations.SetOrganisationStatus")
	if reason, err = requireReason(reason); err != nil {
		return nil, err
	}
	e := &domain.AuditEntry{Actor: op.Actor(), Action: domain.AuditOrgStatus, OrgID: id, Reason: reason,
		Details: map[string]string{"status": string(status)}}
	defer s.intake.forget()
	err = s.audited(ctx, e, func(tx ports.Tx) error {
		org, err = tx.Organisations().Change(ctx, id, func(org *domain.Organisation) error {
			e.Details["from"] = string(org.Status)
			org.Status = status
			if status != domain.OrgTrial {
				org.TrialEndsAt = nil
			}
			return nil
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return org, nil
}
