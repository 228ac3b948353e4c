package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// DisableTOTP turns off the actor's authenticator app, after checking
// their password, and spends their recovery codes. It is refused while the
// organisation requires one.
func (s *Portal) DisableTOTP(ctx context.Context, a *Actor, password string) (err error) {
	defer domain.Wrap(&err, "app.Portal.DisableTOTP")
	if a.Org.RequireTOTP {
		return ErrTOTPRequired
	}
	if err := s.confirmPassword(ctx, a, AuthFieldPassword, password); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx ports.Tx) error {
		org, err := tx.Organisations().Get(ctx, a.Staff.OrgID)
		if err != nil {
			return err
		}
		if org.RequireTOTP {
			return ErrTOTPRequired
		}
		_, err = tx.Staff().Change(ctx, a.Staff.ID, func(cur *domain.Staff) error {
			// TOTPLastStep stays: a code of a step already used stays used.
			cur.TOTPEnabled, cur.TOTPSecret = false, ""
			return nil
		})
		if err != nil {
			return err
		}
		if err := tx.Staff().SetRecoveryCodes(ctx, a.Staff.ID, nil); err != nil {
			return err
		}
		return s.record(ctx, tx, byStaff(a, domain.AuditTOTPReset, map[string]string{"staff": string(a.Staff.ID)}))
	})
}
