package app

import (
	"context"
	"strconv"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// SetContact sets whom the operator writes to at an organisation, besides
// its admins. A bad address or name is KindInvalid and changes nothing.
// The audit entry says that the contact changed, not who it is.
func (s *Subscriptions) SetContact(ctx context.Context, op Operator, id domain.OrgID, email, name, reason string) (org *domain.Organisation, err error) {
	defer domain.Wrap(&err, "app.Subscriptions.SetContact")
	if reason, err = requireReason(reason); err != nil {
		return nil, err
	}
	contact, err := domain.NewOrgContact(email, name)
	if err != nil {
		return nil, err
	}
	e := &domain.AuditEntry{Actor: op.Actor(), Action: domain.AuditOrgContact, OrgID: id, Reason: reason,
		Details: map[string]string{"named": strconv.FormatBool(contact.Name != "")}}
	err = s.audited(ctx, e, func(tx ports.Tx) error {
		org, err = tx.Organisations().Change(ctx, id, func(org *domain.Organisation) error {
			org.Contact = contact
			return nil
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return org, nil
}
