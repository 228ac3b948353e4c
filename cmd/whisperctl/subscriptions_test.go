package main

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/mail"
	"github.com/whisper-schools/whisper/adapters/mail/smtptest"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/cmd/internal/config"
	"github.com/whisper-schools/whisper/cmd/internal/wire"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// subscriberOut is an organisation as whisperctl prints it, with its
// trial and contact.
type subscriberOut struct {
	orgOut
	TrialLastDay     string `json:"trial_last_day"`
	AcceptingReports bool   `json:"accepting_reports"`
	ContactEmail     string `json:"contact_email"`
	ContactName      string `json:"contact_name"`
}

// service is the app over the database whisperctl works on, at clock, as
// whisperd runs it.
func (c operator) service(clock ports.Clock) *app.App {
	c.t.Helper()
	cfg, err := config.Load(config.Options{Getenv: func(k string) string { return c.env[k] }})
	require.NoError(c.t, err)
	st, err := wire.OpenStore(context.Background(), cfg, slog.New(slog.DiscardHandler))
	require.NoError(c.t, err)
	c.t.Cleanup(func() { st.Close() })
	return app.New(app.Deps{Store: st, Clock: clock, Random: rand.Reader, PublicURL: cfg.PublicURL})
}

// deliver sends what the outbox holds through a real SMTP server, as
// whisperd's relay does, and returns what the server received.
func deliver(t *testing.T, svc *app.App) []smtptest.Received {
	t.Helper()
	srv := smtptest.Start(t, "", "")
	mailer, err := mail.NewSMTP(mail.Config{From: "whisper@example.org", Host: srv.Host(), Port: srv.Port(), TLS: "none",
		PublicURL: "https://whisper.example.org", Timeout: 5 * time.Second})
	require.NoError(t, err)
	relay := svc.Delivery.NewRelay(mailer, nil, app.RelayConfig{Lease: time.Minute, RetryMin: time.Second, RetryMax: time.Minute, MaxAttempts: 3},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	_, err = relay.Pass(context.Background())
	require.NoError(t, err)
	return srv.Messages()
}

// recipients are the addresses mail went to, sorted.
func recipients(got []smtptest.Received) []string {
	var out []string
	for _, m := range got {
		out = append(out, m.To...)
	}
	sort.Strings(out)
	return out
}

func TestOperatorSetsAndExtendsTrials(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		require.Equal(t, 0, c.run("", "db", "migrate").code)
		var org subscriberOut
		c.ok(&org, "org", "create", "--name", "Oakfield Primary", "--trial-days", "30")
		assert.Equal(t, "trial", org.Status)
		assert.True(t, org.AcceptingReports)
		london, err := time.LoadLocation("Europe/London")
		require.NoError(t, err)
		assert.Equal(t, time.Now().In(london).AddDate(0, 0, 30).Format(time.DateOnly), org.TrialLastDay, "the last day on the school's clock")

		until := time.Now().UTC().AddDate(0, 2, 0).Format(time.DateOnly)
		c.fails(exitUsage, "org", "trial", org.ID, "--until", until)
		c.fails(exitUsage, "org", "trial", org.ID, "--until", "31/01/2027", "--reason", "extended")
		c.fails(exitUsage, "org", "trial", "--until", until, "--reason", "extended")
		c.fails(exitInvalid, "org", "trial", org.ID, "--until", time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly), "--reason", "extended")
		c.fails(exitNotFound, "org", "trial", "org_"+strings.Repeat("a", 20), "--until", until, "--reason", "extended")

		var extended subscriberOut
		c.ok(&extended, "org", "trial", org.ID, "--until", until, "--reason", "asked for more time, ticket 12")
		assert.Equal(t, until, extended.TrialLastDay)
		last := c.wholeAuditLog()
		e := last[len(last)-1]
		assert.Equal(t, domain.AuditOrgTrial, e.Action)
		assert.Equal(t, "asked for more time, ticket 12", e.Reason)
		assert.Equal(t, until, e.Details["until"])
		assert.Equal(t, osActor(), e.Actor)

		list := c.run("", "org", "list")
		require.Equal(t, 0, list.code, list.stderr)
		assert.Contains(t, list.stdout, "TRIAL ENDS")
		assert.Contains(t, list.stdout, "after "+until)

		var active subscriberOut
		c.ok(&active, "org", "create", "--name", "Birchwood High")
		msg := c.fails(exitConflict, "org", "trial", active.ID, "--until", until, "--reason", "a mistake")
		assert.Contains(t, msg, "not on trial")
		var all []subscriberOut
		c.ok(&all, "org", "list")
		require.Len(t, all, 2)
		assert.Empty(t, all[1].TrialLastDay, "an active organisation is left as it was")
		assert.Len(t, c.wholeAuditLog(), len(last)+1, "a refusal writes no audit entry")
	})
}

