package app

import (
	"context"
	"strings"

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

func pick(b *domain.Block, kind domain.BlockKind) string {
	if b.Kind == kind {
		return b.Value
	}
	return ""
}

// reporterIdentities lists what the reporter of an interaction is known by:
// their email or phone and, withIP, each distinct IP address of their
// messages.
func reporterIdentities(ctx context.Context, tx ports.Tx, ref domain.Reference, withIP bool) ([]*domain.Block, domain.OrgID, error) {
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
	if !withIP {
		return out, ia.OrgID, nil
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
