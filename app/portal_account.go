package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Account is what a staff member's account page shows.
type Account struct {
	Staff *domain.Staff
	Org   *domain.Organisation
	// Pending is the authenticator being set up, until a code confirms it.
	Pending *TOTPKey
	// RecoveryCodesLeft counts the unused recovery codes.
	RecoveryCodesLeft int
}

// Account returns the actor's account as their account page shows it.
func (s *Portal) Account(ctx context.Context, a *Actor) (out Account, err error) {
	defer domain.Wrap(&err, "app.Portal.Account")
	out = Account{Staff: a.Staff, Org: a.Org}
	if !a.Staff.TOTPEnabled && a.Staff.TOTPSecret != "" {
		key, err := totpKey(a.Staff.TOTPSecret, a.Staff.Email)
		if err != nil {
			return out, err
		}
		out.Pending = &key
	}
	err = s.store.View(ctx, func(tx ports.Tx) error {
		out.RecoveryCodesLeft, err = tx.Staff().RecoveryCodesLeft(ctx, a.Staff.ID)
		return err
	})
	return out, err
}
