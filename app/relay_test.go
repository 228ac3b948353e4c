package app_test

import (
	"bytes"
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
	"github.com/whisper-schools/whisper/adapters/sms"
	"github.com/whisper-schools/whisper/adapters/sms/plivotest"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// relayRig is a school whose outbox is relayed to a real SMTP server and a
// Plivo stand-in.
type relayRig struct {
	school
	smtp  *smtptest.Server
	plivo *plivotest.Server
	relay *app.Relay
	logs  *bytes.Buffer
}

func newRelayRig(t *testing.T, maxAttempts int) relayRig {
	t.Helper()
	s := newSchool(t)
	srv := smtptest.Start(t, "", "")
	mailer, err := mail.NewSMTP(mail.Config{From: "whisper@example.org", Host: srv.Host(), Port: srv.Port(), TLS: "none",
		PublicURL: "https://whisper.example.org", Timeout: 5 * time.Second})
	require.NoError(t, err)
	stand := plivotest.Start(t, "MAID", "tok")
	texter, err := sms.NewPlivo(sms.PlivoConfig{AuthID: "MAID", AuthToken: "tok", Number: "+447700900000", APIURL: stand.URL()})
	require.NoError(t, err)
	var logs bytes.Buffer
	relay := s.svc.Delivery.NewRelay(mailer, texter, app.RelayConfig{
		Lease: 2 * time.Minute, RetryMin: 10 * time.Second, RetryMax: time.Hour, MaxAttempts: maxAttempts,
	}, slog.New(slog.NewJSONHandler(&logs, nil)))
	return relayRig{school: s, smtp: srv, plivo: stand, relay: relay, logs: &logs}
}

func (r relayRig) pass(t *testing.T) app.Relayed {
	t.Helper()
	got, err := r.relay.Pass(context.Background())
	require.NoError(t, err)
	return got
}

func (r relayRig) count(t *testing.T, status domain.DeliveryStatus) int {
	t.Helper()
	var n int
	require.NoError(t, r.store.View(ctx, func(tx ports.Tx) error {
		list, err := tx.Outbox().List(ctx, ports.OutboxFilter{Status: &status})
		n = len(list)
		return err
	}))
	return n
}

func TestRelayDeliversQueuedMail(t *testing.T) {
	r := newRelayRig(t, 5)
	rc, err := r.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: secretBody, Name: secretName, Email: secretMail})
	require.NoError(t, err)

	assert.Equal(t, app.Relayed{Sent: 3}, r.pass(t), "two staff alerts and the reporter's link, one at a time")
	msgs := r.smtp.Messages()
	require.Len(t, msgs, 3)
	var toReporter string
	for _, m := range msgs {
		assert.NotContains(t, m.Data, secretBody)
		assert.NotContains(t, m.Data, secretName)
		if m.To[0] == secretMail {
			toReporter = m.Data
			continue
		}
		assert.NotContains(t, m.Data, secretMail, "staff never see the reporter's address")
		assert.NotContains(t, m.Data, string(rc.Token), "staff never get the reporter's link")
		assert.Contains(t, m.Data, "/staff/interactions/"+string(rc.Ref))
	}
	assert.Contains(t, toReporter, "https://whisper.example.org/t/"+string(rc.Token))

	assert.Equal(t, app.Relayed{}, r.pass(t), "nothing is sent twice")
	assert.Len(t, r.smtp.Messages(), 3)
	assert.Equal(t, 3, r.count(t, domain.DeliverySent))
}

func TestRelayWaitsOutAnOutage(t *testing.T) {
	r := newRelayRig(t, 5)
	_, err := r.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: "hello"})
	require.NoError(t, err)
	r.smtp.Stop()

	assert.Equal(t, app.Relayed{Retried: 2}, r.pass(t))
	assert.Equal(t, 2, r.count(t, domain.DeliveryPending), "the alerts wait in the outbox")
	assert.Equal(t, app.Relayed{}, r.pass(t), "not before their retry time")

	r.smtp.Restart()
	r.clock.t = r.clock.t.Add(11 * time.Second)
	assert.Equal(t, app.Relayed{Sent: 2}, r.pass(t))
	assert.Len(t, r.smtp.Messages(), 2, "delivered once each")
	assert.Equal(t, 0, r.count(t, domain.DeliveryPending))
}

