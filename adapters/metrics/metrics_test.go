package metrics_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
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
	out := scrape(t, m)
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
