package app

import (
	"context"
	"strings"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Disclosure is a lawful request for a reporter's contact and meta data.
type Disclosure struct {
	Ref       domain.Reference
	Basis     string // court-order, police, consent or vital-interests
	Authority string // who asks, e.g. "Avon and Somerset Police"
	Reference string // their reference, e.g. a court order number
	Reason    string
}

// The lawful bases on which contact and meta data may be disclosed.
var disclosureBases = map[string]bool{"court-order": true, "police": true, "consent": true, "vital-interests": true}

// Disclosed is what a disclosure reveals: the reporter's contact data and
// the meta data of each of their messages.
type Disclosed struct {
	Ref      domain.Reference
	Contact  domain.Contact
	Messages []DisclosedMessage
}

// DisclosedMessage is one reporter message's footprint.
type DisclosedMessage struct {
	At   time.Time
	Meta domain.Meta
}

// Disclose returns an interaction's contact and meta data for a lawful
// request. The audit entry records the basis, authority and reference,
// never the data disclosed.
func (s *Operations) Disclose(ctx context.Context, op Operator, in Disclosure) (out Disclosed, err error) {
	defer domain.Wrap(&err, "app.Operations.Disclose")
	if in.Reason, err = requireReason(in.Reason); err != nil {
		return out, err
	}
	if !disclosureBases[in.Basis] {
		return out, domain.Errorf(domain.KindInvalid, "--basis must be court-order, police, consent or vital-interests")
	}
	in.Authority, in.Reference = strings.TrimSpace(in.Authority), strings.TrimSpace(in.Reference)
	if in.Authority == "" || in.Reference == "" {
		return out, domain.Errorf(domain.KindInvalid, "--authority and --reference name who asks and their reference; both are required")
	}
	e := &domain.AuditEntry{Actor: op.Actor(), Action: domain.AuditDisclose, Ref: in.Ref, Reason: in.Reason,
		Details: map[string]string{"basis": in.Basis, "authority": in.Authority, "reference": in.Reference}}
	err = s.audited(ctx, e, func(tx ports.Tx) error {
		ia, err := tx.Interactions().GetByRef(ctx, in.Ref)
		if err != nil {
			return err
		}
		e.OrgID = ia.OrgID
		out = Disclosed{Ref: ia.Ref}
		if out.Contact, err = tx.Interactions().Contact(ctx, ia.ID); err != nil {
			return err
		}
		msgs, err := tx.Messages().List(ctx, ia.ID)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if m.Author != domain.AuthorReporter {
				continue
			}
			meta, err := tx.Messages().Meta(ctx, m.ID)
			if err != nil {
				return err
			}
			out.Messages = append(out.Messages, DisclosedMessage{At: m.CreatedAt, Meta: meta})
		}
		return nil
	})
	return out, err
}