// The admins (and the contact) of an organisation whose trial ends soon
// get one email 14 days before and one 3 days before, through a real
// SMTP server; staff do not.
func TestTrialRemindersReachAdminsByEmail(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		s := c.school()
		c.ok(&struct{}{}, "org", "set-status", s.OrgID, "trial", "--reason", "trial")
		until := time.Now().UTC().AddDate(0, 1, 0)
		c.ok(&struct{}{}, "org", "trial", s.OrgID, "--until", until.Format(time.DateOnly), "--reason", "trial")
		c.ok(&struct{}{}, "org", "set-contact", s.OrgID, "--email", "bursar@oakfield.example", "--reason", "the bursar")
		c.ok(&struct{}{}, "staff", "create", "--org", s.OrgID, "--email", "head@oakfield.example", "--first-name", "Hana", "--role", "admin")
		c.ok(&struct{}{}, "staff", "create", "--org", s.OrgID, "--email", "dsl@oakfield.example", "--first-name", "Dev")

		end := time.Date(until.Year(), until.Month(), until.Day()+1, 0, 0, 0, 0, time.UTC)
		clock := &testClock{at: end.AddDate(0, 0, -14).Add(time.Hour)}
		svc := c.service(clock)
		_, err := svc.Operations.Housekeep(context.Background())
		require.NoError(t, err)
		got := deliver(t, svc)
		assert.Equal(t, []string{"bursar@oakfield.example", "head@oakfield.example"}, recipients(got))
		for _, m := range got {
			assert.Contains(t, m.Data, "Oakfield Primary ends on "+until.Format("2 January 2006"))
			assert.Contains(t, m.Data, "https://whisper.example.org/staff/")
		}
		_, err = svc.Operations.Housekeep(context.Background())
		require.NoError(t, err)
		assert.Empty(t, deliver(t, svc), "once")

		clock.at = end.AddDate(0, 0, -3).Add(time.Hour)
		_, err = svc.Operations.Housekeep(context.Background())
		require.NoError(t, err)
		assert.Equal(t, []string{"bursar@oakfield.example", "head@oakfield.example"}, recipients(deliver(t, svc)), "and again 3 days before")
	})
}

