package metrics_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/metrics"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	b, err := io.ReadAll(rec.Body)
	require.NoError(t, err)
	return string(b)
}

func TestDeliveriesAndOutboxGauges(t *testing.T) {
	oldest := time.Now().Add(-90 * time.Second)
	m := metrics.New(func(context.Context) (ports.OutboxHealth, error) {
		return ports.OutboxHealth{Pending: 4, OldestPending: &oldest, Failed: 2}, nil
	})
	m.Delivered(domain.DeliveryStaffNewReport, domain.DeliverySent)
	m.Delivered(domain.DeliveryStaffNewReport, domain.DeliverySent)
	m.Delivered(domain.DeliveryReporterSMS, domain.DeliveryFailed)
	m.DeliveryFailed(domain.DeliveryStaffNewReport, "permanent")
	m.DeliveryFailed(domain.DeliveryReporterSMS, "attempts")
	out := scrape(t, m)
	assert.Contains(t, out, `whisper_outbox_failed_total{kind="staff_new_report",reason="permanent"} 1`)
	assert.Contains(t, out, `whisper_outbox_failed_total{kind="reporter_sms",reason="attempts"} 1`)
	assert.Contains(t, out, `whisper_delivery_attempts_total{kind="staff_new_report",outcome="sent"} 2`)
	assert.Contains(t, out, `whisper_delivery_attempts_total{kind="reporter_sms",outcome="failed"} 1`)
	assert.Contains(t, out, "whisper_outbox_pending 4")
	assert.Contains(t, out, "whisper_outbox_failed 2")
	assert.Regexp(t, `whisper_outbox_oldest_pending_age_seconds (9\d|1\d\d)(\.\d+)?`, out)
}

func TestAnUnreadableOutboxDoesNotHideTheRest(t *testing.T) {
	m := metrics.New(func(context.Context) (ports.OutboxHealth, error) {
		return ports.OutboxHealth{}, domain.Errorf(domain.KindUnavailable, "database down")
	})
	m.Delivered(domain.DeliveryStaffReply, domain.DeliveryPending)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	assert.Contains(t, rec.Body.String(), `whisper_delivery_attempts_total{kind="staff_reply",outcome="pending"} 1`)
}

func TestServiceCounters(t *testing.T) {
	m := metrics.New(nil)
	m.Reported(domain.ChannelWeb)
	m.Reported(domain.ChannelSMS)
	m.Texted("opened")
	m.SignInFailed()
	m.SignInFailed()
	m.Purged(7, 2)
	m.PurgeFailed()
	m.Observe("t", 200, 3*time.Millisecond)
	m.Observe("staff", 404, time.Millisecond)
	out := scrape(t, m)
	for _, want := range []string{
		`whisper_reports_total{channel="web"} 1`, `whisper_reports_total{channel="sms"} 1`,
		`whisper_texts_received_total{outcome="opened"} 1`, "whisper_sign_in_failures_total 2",
		"whisper_purge_runs_total 1", "whisper_purge_failures_total 1", "whisper_erased_total 7", "whisper_held_past_retention 2",
		`whisper_http_request_duration_seconds_count{area="t",status="2xx"} 1`,
		`whisper_http_request_duration_seconds_count{area="staff",status="4xx"} 1`,
	} {
		assert.Contains(t, out, want)
	}
}

func TestPurgeFailuresAreCounted(t *testing.T) {
	m := metrics.New(nil)
	assert.Contains(t, scrape(t, m), "whisper_purge_failures_total 0")
	m.PurgeFailed()
	m.PurgeFailed()
	assert.Contains(t, scrape(t, m), "whisper_purge_failures_total 2")
}

func TestAPurgeRunNotesWhenItLastSucceeded(t *testing.T) {
	m := metrics.New(nil)
	assert.Contains(t, scrape(t, m), "whisper_purge_last_success_timestamp_seconds 0\n", "no run yet")
	m.PurgeFailed()
	assert.Contains(t, scrape(t, m), "whisper_purge_last_success_timestamp_seconds 0\n", "a failed run is no success")
	before := float64(time.Now().Unix())
	m.Purged(0, 0)
	after := float64(time.Now().Unix()) + 1
	got := regexp.MustCompile(`(?m)^whisper_purge_last_success_timestamp_seconds (\S+)$`).FindStringSubmatch(scrape(t, m))
	require.NotNil(t, got)
	at, err := strconv.ParseFloat(got[1], 64)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, at, before)
	assert.LessOrEqual(t, at, after)
}

func TestReadinessIsCheckedAtEachScrape(t *testing.T) {
	m := metrics.New(nil)
	var err error
	m.Readiness(func(ctx context.Context) error {
		_, bounded := ctx.Deadline()
		assert.True(t, bounded, "the check cannot hold the scrape forever")
		return err
	})
	assert.Contains(t, scrape(t, m), "whisper_ready 1\n")
	err = domain.Errorf(domain.KindUnavailable, "database down")
	out := scrape(t, m)
	assert.Contains(t, out, "whisper_ready 0\n")
	assert.NotContains(t, out, "database down", "the reason is not exported")
	err = nil
	assert.Contains(t, scrape(t, m), "whisper_ready 1\n")
}

// The fixed label values exist from the start, at 0, so that rate() sees
// the first report or text as a rise.
func TestLabelledCountersStartAtZero(t *testing.T) {
	out := scrape(t, metrics.New(nil))
	for _, want := range []string{
		`whisper_reports_total{channel="web"} 0`, `whisper_reports_total{channel="sms"} 0`,
		`whisper_texts_received_total{outcome="opened"} 0`, `whisper_texts_received_total{outcome="duplicate"} 0`,
		`whisper_texts_received_total{outcome="linked"} 0`,
	} {
		assert.Contains(t, out, want)
	}
}