func TestRelayGivesUpAfterMaxAttempts(t *testing.T) {
	r := newRelayRig(t, 3)
	_, err := r.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: "hello", Email: secretMail})
	require.NoError(t, err)
	r.smtp.Stop()
	for range 3 {
		r.pass(t)
		r.clock.t = r.clock.t.Add(2 * time.Hour)
	}
	assert.Equal(t, 3, r.count(t, domain.DeliveryFailed))
	assert.Equal(t, 0, r.count(t, domain.DeliveryPending))
	logs := r.logs.String()
	assert.Contains(t, logs, `"gave_up":true`)
	assert.NotContains(t, logs, secretMail, "logs never name a recipient")
	assert.NotContains(t, logs, "dsl@oakfield.example")
}

func TestRelaySendsTextsAndRetriesTheCarrier(t *testing.T) {
	r := newRelayRig(t, 5)
	rc, err := r.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: "hello"})
	require.NoError(t, err)
	var ia *domain.Interaction
	require.NoError(t, r.store.View(ctx, func(tx ports.Tx) (err error) {
		ia, err = tx.Interactions().GetByRef(ctx, rc.Ref)
		return err
	}))
	text := &domain.Delivery{ID: "dlv_textaaaaaaaaaaaaaaaa", Kind: domain.DeliveryReporterSMS, Channel: domain.DeliverySMS,
		To: "+447700900123", Body: "We have read your message.", Language: domain.English, OrgID: ia.OrgID, InteractionID: ia.ID,
		Status: domain.DeliveryPending, NextAttemptAt: r.clock.t, CreatedAt: r.clock.t}
	require.NoError(t, r.store.InTx(ctx, func(tx ports.Tx) error { return tx.Outbox().Enqueue(ctx, text) }))

	r.plivo.FailNext(1)
	first := r.pass(t)
	assert.Equal(t, 1, first.Retried)
	assert.Empty(t, r.plivo.Sent())
	r.clock.t = r.clock.t.Add(time.Minute)
	r.pass(t)
	sent := r.plivo.Sent()
	require.Len(t, sent, 1)
	assert.Equal(t, "+447700900123", sent[0].Dst)
	assert.Equal(t, "We have read your message.", sent[0].Text)
	assert.False(t, strings.Contains(r.logs.String(), "+447700900123"))
}

// stallingSender stalls past the lease: while it sends, another worker
// claims the delivery. It notes the time it was given.
type stallingSender struct {
	h      harness
	lease  time.Duration
	budget time.Duration
	taken  []*domain.Delivery
}

func (s *stallingSender) Send(ctx context.Context, _ *domain.Delivery) error {
	if deadline, ok := ctx.Deadline(); ok {
		s.budget = time.Until(deadline)
	}
	s.h.clock.t = s.h.clock.t.Add(s.lease + time.Second)
	return s.h.store.InTx(ctx, func(tx ports.Tx) (err error) {
		s.taken, err = tx.Outbox().Claim(ctx, s.h.clock.t, s.lease, 1)
		return err
	})
}

func TestRelayWhoseLeaseRanOutLeavesTheOutcomeToTheNewClaim(t *testing.T) {
	h := newHarness(t)
	text := &domain.Delivery{ID: "dlv_staleaaaaaaaaaaaaaaa", Kind: domain.DeliveryReporterSMS, Channel: domain.DeliverySMS,
		To: "+447700900123", Body: "We have read your message.", Language: domain.English,
		Status: domain.DeliveryPending, NextAttemptAt: h.clock.t, CreatedAt: h.clock.t}
	require.NoError(t, h.store.InTx(ctx, func(tx ports.Tx) error { return tx.Outbox().Enqueue(ctx, text) }))
	stalling := &stallingSender{h: h, lease: 2 * time.Minute}
	var logs bytes.Buffer
	relay := h.svc.Delivery.NewRelay(nil, stalling, app.RelayConfig{
		Lease: stalling.lease, RetryMin: 10 * time.Second, RetryMax: time.Hour, MaxAttempts: 5,
	}, slog.New(slog.NewJSONHandler(&logs, nil)))

	got, err := relay.Pass(ctx)
	require.NoError(t, err, "a lost claim does not stop the pass")
	assert.Equal(t, app.Relayed{Stale: 1}, got)
	assert.Positive(t, stalling.budget)
	assert.LessOrEqual(t, stalling.budget, stalling.lease/2, "a send times out well before the lease ends")
	assert.Contains(t, logs.String(), `"level":"WARN","msg":"delivery outcome not recorded`)
	assert.NotContains(t, logs.String(), "+447700900123")

	require.Len(t, stalling.taken, 1, "the other worker claimed it")
	var list []*domain.Delivery
	require.NoError(t, h.store.View(ctx, func(tx ports.Tx) (err error) {
		list, err = tx.Outbox().List(ctx, ports.OutboxFilter{})
		return err
	}))
	require.Len(t, list, 1)
	assert.Equal(t, domain.DeliveryPending, list[0].Status, "the late relay did not mark it sent over the new claim")
	assert.Equal(t, 2, list[0].Attempts)
	require.NoError(t, h.store.InTx(ctx, func(tx ports.Tx) error {
		return tx.Outbox().MarkSent(ctx, text.ID, stalling.taken[0].Attempts, h.clock.t)
	}), "the new claim records its own outcome")
}

