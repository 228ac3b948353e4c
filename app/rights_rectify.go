package app

import (
	"context"
	"strings"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Rectification is a reporter's request to put their data right on one
// interaction: exactly one of Email, Phone and Name, the new value.
type Rectification struct {
	Ref    domain.Reference
	Email  string // sensitive
	Phone  string // sensitive; any form ParsePhone reads
	Name   string // sensitive
	Reason string
}

// Rectify corrects the reporter's email address, phone number or name on
// one interaction (the right to rectification), checked by the rules the
// form and texts follow, and returns which field it corrected. The new
// value replaces the old one and its blind index, so a subject access
// request finds the interaction by the new value and not by the old. The
// audit entry names the field, never a value. An erased interaction is
// refused (domain.ErrErased): there is nothing left to correct, and
// nothing is written back.
func (s *Rights) Rectify(ctx context.Context, op Operator, in Rectification) (field string, err error) {
	defer domain.Wrap(&err, "app.Rights.Rectify")
	if in.Reason, err = requireReason(in.Reason); err != nil {
		return "", err
	}
	c, err := s.correction(in)
	if err != nil {
		return "", err
	}
	e := &domain.AuditEntry{Actor: op.Actor(), Action: domain.AuditRectify, Ref: in.Ref, Reason: in.Reason,
		Details: map[string]string{"field": c.Field()}}
	err = s.audited(ctx, e, func(tx ports.Tx) error {
		ia, err := tx.Interactions().GetByRef(ctx, in.Ref)
		if err != nil {
			return err
		}
		e.OrgID = ia.OrgID
		if ia.ErasedAt != nil {
			return domain.ErrErased
		}
		// The write itself states that the interaction is not erased: an
		// erasure since the read above leaves it nothing to write.
		return tx.Interactions().Rectify(ctx, ia.ID, c)
	})
	return c.Field(), err
}

// correction checks the one new value a rectification gives.
func (s *Rights) correction(in Rectification) (c domain.Correction, err error) {
	given := 0
	for _, v := range []string{in.Email, in.Phone, in.Name} {
		if strings.TrimSpace(v) != "" {
			given++
		}
	}
	if given != 1 {
		return c, domain.Errorf(domain.KindInvalid, "give exactly one of --email, --phone or --name, with its new value")
	}
	switch {
	case strings.TrimSpace(in.Email) != "":
		c.Email, err = domain.ParseEmail(in.Email)
	case strings.TrimSpace(in.Phone) != "":
		c.Phone, err = s.parsePhone(in.Phone)
	default:
		c.Name, err = domain.CheckReporterName(in.Name)
	}
	return c, err
}
