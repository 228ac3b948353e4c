package app

import (
	"context"
	"strconv"
	"strings"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// CreateOrganisation is an operator's request for a new tenant.
type CreateOrganisation struct {
	Name string
	// RetentionMonths is 6, 12, 24 or 36; zero means the default.
	RetentionMonths int
	// TrialDays starts the organisation on a trial of that many days; zero
	// makes it active at once.
	TrialDays int
	// ContactEmail and ContactName are whom the operator writes to at the
	// organisation, besides its admins (see Subscriptions.Notify); both
	// may be left empty, a name only with an address.
	ContactEmail, ContactName string
	// Actor names who asks, for the audit log ("os:alice"); empty is the
	// service itself.
	Actor string
}

// CreateOrganisation adds an organisation.
func (s *Operations) CreateOrganisation(ctx context.Context, in CreateOrganisation) (org *domain.Organisation, err error) {
	defer domain.Wrap(&err, "app.Operations.CreateOrganisation")
	retention := domain.DefaultRetention
	if in.RetentionMonths != 0 {
		if retention, err = domain.ParseRetention(in.RetentionMonths); err != nil {
			return nil, err
		}
	}
	id, err := domain.NewOrgID(s.random)
	if err != nil {
		return nil, err
	}
	if org, err = domain.NewOrganisation(id, in.Name, retention, in.TrialDays, s.now()); err != nil {
		return nil, err
	}
	switch {
	case in.ContactEmail != "":
		if org.Contact, err = domain.NewOrgContact(in.ContactEmail, in.ContactName); err != nil {
			return nil, err
		}
	case strings.TrimSpace(in.ContactName) != "":
		return nil, domain.Errorf(domain.KindInvalid, "a contact name needs a contact email address")
	}
	err = s.store.InTx(ctx, func(tx ports.Tx) error {
		if err := tx.Organisations().Create(ctx, org); err != nil {
			return err
		}
		return s.record(ctx, tx, &domain.AuditEntry{Actor: actorOr(in.Actor), Action: domain.AuditOrgCreate, OrgID: org.ID,
			Details: map[string]string{"status": string(org.Status), "retention_months": strconv.Itoa(int(org.Retention))}})
	})
	if err != nil {
		return nil, err
	}
	return org, nil
}
