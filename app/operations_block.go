package app

import (
	"context"
	"strconv"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Blocking is an operator's order to block the reporter of an interaction.
type Blocking struct {
	Ref    domain.Reference
	Reason string
	// Days bounds every part of the block; zero leaves the email and
	// phone blocked until lifted and the IP addresses for
	// domain.IPBlockDays.
	Days int
	// IP blocks too every IP address the reporter wrote from. A school
	// often reaches the internet through one address, so this stops every
	// pupil behind it as well.
	IP bool
}

// Block stops the reporter of an interaction — their email address or
// phone number and, only when asked, every IP address they wrote from —
// from opening new interactions. It returns the blocks made, without
// their values.
func (s *Operations) Block(ctx context.Context, op Operator, in Blocking) (made []*domain.Block, err error) {
	defer domain.Wrap(&err, "app.Operations.Block")
	reason, err := requireReason(in.Reason)
	if err != nil {
		return nil, err
	}
	if in.Days < 0 || in.Days > 3650 {
		return nil, domain.Errorf(domain.KindInvalid, "--days is between 1 and 3650, or left out for no end")
	}
	now := s.now()
	until := func(days int) *time.Time {
		if days == 0 {
			return nil
		}
		end := now.AddDate(0, 0, days)
		return &end
	}
	person, ip := until(in.Days), until(domain.IPBlockDays)
	if in.Days > 0 {
		ip = person
	}
	e := &domain.AuditEntry{Actor: op.Actor(), Action: domain.AuditBlock, Ref: in.Ref, Reason: reason,
		Details: map[string]string{"days": strconv.Itoa(in.Days), "ip": strconv.FormatBool(in.IP)}}
	defer s.intake.forget()
	err = s.audited(ctx, e, func(tx ports.Tx) error {
		senders, org, err := reporterIdentities(ctx, tx, in.Ref, in.IP)
		if err != nil {
			return err
		}
		e.OrgID = org
		made = make([]*domain.Block, 0, len(senders))
		for _, b := range senders {
			if b.ID, err = domain.NewBlockID(s.random); err != nil {
				return err
			}
			b.Ref, b.Reason, b.ExpiresAt, b.CreatedAt = in.Ref, reason, person, now
			if b.Kind == domain.BlockIP {
				b.ExpiresAt = ip
			}
			if err := tx.Blocks().Create(ctx, b); err != nil {
				return err
			}
			kept := *b
			kept.Value = ""
			made = append(made, &kept)
		}
		e.Details["blocked"] = strconv.Itoa(len(made))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return made, nil
}
