package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// NewRecoveryCodes replaces the actor's recovery codes, after checking
// their password, and returns the new ones to show once.
func (s *Portal) NewRecoveryCodes(ctx context.Context, a *Actor, password string) (codes []string, err error) {
	defer domain.Wrap(&err, "app.Portal.NewRecoveryCodes")
	if !a.Staff.TOTPEnabled {
		return nil, ErrTOTPNotOn
	}
	if err := s.confirmPassword(ctx, a, AuthFieldPassword, password); err != nil {
		return nil, err
	}
	if codes, err = newRecoveryCodes(s.random); err != nil {
		return nil, err
	}
	err = s.store.InTx(ctx, func(tx ports.Tx) error {
		cur, err := tx.Staff().Get(ctx, a.Staff.ID)
		if err != nil {
			return err
		}
		if !cur.TOTPEnabled {
			return ErrTOTPNotOn
		}
		if err := tx.Staff().SetRecoveryCodes(ctx, cur.ID, recoveryCodeHashes(cur.ID, codes)); err != nil {
			return err
		}
		return s.record(ctx, tx, byStaff(a, domain.AuditRecoveryCodes, map[string]string{"staff": string(cur.ID)}))
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}
