package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/mail"
	"github.com/whisper-schools/whisper/adapters/mail/smtptest"
	"github.com/whisper-schools/whisper/adapters/metrics"
	"github.com/whisper-schools/whisper/adapters/passhash"
	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/adapters/store/pgtest"
	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// refusalRig is a school with an admin, whose outbox a relay sends to a
// real SMTP server, counting into real metrics.
type refusalRig struct {
	school
	smtp    *smtptest.Server
	relay   *app.Relay
	metrics *metrics.Metrics
	logs    *bytes.Buffer
}

func newRefusalRig(t *testing.T, st ports.Store) refusalRig {
	t.Helper()
	m := metrics.New(nil)
	h := harness{store: st, clock: &fixedClock{start}, hasher: passhash.New(passhash.TestParams(), 2)}
	h.svc = app.New(app.Deps{Store: st, Clock: h.clock, Random: rand.Reader, Hasher: h.hasher, Meter: m, PublicURL: "https://whisper.example.org/"})
	s := newSchoolOn(t, h)
	_, err := s.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: s.form.OrgID, Email: "head@oakfield.example", FirstName: "Sam",
		Role: domain.RoleAdmin, Password: "a long enough passphrase"})
	require.NoError(t, err)
	srv := smtptest.Start(t, "", "")
	mailer, err := mail.NewSMTP(mail.Config{From: "whisper@example.org", Host: srv.Host(), Port: srv.Port(), TLS: "none",
		PublicURL: "https://whisper.example.org", Timeout: 5 * time.Second})
	require.NoError(t, err)
	var logs bytes.Buffer
	relay := s.svc.Delivery.NewRelay(mailer, nil, app.RelayConfig{
		Lease: 2 * time.Minute, RetryMin: 10 * time.Second, RetryMax: time.Hour, MaxAttempts: 5,
	}, slog.New(slog.NewJSONHandler(&logs, nil)))
	return refusalRig{school: s, smtp: srv, relay: relay, metrics: m, logs: &logs}
}

func (r refusalRig) pass(t *testing.T) app.Relayed {
	t.Helper()
	got, err := r.relay.Pass(context.Background())
	require.NoError(t, err)
	return got
}

func (r refusalRig) to(addr string) []smtptest.Received {
	var out []smtptest.Received
	for _, m := range r.smtp.Messages() {
		if m.To[0] == addr {
			out = append(out, m)
		}
	}
	return out
}

func (r refusalRig) scrape(t *testing.T) string {
	t.Helper()
	rec := httptest.NewRecorder()
	r.metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

// logLines are the relay's log lines with msg containing substr.
func (r refusalRig) logLines(t *testing.T, substr string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(r.logs.String()), "\n") {
		var v map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &v), line)
		if strings.Contains(v["msg"].(string), substr) {
			out = append(out, v)
		}
	}
	return out
}

// A 550 fails at once, is counted and never retried; for a staff alert
// the organisation's admins are told, for a reporter's link only the
// operator's log. A 451 keeps the retry schedule.
func testRefusals(t *testing.T, st ports.Store) {
	r := newRefusalRig(t, st)
	r.smtp.Refuse("dsl@oakfield.example", 550, "5.1.1 <dsl@oakfield.example>: Recipient address rejected")
	r.smtp.Refuse("alex@oakfield.example", 451, "4.2.0 alex@oakfield.example: mailbox busy, try later")
	r.smtp.Refuse(secretMail, 550, "5.1.1 <"+secretMail+">: no such user")
	_, err := r.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: secretBody, Email: secretMail})
	require.NoError(t, err)

	got := r.pass(t)
	assert.Equal(t, 2, got.Failed, "the two 550s fail at once: %+v", got)
	assert.Equal(t, 1, got.Retried, "the 451 waits for its retry: %+v", got)
	notices := r.to("head@oakfield.example")
	require.Len(t, notices, 1, "the admin is told of the refused staff alert, once, and of nothing else")
	assert.Contains(t, notices[0].Data, "Subject: Oakfield Primary: a Whisper email to your staff was refused")
	assert.Contains(t, notices[0].Data, "dsl@oakfield.example")
	assert.Contains(t, notices[0].Data, "550 5.1.1 <redacted>: Recipient address rejected")
	assert.NotContains(t, notices[0].Data, secretMail, "the school never learns a reporter's address")

	out := r.scrape(t)
	assert.Contains(t, out, `whisper_outbox_failed_total{kind="staff_new_report",reason="permanent"} 1`)
	assert.Contains(t, out, `whisper_outbox_failed_total{kind="reporter_link",reason="permanent"} 1`)

	reporter := r.logLines(t, "reporter's message was refused")
	require.Len(t, reporter, 1, "the operator's log says the reporter's link was refused")
	assert.Equal(t, "WARN", reporter[0]["level"])
	assert.Equal(t, "reporter_link", reporter[0]["kind"])
	assert.EqualValues(t, 550, reporter[0]["code"])
	assert.Regexp(t, `^dlv_`, reporter[0]["delivery"])
	var replies []string
	for _, l := range r.logLines(t, "delivery attempt failed") {
		replies = append(replies, l["reply"].(string))
	}
	assert.ElementsMatch(t, []string{"5.1.1 <redacted>: Recipient address rejected", "4.2.0 <redacted>: mailbox busy, try later",
		"5.1.1 <redacted>: no such user"}, replies)
	assert.NotContains(t, r.logs.String(), "@oakfield.example", "no address in the log")
	assert.NotContains(t, r.logs.String(), secretMail)

	// Hours later the server takes alex's mail again: the 451 is retried
	// and sent; the 550s are never tried again.
	r.smtp.Refuse("alex@oakfield.example", 0, "")
	for range 3 {
		r.clock.t = r.clock.t.Add(2 * time.Hour)
		r.pass(t)
	}
	assert.Len(t, r.to("alex@oakfield.example"), 1)
	assert.Empty(t, r.to("dsl@oakfield.example"))
	assert.Empty(t, r.to(secretMail))
	assert.Len(t, r.to("head@oakfield.example"), 1)
	out = r.scrape(t)
	assert.Contains(t, out, `whisper_delivery_attempts_total{kind="staff_new_report",outcome="failed"} 1`, "one attempt each")
	assert.Contains(t, out, `whisper_delivery_attempts_total{kind="reporter_link",outcome="failed"} 1`)
}

