package app

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Operator is someone running whisperctl on the server: they may see
// everything, and every sensitive act they do is audited under their name.
type Operator struct {
	// Name is the operating-system user, e.g. "alice".
	Name string
}

// Actor names the operator in the audit log.
func (o Operator) Actor() string { return "os:" + o.Name }

// requireReason refuses a sensitive act without a reason: the audit log
// must say why, not only who.
func requireReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", domain.Errorf(domain.KindInvalid, "a reason is required: it goes in the audit log")
	}
	if len(reason) > 500 {
		return "", domain.Errorf(domain.KindInvalid, "a reason is at most 500 characters")
	}
	return reason, nil
}

// audited runs fn and the audit entry for it in one transaction, so an act
// is never done without its record, nor recorded without being done.
func (s *core) audited(ctx context.Context, e *domain.AuditEntry, fn func(tx ports.Tx) error) error {
	e.At = s.now()
	return s.store.InTx(ctx, func(tx ports.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return tx.Audit().Append(ctx, e)
	})
}

// ErrUnderHold refuses to erase an interaction on legal hold.
var ErrUnderHold = &domain.Error{Kind: domain.KindConflict, Safe: "this interaction is under a legal hold; release the hold first"}

// Erase erases one interaction now, for a data subject's erasure request.
func (s *Operations) Erase(ctx context.Context, op Operator, ref domain.Reference, reason string) (err error) {
	defer domain.Wrap(&err, "app.Operations.Erase")
	if reason, err = requireReason(reason); err != nil {
		return err
	}
	e := &domain.AuditEntry{Actor: op.Actor(), Action: domain.AuditErase, Ref: ref, Reason: reason}
	return s.audited(ctx, e, func(tx ports.Tx) error {
		ia, err := tx.Interactions().GetByRef(ctx, ref)
		if err != nil {
			return err
		}
		if ia.LegalHold {
			return ErrUnderHold
		}
		e.OrgID = ia.OrgID
		if ia.ErasedAt != nil {
			return nil // erasing again changes nothing
		}
		// The erasing statement checks the hold itself: one set since the
		// read above leaves the interaction as it is.
		erased, err := tx.Interactions().Erase(ctx, s.now(), ia.ID)
		if err != nil || len(erased) > 0 {
			return err
		}
		if ia, err = tx.Interactions().Get(ctx, ia.ID); err != nil {
			return err
		}
		if ia.LegalHold {
			return ErrUnderHold
		}
		return nil // another erasure came first
	})
}

// SetHold sets or releases a legal hold, which stops erasure.
func (s *Operations) SetHold(ctx context.Context, op Operator, ref domain.Reference, hold bool, reason string) (err error) {
	defer domain.Wrap(&err, "app.Operations.SetHold")
	if reason, err = requireReason(reason); err != nil {
		return err
	}
	action := domain.AuditHoldRelease
	if hold {
		action = domain.AuditHoldSet
	}
	e := &domain.AuditEntry{Actor: op.Actor(), Action: action, Ref: ref, Reason: reason}
	return s.audited(ctx, e, func(tx ports.Tx) error {
		ia, err := tx.Interactions().GetByRef(ctx, ref)
		if err != nil {
			return err
		}
		e.OrgID = ia.OrgID
		// Under the row's lock: a hold set here is one no erasure has
		// overtaken, and one that a later erasure will see.
		_, err = tx.Interactions().Change(ctx, ia.ID, func(ia *domain.Interaction) error {
			ia.LegalHold = hold
			return nil
		})
		switch {
		case errors.Is(err, domain.ErrErased) && hold:
			return &domain.Error{Kind: domain.KindConflict, Safe: "this interaction is already erased; there is nothing left to hold", Err: err}
		case errors.Is(err, domain.ErrErased):
			return nil // erased, so not held: there is nothing to release
		}
		return err
	})
}

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

