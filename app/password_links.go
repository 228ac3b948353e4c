package app

import (
	"context"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// linkDraft is what a set-password link for an existing member needs from
// outside the transaction: random draws, which would be redone if the
// transaction were retried.
type linkDraft struct {
	token    domain.Token
	delivery domain.DeliveryID
	now      time.Time
}

func (s *core) draftLink() (d linkDraft, err error) {
	if d.token, err = domain.NewToken(s.random); err != nil {
		return d, err
	}
	if d.delivery, err = domain.NewDeliveryID(s.random); err != nil {
		return d, err
	}
	d.now = s.now()
	return d, nil
}

// IssuedLink is a set-password link made for an existing member.
type IssuedLink struct {
	// URL is shown once, or emailed, and never stored: only its hash is.
	URL       string
	ExpiresAt time.Time
}

// keepLink keeps, inside tx, the hash of a set-password link for m that
// works for lifetime, and returns the link. Earlier links stay usable
// until they expire: whichever the member opens first sets the password,
// and any of them signs out every session.
func (s *core) keepLink(ctx context.Context, tx ports.Tx, m *domain.Staff, d linkDraft, lifetime time.Duration) (IssuedLink, error) {
	link := &domain.PasswordLink{TokenHash: d.token.Hash(), StaffID: m.ID, ExpiresAt: d.now.Add(lifetime), CreatedAt: d.now}
	if err := tx.Staff().AddPasswordLink(ctx, link); err != nil {
		return IssuedLink{}, err
	}
	return IssuedLink{URL: s.links.Link("staff", "set-password", string(d.token)), ExpiresAt: link.ExpiresAt}, nil
}

// errCannotSignIn refuses a link for a member who could not use it: their
// address signs in to another organisation's account.
var errCannotSignIn = domain.Errorf(domain.KindConflict, "this member's address signs in to another organisation's account, so a link would open nothing; change their address first")

// sendLink keeps a link for m and queues the email that carries it: an
// invitation while m has never chosen a password, a reset once they have.
// It returns the link.
func (s *core) sendLink(ctx context.Context, tx ports.Tx, m *domain.Staff, d linkDraft) (IssuedLink, error) {
	if m.SignsInElsewhere {
		return IssuedLink{}, errCannotSignIn
	}
	org, err := tx.Organisations().Get(ctx, m.OrgID)
	if err != nil {
		return IssuedLink{}, err
	}
	lifetime, mail := domain.PasswordResetLifetime, domain.StaffPasswordReset
	if m.PasswordHash == "" {
		lifetime, mail = domain.PasswordLinkLifetime, domain.StaffInvite
	}
	link, err := s.keepLink(ctx, tx, m, d, lifetime)
	if err != nil {
		return IssuedLink{}, err
	}
	return link, tx.Outbox().Enqueue(ctx, mail(d.delivery, m, org, link.URL, d.now))
}
