package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// ResetAuthenticator turns off a member's authenticator app, for one who
// has lost their phone and their recovery codes. Their recovery codes are
// spent and every session of theirs ends; at their next sign-in, with
// their password alone, they must set up an authenticator again before
// the portal shows them anything else. It is audited.
func (s *Admin) ResetAuthenticator(ctx context.Context, a *Actor, id domain.StaffID) (err error) {
	defer domain.Wrap(&err, "app.Admin.ResetAuthenticator")
	if err := requireAdmin(a); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx ports.Tx) error {
		m, err := ownMember(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if err := stillAdmin(ctx, tx, a); err != nil {
			return err
		}
		if err := resetAuthenticator(ctx, tx, m.ID); err != nil {
			return err
		}
		return s.record(ctx, tx, byStaff(a, domain.AuditTOTPReset, map[string]string{"staff": string(m.ID), "enrol": "required"}))
	})
}

// resetAuthenticator turns off member id's authenticator, spends their
// recovery codes, ends their sessions and marks them to set one up again.
// Their last used step stays: a code already used stays used.
func resetAuthenticator(ctx context.Context, tx ports.Tx, id domain.StaffID) error {
	_, err := tx.Staff().Change(ctx, id, func(cur *domain.Staff) error {
		cur.TOTPEnabled, cur.TOTPSecret, cur.EnrolTOTP = false, "", true
		return nil
	})
	if err != nil {
		return err
	}
	if err := tx.Staff().SetRecoveryCodes(ctx, id, nil); err != nil {
		return err
	}
	return tx.Sessions().DeleteForStaff(ctx, id)
}