// cancellingSender accepts each message and then asks the pass to stop, as
// a shutdown that begins while a send is under way.
type cancellingSender struct {
	cancel context.CancelFunc
	sent   int
}

func (s *cancellingSender) Send(context.Context, *domain.Delivery) error {
	s.sent++
	s.cancel()
	return nil
}

// cutOffSender is a send that the shutdown cuts off.
type cutOffSender struct{ cancel context.CancelFunc }

func (s cutOffSender) Send(ctx context.Context, _ *domain.Delivery) error {
	s.cancel()
	<-ctx.Done()
	return &domain.Error{Kind: domain.KindUnavailable, Safe: domain.Say("the carrier did not answer"), Err: ctx.Err()}
}

func TestRelayLeavesASendCutOffByShutdownToItsLease(t *testing.T) {
	h := newHarness(t)
	text := &domain.Delivery{ID: "dlv_cutoaaaaaaaaaaaaaaaa", Kind: domain.DeliveryReporterSMS, Channel: domain.DeliverySMS,
		To: "+447700900123", Body: "We have read your message.", Language: domain.English,
		Status: domain.DeliveryPending, NextAttemptAt: h.clock.t, CreatedAt: h.clock.t}
	require.NoError(t, h.store.InTx(ctx, func(tx ports.Tx) error { return tx.Outbox().Enqueue(ctx, text) }))
	passCtx, cancel := context.WithCancel(ctx)
	relay := h.svc.Delivery.NewRelay(nil, cutOffSender{cancel}, app.RelayConfig{
		Lease: 2 * time.Minute, RetryMin: 10 * time.Second, RetryMax: time.Hour, MaxAttempts: 1,
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))

	got, err := relay.Pass(passCtx)
	require.NoError(t, err)
	assert.Equal(t, app.Relayed{}, got)
	var list []*domain.Delivery
	require.NoError(t, h.store.View(ctx, func(tx ports.Tx) (err error) {
		list, err = tx.Outbox().List(ctx, ports.OutboxFilter{})
		return err
	}))
	require.Len(t, list, 1)
	assert.Equal(t, domain.DeliveryPending, list[0].Status, "not given up on for a shutdown, even at its last attempt")
	assert.WithinDuration(t, h.clock.t.Add(2*time.Minute), list[0].NextAttemptAt, time.Millisecond, "it goes again when its lease ends")
}

func TestRelayStopsWithItsContextAndKeepsWhatWasSent(t *testing.T) {
	h := newHarness(t)
	for _, id := range []domain.DeliveryID{"dlv_stopaaaaaaaaaaaaaaaa", "dlv_stopbbbbbbbbbbbbbbbb", "dlv_stopcccccccccccccccc"} {
		text := &domain.Delivery{ID: id, Kind: domain.DeliveryReporterSMS, Channel: domain.DeliverySMS,
			To: "+447700900123", Body: "We have read your message.", Language: domain.English,
			Status: domain.DeliveryPending, NextAttemptAt: h.clock.t, CreatedAt: h.clock.t}
		require.NoError(t, h.store.InTx(ctx, func(tx ports.Tx) error { return tx.Outbox().Enqueue(ctx, text) }))
	}
	passCtx, cancel := context.WithCancel(ctx)
	sender := &cancellingSender{cancel: cancel}
	relay := h.svc.Delivery.NewRelay(nil, sender, app.RelayConfig{
		Lease: 2 * time.Minute, RetryMin: 10 * time.Second, RetryMax: time.Hour, MaxAttempts: 5,
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))

	got, err := relay.Pass(passCtx)
	require.NoError(t, err)
	assert.Equal(t, app.Relayed{Sent: 1}, got, "the send under way is recorded")
	assert.Equal(t, 1, sender.sent, "no further send once the context ended")
	status := domain.DeliverySent
	var sent []*domain.Delivery
	require.NoError(t, h.store.View(ctx, func(tx ports.Tx) (err error) {
		sent, err = tx.Outbox().List(ctx, ports.OutboxFilter{Status: &status})
		return err
	}))
	assert.Len(t, sent, 1, "so a restart does not send it again")
}