func TestRelayFailsPermanentRefusalsAtOnceOnSQLite(t *testing.T) {
	testRefusals(t, storetest.OpenSQLite(t))
}

func TestRelayFailsPermanentRefusalsAtOnceOnPostgres(t *testing.T) {
	st, err := store.Open(context.Background(), pgtest.NewDatabase(t), storetest.Keys(t))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	testRefusals(t, st)
}

// When the admins' own address is refused too, the notice to them fails
// and is only logged: no notice about a notice.
func TestARefusedNoticeToAdminsIsOnlyLogged(t *testing.T) {
	r := newRefusalRig(t, storetest.OpenSQLite(t))
	for _, addr := range []string{"dsl@oakfield.example", "alex@oakfield.example", "head@oakfield.example"} {
		r.smtp.Refuse(addr, 550, "5.7.1 Relaying denied")
	}
	_, err := r.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: "hello"})
	require.NoError(t, err)
	assert.Equal(t, app.Relayed{Failed: 4}, r.pass(t), "two alerts, then a notice for each, refused in turn")
	assert.Equal(t, app.Relayed{}, r.pass(t), "and nothing more")
	failed := domain.DeliveryFailed
	var list []*domain.Delivery
	require.NoError(t, r.store.View(ctx, func(tx ports.Tx) (err error) {
		list, err = tx.Outbox().List(ctx, ports.OutboxFilter{Status: &failed})
		return err
	}))
	kinds := map[domain.DeliveryKind]int{}
	for _, d := range list {
		kinds[d.Kind]++
		assert.Equal(t, 550, d.LastError.Code)
	}
	assert.Equal(t, map[domain.DeliveryKind]int{domain.DeliveryStaffNewReport: 2, domain.DeliveryMailRefused: 2}, kinds)
	assert.Contains(t, r.scrape(t), `whisper_outbox_failed_total{kind="mail_refused",reason="permanent"} 2`)
}

// A failed delivery keeps what it needs to be sent again for two weeks;
// then housekeeping forgets it, and it can no longer be retried.
func TestHousekeepingForgetsFailedDeliveriesAfterTwoWeeks(t *testing.T) {
	r := newRefusalRig(t, storetest.OpenSQLite(t))
	r.smtp.Refuse("dsl@oakfield.example", 550, "5.1.1 Recipient address rejected")
	_, err := r.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: "hello"})
	require.NoError(t, err)
	require.Equal(t, 1, r.pass(t).Failed)
	failed, _, err := r.svc.Delivery.ListOutbox(ctx, true, 100)
	require.NoError(t, err)
	require.Len(t, failed, 1)
	t0 := r.clock.t

	r.clock.t = t0.Add(13 * 24 * time.Hour)
	tidied, err := r.svc.Operations.Housekeep(ctx)
	require.NoError(t, err)
	assert.Zero(t, tidied.FailedDeliveries)

	r.clock.t = t0.Add(15 * 24 * time.Hour)
	tidied, err = r.svc.Operations.Housekeep(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, tidied.FailedDeliveries)
	err = r.svc.Delivery.RetryDelivery(ctx, app.Operator{Name: "alice"}, failed[0].ID, "relay mended")
	assert.Equal(t, domain.KindConflict, domain.KindOf(err), "%v", err)
	again, _, err := r.svc.Delivery.ListOutbox(ctx, true, 100)
	require.NoError(t, err)
	require.Len(t, again, 1, "the failure is still listed, with its answer")
	assert.Equal(t, 550, again[0].LastError.Code)
}
