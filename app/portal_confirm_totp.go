package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// ConfirmTOTP finishes setting up an authenticator app with a code it
// made, and returns new recovery codes. They are shown this once: only
// their hashes are kept. A wrong code is a problem on AuthFieldCode and
// changes nothing.
func (s *Portal) ConfirmTOTP(ctx context.Context, a *Actor, code string) (codes []string, err error) {
	defer domain.Wrap(&err, "app.Portal.ConfirmTOTP")
	codes, err = newRecoveryCodes(s.random)
	if err != nil {
		return nil, err
	}
	now := s.now()
	err = s.store.InTx(ctx, func(tx ports.Tx) error {
		// The member is held while the code is checked and its step
		// recorded, so that one code cannot confirm twice.
		cur, err := tx.Staff().Change(ctx, a.Staff.ID, func(cur *domain.Staff) error {
			if cur.TOTPEnabled {
				return ErrTOTPAlreadyOn
			}
			if cur.TOTPSecret == "" {
				return &domain.Error{Kind: domain.KindConflict, Safe: domain.Say("Setting up an authenticator app had not started, or was cancelled. Please start again.")}
			}
			step, ok := totpStep(cur.TOTPSecret, code, now)
			if !ok || step <= cur.TOTPLastStep {
				return domain.Problems{{Field: AuthFieldCode, Safe: domain.Say("That code did not match. Enter the newest six-digit code your app shows for Whisper; check that your phone's clock is right.")}}.Invalid()
			}
			cur.TOTPEnabled, cur.TOTPLastStep, cur.EnrolTOTP = true, step, false
			return nil
		})
		if err != nil {
			return err
		}
		if err := tx.Staff().SetRecoveryCodes(ctx, cur.ID, recoveryCodeHashes(cur.ID, codes)); err != nil {
			return err
		}
		return s.record(ctx, tx, byStaff(a, domain.AuditTOTPEnrol, map[string]string{"staff": string(cur.ID)}))
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}
