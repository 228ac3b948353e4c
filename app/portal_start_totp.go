package app

import (
	"context"

	"github.com/pquerna/otp/totp"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// StartTOTP begins setting up an authenticator app: it makes a new secret
// and keeps it, sealed, until ConfirmTOTP sees a code made from it. Until
// then sign-in does not ask for codes. Starting again replaces the secret.
func (s *Portal) StartTOTP(ctx context.Context, a *Actor) (key TOTPKey, err error) {
	defer domain.Wrap(&err, "app.Portal.StartTOTP")
	k, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: a.Staff.Email, Period: totpPeriod, Rand: s.random})
	if err != nil {
		return key, err
	}
	err = s.store.InTx(ctx, func(tx ports.Tx) error {
		_, err := tx.Staff().Change(ctx, a.Staff.ID, func(cur *domain.Staff) error {
			if cur.TOTPEnabled {
				return ErrTOTPAlreadyOn
			}
			cur.TOTPSecret = k.Secret()
			return nil
		})
		return err
	})
	if err != nil {
		return key, err
	}
	return TOTPKey{Secret: k.Secret(), URL: k.URL()}, nil
}
