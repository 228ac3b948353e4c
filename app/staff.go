package app

import (
	"context"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// CreateStaff asks for a staff account.
type CreateStaff struct {
	OrgID     domain.OrgID
	Email     string
	FirstName string
	LastName  string
	Role      domain.Role
	InboxIDs  []domain.InboxID
	// Password, when set, becomes the account's password. Otherwise a
	// one-time set-password link is made.
	Password string
}

// StaffCreated is a new account and, when no password was given, the link
// that lets its owner choose one.
type StaffCreated struct {
	Staff *domain.Staff
	// SetPasswordURL is shown once and never stored: only its hash is.
	SetPasswordURL string
	LinkExpiresAt  time.Time
}

// CreateStaff adds a staff account assigned to inboxes of its organisation.
func (s *Service) CreateStaff(ctx context.Context, in CreateStaff) (out StaffCreated, err error) {
	defer domain.Wrap(&err, "app.CreateStaff")
	if in.Role == "" {
		in.Role = domain.RoleStaff
	}
	id, err := domain.NewStaffID(s.random)
	if err != nil {
		return out, err
	}
	if _, err := domain.ParseEmail(in.Email); err != nil {
		return out, err
	}
	// Hashing is slow by design, so it happens before the transaction.
	var hash string
	var link *domain.PasswordLink
	var token domain.Token
	now := s.now()
	if in.Password != "" {
		if err := domain.CheckPassword(in.Password); err != nil {
			return out, err
		}
		if hash, err = s.hasher.Hash(ctx, in.Password); err != nil {
			return out, err
		}
	} else {
		if token, err = domain.NewToken(s.random); err != nil {
			return out, err
		}
		link = &domain.PasswordLink{TokenHash: token.Hash(), StaffID: id, ExpiresAt: now.Add(domain.PasswordLinkLifetime), CreatedAt: now}
	}
	var member *domain.Staff
	err = s.store.InTx(ctx, func(tx ports.Tx) error {
		if _, err := tx.Organisations().Get(ctx, in.OrgID); err != nil {
			return err
		}
		inboxes := make([]*domain.Inbox, 0, len(in.InboxIDs))
		for _, ibID := range in.InboxIDs {
			ib, err := tx.Inboxes().Get(ctx, ibID)
			if err != nil {
				return err
			}
			inboxes = append(inboxes, ib)
		}
		if member, err = domain.NewStaff(id, in.OrgID, in.Email, in.FirstName, in.LastName, in.Role, inboxes, now); err != nil {
			return err
		}
		member.PasswordHash = hash
		if err := tx.Staff().Create(ctx, member); err != nil {
			return err
		}
		if link != nil {
			return tx.Staff().AddPasswordLink(ctx, link)
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	out.Staff = member
	if link != nil {
		out.SetPasswordURL = s.Link("staff", "set-password", string(token))
		out.LinkExpiresAt = link.ExpiresAt
	}
	return out, nil
}
