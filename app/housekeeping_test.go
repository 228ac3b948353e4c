package app_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/ports"
)

func TestHousekeepingForgetsWhatIsNoLongerNeeded(t *testing.T) {
	s := newSchool(t)
	t0 := s.clock.t
	// A sign-in failure, a text's help record, and a
	// set-password link (from creating a member without a password).
	_, err := s.svc.Portal.SignIn(ctx, app.SignIn{Email: "nobody@example.org", Password: "wrong password!"})
	require.Error(t, err)
	_, err = s.svc.Reporting.ReceiveText(ctx, app.InboundText{MessageUUID: "u1", From: "447700900123", Text: "NOPE hi", Nonce: "n1"})
	require.NoError(t, err)
	_, err = s.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: s.form.OrgID, Email: "new@oakfield.example", FirstName: "New"})
	require.NoError(t, err)

	tidied, err := s.svc.Operations.Housekeep(ctx)
	require.NoError(t, err)
	assert.Equal(t, app.Tidied{}, tidied, "nothing is old enough yet")

	s.clock.t = t0.Add(8 * 24 * time.Hour)
	tidied, err = s.svc.Operations.Housekeep(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, tidied.SignInFailures, "the account's; no address was known")
	assert.Equal(t, 1, tidied.HelpRecords, "the help record; never the nonce or the carrier id")
	assert.Equal(t, 2, tidied.PasswordLinks, "the school's staff member's and the new one's")

	// The help allowance is fresh again; the nonce and the carrier id are
	// still refused.
	out, err := s.svc.Reporting.ReceiveText(ctx, app.InboundText{MessageUUID: "u2", From: "447700900123", Text: "NOPE hi", Nonce: "n2"})
	require.NoError(t, err)
	assert.Equal(t, app.TextHelped, out)
	_, err = s.svc.Reporting.ReceiveText(ctx, app.InboundText{MessageUUID: "u3", From: "447700900123", Text: "NOPE hi", Nonce: "n1"})
	assert.ErrorIs(t, err, app.ErrReplayed)
	out, err = s.svc.Reporting.ReceiveText(ctx, app.InboundText{MessageUUID: "u1", From: "447700900123", Text: "NOPE hi", Nonce: "n3"})
	require.NoError(t, err)
	assert.Equal(t, app.TextDuplicate, out)
	require.NoError(t, s.store.View(ctx, func(tx ports.Tx) error {
		n, _, err := tx.SignInFailures().Get(ctx, "email:nobody@example.org")
		assert.Zero(t, n)
		return err
	}))
}