// Block stops the reporter of an interaction — their email, phone number
// and every IP address they wrote from — from opening new interactions,
// for days (zero: until lifted).
func (s *Operations) Block(ctx context.Context, op Operator, ref domain.Reference, reason string, days int) (blocked int, err error) {
	defer domain.Wrap(&err, "app.Operations.Block")
	if reason, err = requireReason(reason); err != nil {
		return 0, err
	}
	if days < 0 || days > 3650 {
		return 0, domain.Errorf(domain.KindInvalid, "--days is between 1 and 3650, or left out for no end")
	}
	now := s.now()
	var expires *time.Time
	if days > 0 {
		end := now.AddDate(0, 0, days)
		expires = &end
	}
	e := &domain.AuditEntry{Actor: op.Actor(), Action: domain.AuditBlock, Ref: ref, Reason: reason,
		Details: map[string]string{"days": strconv.Itoa(days)}}
	defer s.intake.forget()
	err = s.audited(ctx, e, func(tx ports.Tx) error {
		senders, org, err := reporterIdentities(ctx, tx, ref)
		if err != nil {
			return err
		}
		e.OrgID = org
		for _, b := range senders {
			id, err := domain.NewBlockID(s.random)
			if err != nil {
				return err
			}
			b.ID, b.Reason, b.ExpiresAt, b.CreatedAt = id, reason, expires, now
			if err := tx.Blocks().Create(ctx, b); err != nil {
				return err
			}
		}
		blocked = len(senders)
		e.Details["blocked"] = strconv.Itoa(blocked)
		return nil
	})
	return blocked, err
}

// Unblock lifts every block on the reporter of an interaction.
func (s *Operations) Unblock(ctx context.Context, op Operator, ref domain.Reference, reason string) (lifted int, err error) {
	defer domain.Wrap(&err, "app.Operations.Unblock")
	if reason, err = requireReason(reason); err != nil {
		return 0, err
	}
	e := &domain.AuditEntry{Actor: op.Actor(), Action: domain.AuditUnblock, Ref: ref, Reason: reason}
	defer s.intake.forget()
	err = s.audited(ctx, e, func(tx ports.Tx) error {
		senders, org, err := reporterIdentities(ctx, tx, ref)
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

func pick(b *domain.Block, kind domain.BlockKind) string {
	if b.Kind == kind {
		return b.Value
	}
	return ""
}

// reporterIdentities lists what the reporter of an interaction is known by:
// their email or phone, and each distinct IP address of their messages.
func reporterIdentities(ctx context.Context, tx ports.Tx, ref domain.Reference) ([]*domain.Block, domain.OrgID, error) {
	ia, err := tx.Interactions().GetByRef(ctx, ref)
	if err != nil {
		return nil, "", err
	}
	if ia.ErasedAt != nil {
		return nil, "", domain.Errorf(domain.KindConflict, "this interaction is erased; nothing is left to block by")
	}
	c, err := tx.Interactions().Contact(ctx, ia.ID)
	if err != nil {
		return nil, "", err
	}
	var out []*domain.Block
	if c.Email != "" {
		out = append(out, &domain.Block{Kind: domain.BlockEmail, Value: c.Email})
	}
	if c.Phone != "" {
		out = append(out, &domain.Block{Kind: domain.BlockPhone, Value: c.Phone})
	}
	msgs, err := tx.Messages().List(ctx, ia.ID)
	if err != nil {
		return nil, "", err
	}
	seen := map[string]bool{}
	for _, m := range msgs {
		if m.Author != domain.AuthorReporter {
			continue
		}
		meta, err := tx.Messages().Meta(ctx, m.ID)
		if err != nil {
			return nil, "", err
		}
		if meta.IP != "" && !seen[meta.IP] {
			seen[meta.IP] = true
			out = append(out, &domain.Block{Kind: domain.BlockIP, Value: meta.IP})
		}
	}
	return out, ia.OrgID, nil
}
