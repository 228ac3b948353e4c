package main

import (
	"context"
	"crypto/rand"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/passhash"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/cmd/internal/config"
	"github.com/whisper-schools/whisper/cmd/internal/wire"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// portal is the staff portal's app over the database whisperctl works on,
// for a member to sign in as they would in the browser.
func (c operator) portal() (*app.App, ports.Store) {
	c.t.Helper()
	cfg, err := config.Load(config.Options{Getenv: func(k string) string { return c.env[k] }})
	require.NoError(c.t, err)
	st, err := wire.OpenStore(context.Background(), cfg, slog.New(slog.DiscardHandler))
	require.NoError(c.t, err)
	c.t.Cleanup(func() { st.Close() })
	return app.New(app.Deps{Store: st, Clock: &testClock{}, Random: rand.Reader, Hasher: passhash.New(passhash.TestParams(), 1), PublicURL: cfg.PublicURL}), st
}

func TestALockedOutMemberGetsBackInThroughWhisperctl(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		s := c.school()
		r := c.run("plum tractor lantern 47\n", "staff", "create", "--org", s.OrgID, "--email", "dsl@oakfield.example",
			"--first-name", "Alex", "--password-stdin", "--json")
		require.Equal(t, 0, r.code, r.stderr)

		var list []memberJSON
		c.ok(&list, "staff", "list", "--org", s.OrgID)
		require.Len(t, list, 1)
		assert.Equal(t, "dsl@oakfield.example", list[0].Email)
		assert.True(t, list[0].HasPassword)
		id := list[0].ID

		text := c.run("", "staff", "list", "--org", s.OrgID)
		require.Equal(t, 0, text.code, text.stderr)
		assert.Contains(t, text.stdout, id)
		assert.Contains(t, text.stdout, "dsl@oakfield.example")

		c.fails(exitUsage, "staff", "reset", "--id", id)
		c.fails(exitNotFound, "staff", "reset", "--id", "stf_"+strings.Repeat("a", 20), "--reason", "ticket 7")

		var reset resetJSON
		c.ok(&reset, "staff", "reset", "--id", id, "--authenticator", "--reason", "lost phone, ticket 7")
		require.True(t, strings.HasPrefix(reset.SetPasswordURL, "https://whisper.example.org/staff/set-password/"), reset.SetPasswordURL)
		assert.True(t, reset.Authenticator)

		svc, st := c.portal()
		token := reset.SetPasswordURL[strings.LastIndex(reset.SetPasswordURL, "/")+1:]
		require.NoError(t, svc.Portal.SetPassword(context.Background(), token, "violet harbour compass 88", "violet harbour compass 88"))
		in, err := svc.Portal.SignIn(context.Background(), app.SignIn{Email: "dsl@oakfield.example", Password: "violet harbour compass 88"})
		require.NoError(t, err, "back in")
		a, err := svc.Portal.Authenticate(context.Background(), string(in.Token))
		require.NoError(t, err)
		assert.True(t, a.MustEnrolTOTP(), "and must set up an authenticator first")

		var emailed resetJSON
		c.ok(&emailed, "staff", "reset", "--id", id, "--email", "--reason", "asked by phone")
		assert.Empty(t, emailed.SetPasswordURL, "an emailed link is not printed")
		assert.True(t, emailed.Emailed)
		var ds []*domain.Delivery
		require.NoError(t, st.View(context.Background(), func(tx ports.Tx) (err error) {
			ds, err = tx.Outbox().List(context.Background(), ports.OutboxFilter{})
			return err
		}))
		queued := 0
		for _, d := range ds {
			if d.Kind == domain.DeliveryStaffPasswordReset && d.To == "dsl@oakfield.example" {
				queued++
			}
		}
		assert.Equal(t, 1, queued)

		log := c.auditLog()
		assert.Equal(t, 2, strings.Count(strings.Join(actions(log), " "), domain.AuditStaffPasswordLink), "both resets are audited")
	})
}

func TestStaffCreateRefusesACommonPassword(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		s := c.school()
		r := c.run("Liverpool1892!\n", "staff", "create", "--org", s.OrgID, "--email", "a@oakfield.example", "--first-name", "A", "--password-stdin")
		assert.Equal(t, exitInvalid, r.code, r.stderr)
		assert.Contains(t, r.stderr, "too common")
		var list []memberJSON
		c.ok(&list, "staff", "list", "--org", s.OrgID)
		assert.Empty(t, list, "no account was made")
	})
}
