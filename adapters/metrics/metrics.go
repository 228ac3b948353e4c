// Package metrics exposes Whisper's counters and gauges in the Prometheus
// text format, through prometheus/client_golang. Every label is a fixed
// word chosen here; nothing a reporter or staff member typed, and no
// address, number or token, can become a label or a value.
package metrics

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

var _ ports.Meter = (*Metrics)(nil)

// Metrics is one registry of Whisper's metrics.
type Metrics struct {
	reg        *prometheus.Registry
	deliveries *prometheus.CounterVec
}

// OutboxHealth reads the outbox's state when metrics are scraped.
type OutboxHealth func(ctx context.Context) (ports.OutboxHealth, error)

// New builds the registry. outbox, when not nil, is asked for the outbox's
// state at each scrape.
func New(outbox OutboxHealth) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "whisper_delivery_attempts_total",
			Help: "Attempts to send a queued email or text, by kind and outcome (sent, pending: to be retried, failed: given up).",
		}, []string{"kind", "outcome"}),
	}
	m.reg.MustRegister(m.deliveries, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if outbox != nil {
		m.reg.MustRegister(outboxCollector{health: outbox, now: time.Now})
	}
	return m
}

// Delivered counts one delivery attempt.
func (m *Metrics) Delivered(kind domain.DeliveryKind, outcome domain.DeliveryStatus) {
	m.deliveries.WithLabelValues(string(kind), string(outcome)).Inc()
}

// Handler serves the metrics.
func (m *Metrics) Handler() http.Handler {
	// An unreadable outbox must not hide every other metric.
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

var (
	pendingDesc = prometheus.NewDesc("whisper_outbox_pending", "Emails and texts waiting to be sent.", nil, nil)
	ageDesc     = prometheus.NewDesc("whisper_outbox_oldest_pending_age_seconds", "How long the oldest waiting email or text has waited.", nil, nil)
	failedDesc  = prometheus.NewDesc("whisper_outbox_failed", "Emails and texts given up on after their last attempt.", nil, nil)
)

// outboxCollector reads the outbox at scrape time, so the gauges are what
// the database holds, whichever instance sent what.
type outboxCollector struct {
	health OutboxHealth
	now    func() time.Time
}

func (c outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- pendingDesc
	ch <- ageDesc
	ch <- failedDesc
}

func (c outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	h, err := c.health(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(pendingDesc, err)
		return
	}
	age := 0.0
	if h.OldestPending != nil {
		age = c.now().Sub(*h.OldestPending).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(pendingDesc, prometheus.GaugeValue, float64(h.Pending))
	ch <- prometheus.MustNewConstMetric(ageDesc, prometheus.GaugeValue, age)
	ch <- prometheus.MustNewConstMetric(failedDesc, prometheus.GaugeValue, float64(h.Failed))
}
