package app

import (
	"context"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// ErrPasswordLinkDead answers a set-password link that is unknown, expired
// or used, all alike: a link that once worked and one that never existed
// look the same.
var ErrPasswordLinkDead = &domain.Error{Kind: domain.KindNotFound, Safe: domain.Say("This link does not work any more.")}

// PasswordLinkFor is whose password a set-password link sets.
type PasswordLinkFor struct {
	FirstName string
	Email     string
	ExpiresAt time.Time
	// Language is the member's own language, which the page that sets
	// the password is in unless the visitor chose another.
	Language domain.Language
}

// PasswordLink says whether a set-password link may still be used, and
// for whom. It returns ErrPasswordLinkDead (KindNotFound) when it may not.
func (s *Portal) PasswordLink(ctx context.Context, token string) (out PasswordLinkFor, err error) {
	defer domain.Wrap(&err, "app.Portal.PasswordLink")
	now := s.now()
	err = s.store.View(ctx, func(tx ports.Tx) error {
		link, m, err := usableLink(ctx, tx, token, now)
		if err != nil {
			return err
		}
		out = PasswordLinkFor{FirstName: m.FirstName, Email: m.Email, ExpiresAt: link.ExpiresAt, Language: m.Language}
		return nil
	})
	return out, err
}

// usableLink finds the link a token opens and the account it is for, or
// ErrPasswordLinkDead.
func usableLink(ctx context.Context, tx ports.Tx, token string, now time.Time) (*domain.PasswordLink, *domain.Staff, error) {
	t, err := domain.ParseToken(token)
	if err != nil {
		return nil, nil, ErrPasswordLinkDead
	}
	link, err := tx.Staff().GetPasswordLink(ctx, t.Hash())
	if domain.KindOf(err) == domain.KindNotFound {
		return nil, nil, ErrPasswordLinkDead
	}
	if err != nil {
		return nil, nil, err
	}
	if !link.Usable(now) {
		return nil, nil, ErrPasswordLinkDead
	}
	m, err := tx.Staff().Get(ctx, link.StaffID)
	if domain.KindOf(err) == domain.KindNotFound {
		return nil, nil, ErrPasswordLinkDead
	}
	if err != nil {
		return nil, nil, err
	}
	if m.RemovedAt != nil {
		return nil, nil, ErrPasswordLinkDead
	}
	return link, m, nil
}
