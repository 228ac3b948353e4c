package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/mail"
	"github.com/whisper-schools/whisper/adapters/mail/smtptest"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// An alert that the school's mail server refuses for good (550 Relaying
// denied) fails at once and tells the admin; the operator sees why in
// `outbox list`, without the address, and sends it again with `outbox
// retry` once the server is mended.
func TestOperatorSeesAndRetriesARefusedAlert(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		s := c.school()
		c.ok(&struct{}{}, "staff", "create", "--org", s.OrgID, "--email", "dsl@oakfield.example", "--first-name", "Alex", "--inbox", s.InboxID)
		r := c.run("a long enough passphrase\n", "staff", "create", "--org", s.OrgID, "--email", "head@oakfield.example",
			"--first-name", "Sam", "--role", "admin", "--password-stdin", "--json")
		require.Equal(t, 0, r.code, r.stderr)
		pupils := c.reporters(s.Code)
		pupils.report("", "", pupilIP, "Someone took my phone at break.")

		srv := smtptest.Start(t, "", "")
		srv.Refuse("dsl@oakfield.example", 550, "5.7.1 <dsl@oakfield.example>: Relaying denied")
		pass := relayTo(t, pupils.svc, srv)
		got := pass()
		assert.Equal(t, 1, got.Failed, "the refused alert fails at once: %+v", got)
		var notice *smtptest.Received
		for _, m := range srv.Messages() {
			if m.To[0] == "head@oakfield.example" && strings.Contains(m.Data, "was refused") {
				notice = &m
			}
		}
		require.NotNil(t, notice, "the admin is told")
		assert.Contains(t, notice.Data, "dsl@oakfield.example")
		assert.Contains(t, notice.Data, "550 5.7.1 <redacted>: Relaying denied")

		var failedList outboxListOut
		c.ok(&failedList, "outbox", "list", "--failed")
		failed := failedList.Deliveries
		require.Len(t, failed, 1)
		assert.Equal(t, 1, failedList.Total)
		f := failed[0]
		assert.Equal(t, "staff_new_report", f.Kind)
		assert.Equal(t, "failed", f.State)
		assert.Equal(t, 1, f.Attempts)
		assert.Equal(t, 550, f.LastErrorCode)
		assert.Equal(t, "5.7.1 <redacted>: Relaying denied", f.LastErrorText)
		assert.Equal(t, "Oakfield Primary", f.Organisation)
		text := c.run("", "outbox", "list", "--failed")
		require.Equal(t, 0, text.code, text.stderr)
		assert.Contains(t, text.stdout, f.ID)
		assert.Contains(t, text.stdout, "550 5.7.1 <redacted>: Relaying denied")
		for _, out := range []string{text.stdout, c.run("", "outbox", "list", "--json").stdout} {
			assert.NotContains(t, out, "@oakfield.example", "never an address")
			assert.NotContains(t, out, "/staff/", "never a link")
		}

		assert.Equal(t, app.Relayed{}, pass(), "a failed alert is not retried by itself")

		c.fails(exitUsage, "outbox", "retry", "--id", f.ID)
		c.fails(exitInvalid, "outbox", "retry", "--id", "nope", "--reason", "relay mended")
		c.fails(exitNotFound, "outbox", "retry", "--id", "dlv_aaaaaaaaaaaaaaaaaaaa", "--reason", "relay mended")
		var retried struct{ ID, State string }
		c.ok(&retried, "outbox", "retry", "--id", f.ID, "--reason", "relay mended")
		assert.Equal(t, "pending", retried.State)
		var unsent outboxListOut
		c.ok(&unsent, "outbox", "list")
		require.Len(t, unsent.Deliveries, 1)
		assert.Equal(t, "pending", unsent.Deliveries[0].State)
		c.fails(exitUsage, "outbox", "list", "--limit", "0")

		srv.Refuse("dsl@oakfield.example", 0, "")
		before := len(srv.Messages())
		assert.Equal(t, 1, relayTo(t, pupils.svc, srv)().Sent)
		after := srv.Messages()
		require.Len(t, after, before+1)
		assert.Equal(t, []string{"dsl@oakfield.example"}, after[before].To)
		c.fails(exitConflict, "outbox", "retry", "--id", f.ID, "--reason", "again")

		entries := c.auditLog()
		var retries []auditJSON
		for _, e := range entries {
			if e.Action == domain.AuditOutboxRetry {
				retries = append(retries, e)
			}
		}
		require.Len(t, retries, 1, "only the retry that happened is audited: %v", actions(entries))
		assert.Equal(t, "relay mended", retries[0].Reason)
		assert.Equal(t, s.OrgID, retries[0].OrgID)
		assert.Equal(t, map[string]string{"delivery": f.ID, "kind": "staff_new_report", "was": "failed"}, retries[0].Details)
		assert.Equal(t, osActor(), retries[0].Actor)
	})
}

// relayTo returns one relay pass over svc's outbox to srv, as whisperd's
// relay sends it.
func relayTo(t *testing.T, svc *app.App, srv *smtptest.Server) func() app.Relayed {
	t.Helper()
	mailer, err := mail.NewSMTP(mail.Config{From: "whisper@example.org", Host: srv.Host(), Port: srv.Port(), TLS: "none",
		PublicURL: "https://whisper.example.org", Timeout: 5 * time.Second})
	require.NoError(t, err)
	relay := svc.Delivery.NewRelay(mailer, nil, app.RelayConfig{Lease: time.Minute, RetryMin: time.Hour, RetryMax: time.Hour, MaxAttempts: 5},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	return func() app.Relayed {
		t.Helper()
		got, err := relay.Pass(context.Background())
		require.NoError(t, err)
		return got
	}
}

// A list cut short by --limit says how many more there are; a whole one
// says nothing more.
func TestOutboxListSaysHowManyMore(t *testing.T) {
	z := domain.NewZone(time.UTC)
	one := outboxEntryOut{ID: "dlv_aaaaaaaaaaaaaaaaaaaa", Kind: "staff_new_report", State: "failed", Attempts: 1}
	var cut, whole strings.Builder
	printOutbox(&cut, outboxListOut{Deliveries: []outboxEntryOut{one}, Total: 2314}, z)
	assert.Contains(t, cut.String(), "1 of 2314 shown; --limit to see more.")
	printOutbox(&whole, outboxListOut{Deliveries: []outboxEntryOut{one}, Total: 1}, z)
	assert.Contains(t, whole.String(), one.ID)
	assert.NotContains(t, whole.String(), "shown")
}