func TestOperatorSetsContactsAndSendsNotices(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		require.Equal(t, 0, c.run("", "db", "migrate").code)
		var oak, birch, gone subscriberOut
		c.ok(&oak, "org", "create", "--name", "Oakfield Primary", "--contact-email", "Bursar@Oakfield.example", "--contact-name", "Sam Bursar")
		assert.Equal(t, "Bursar@oakfield.example", oak.ContactEmail)
		assert.Equal(t, "Sam Bursar", oak.ContactName)
		c.fails(exitInvalid, "org", "create", "--name", "Nameless", "--contact-name", "Sam")
		c.fails(exitInvalid, "org", "create", "--name", "Bad", "--contact-email", "not an address")
		c.ok(&birch, "org", "create", "--name", "Birchwood High")
		c.ok(&gone, "org", "create", "--name", "Gone Academy", "--contact-email", "office@gone.example")
		var all []subscriberOut
		c.ok(&all, "org", "list")
		require.Len(t, all, 3, "refused organisations are not created")

		c.fails(exitUsage, "org", "set-contact", birch.ID, "--email", "office@birchwood.example")
		c.fails(exitInvalid, "org", "set-contact", oak.ID, "--email", "head at oakfield", "--reason", "new head")
		c.fails(exitNotFound, "org", "set-contact", "org_"+strings.Repeat("a", 20), "--email", "a@b.example", "--reason", "r")
		c.ok(&all, "org", "list")
		assert.Equal(t, "Bursar@oakfield.example", all[0].ContactEmail, "a refused contact changes nothing")
		c.ok(&oak, "org", "set-contact", oak.ID, "--email", "head@oakfield.example", "--name", "Hana Head", "--reason", "new head")
		assert.Equal(t, "head@oakfield.example", oak.ContactEmail)
		log := c.wholeAuditLog()
		assert.Equal(t, domain.AuditOrgContact, log[len(log)-1].Action)
		assert.NotContains(t, c.run("", "audit", "list", "--json").stdout, "head@oakfield.example", "the audit log does not hold the address")
		list := c.run("", "org", "list")
		assert.Contains(t, list.stdout, "Hana Head <head@oakfield.example>")

		c.ok(&struct{}{}, "staff", "create", "--org", oak.ID, "--email", "Head@oakfield.example", "--first-name", "Hana", "--role", "admin")
		c.ok(&struct{}{}, "staff", "create", "--org", oak.ID, "--email", "deputy@oakfield.example", "--first-name", "Dee", "--role", "admin")
		c.ok(&struct{}{}, "staff", "create", "--org", oak.ID, "--email", "dsl@oakfield.example", "--first-name", "Dev")
		c.ok(&struct{}{}, "staff", "create", "--org", birch.ID, "--email", "head@birchwood.example", "--first-name", "Bea", "--role", "admin")
		c.ok(&struct{}{}, "staff", "create", "--org", gone.ID, "--email", "head@gone.example", "--first-name", "Gil", "--role", "admin")
		c.ok(&struct{}{}, "org", "set-status", birch.ID, "suspended", "--reason", "unpaid")
		c.ok(&struct{}{}, "org", "set-status", gone.ID, "ended", "--reason", "left")

		dir := t.TempDir()
		body := filepath.Join(dir, "maintenance.txt")
		require.NoError(t, os.WriteFile(body, []byte("Whisper will be down for maintenance on Saturday 12 December, 06:00 to 08:00.\n\nReports sent by text in that time are kept.\n"), 0o600))
		empty := filepath.Join(dir, "empty.txt")
		require.NoError(t, os.WriteFile(empty, []byte(" \n"), 0o600))
		const subject = "Planned maintenance: Saturday 12 December"
		before := len(c.wholeAuditLog())
		c.fails(exitUsage, "notify", "--subject", subject, "--body-file", body, "--reason", "maintenance")
		c.fails(exitUsage, "notify", "--subject", subject, "--body-file", body, "--org", oak.ID, "--all", "--reason", "maintenance")
		c.fails(exitUsage, "notify", "--subject", subject, "--body-file", filepath.Join(dir, "missing.txt"), "--all", "--reason", "maintenance")
		c.fails(exitUsage, "notify", "--subject", " ", "--body-file", body, "--all", "--reason", "maintenance")
		c.fails(exitUsage, "notify", "--subject", subject, "--body-file", body, "--all")
		c.fails(exitInvalid, "notify", "--subject", subject, "--body-file", empty, "--all", "--reason", "maintenance")
		c.fails(exitNotFound, "notify", "--subject", subject, "--body-file", body, "--org", "org_"+strings.Repeat("a", 20), "--reason", "maintenance")
		assert.Len(t, c.wholeAuditLog(), before, "nothing refused is audited")

		var sent struct{ Orgs, Emails int }
		c.ok(&sent, "notify", "--subject", subject, "--body-file", body, "--all", "--reason", "maintenance, five business days ahead")
		assert.Equal(t, 2, sent.Orgs, "on trial, active or suspended: not ended")
		assert.Equal(t, 3, sent.Emails, "the contact who is also an admin once")
		log = c.wholeAuditLog()
		require.Len(t, log, before+1, "one audit entry")
		e := log[before]
		assert.Equal(t, domain.AuditNotify, e.Action)
		assert.Equal(t, map[string]string{"subject": subject, "target": "all", "orgs": "2", "emails": "3"}, e.Details)
		assert.NotContains(t, c.run("", "audit", "list", "--json").stdout, "Saturday 12 December, 06:00", "never the body")

		got := deliver(t, c.service(&testClock{}))
		assert.Equal(t, []string{"deputy@oakfield.example", "head@birchwood.example", "head@oakfield.example"}, recipients(got))
		for _, m := range got {
			assert.Contains(t, m.Data, "Subject: "+subject)
			assert.Contains(t, m.Data, "down for maintenance on Saturday")
		}

		c.ok(&sent, "notify", "--subject", "Changes to our terms", "--body-file", body, "--org", gone.ID, "--reason", "terms")
		assert.Equal(t, 1, sent.Orgs, "an ended organisation can still be told by name")
		assert.Equal(t, 2, sent.Emails)
	})
}
