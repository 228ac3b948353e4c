// Package metrics exposes Whisper's counters and gauges in the Prometheus
// text format, through prometheus/client_golang. Every label is a fixed
// word chosen here; nothing a reporter or staff member typed, and no
// address, number or token, can become a label or a value.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

var _ ports.Meter = (*Metrics)(nil)

// Metrics is one registry of Whisper's metrics.
type Metrics struct {
	reg          *prometheus.Registry
	deliveries   *prometheus.CounterVec
	failed       *prometheus.CounterVec
	reports      *prometheus.CounterVec
	texts        *prometheus.CounterVec
	signInFailed prometheus.Counter
	purgeRuns    prometheus.Counter
	purgeFailed  prometheus.Counter
	erased       prometheus.Counter
	held         prometheus.Gauge
	purgedAt     prometheus.Gauge
	requests     *prometheus.HistogramVec
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
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "whisper_outbox_failed_total",
			Help: "Emails and texts given up on, by kind and reason (permanent: refused for good, such as a 5xx reply; attempts: the last attempt failed too).",
		}, []string{"kind", "reason"}),
		reports: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "whisper_reports_total", Help: "New interactions, by channel.",
		}, []string{"channel"}),
		texts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "whisper_texts_received_total", Help: "Inbound texts, by what became of them (opened, continued, helped, dropped, duplicate).",
		}, []string{"outcome"}),
		signInFailed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "whisper_sign_in_failures_total", Help: "Refused staff sign-ins.",
		}),
		purgeRuns: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "whisper_purge_runs_total", Help: "Retention purge runs.",
		}),
		purgeFailed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "whisper_purge_failures_total", Help: "Retention purge runs that failed, such as one that could not read what is due.",
		}),
		erased: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "whisper_erased_total", Help: "Interactions erased by the retention purge.",
		}),
		held: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "whisper_held_past_retention", Help: "Interactions past their retention kept by a legal hold, at the last purge.",
		}),
		purgedAt: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "whisper_purge_last_success_timestamp_seconds",
			Help: "When this instance last finished a retention purge run without error, in seconds since 1970; 0 until its first since it started.",
		}),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "whisper_http_request_duration_seconds", Help: "HTTP requests, by area of the service (r, t, staff, sms, …) and status class.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"area", "status"}),
	}
	m.reg.MustRegister(m.deliveries, m.failed, m.reports, m.texts, m.signInFailed, m.purgeRuns, m.purgeFailed, m.erased, m.held, m.purgedAt, m.requests,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if outbox != nil {
		m.reg.MustRegister(outboxCollector{health: outbox, now: time.Now})
	}
	// Every fixed label value starts at 0, so that the series exist from
	// the first scrape: rate() and increase() then see the first event as
	// a rise from 0 rather than the start of a new series, and dashboards
	// show 0 rather than "no data".
	for _, channel := range []domain.Channel{domain.ChannelWeb, domain.ChannelSMS} {
		m.reports.WithLabelValues(string(channel))
	}
	for _, outcome := range []app.TextOutcome{app.TextOpened, app.TextContinued, app.TextHelped, app.TextDropped,
		app.TextDuplicate, app.TextLimited, app.TextLinked} {
		m.texts.WithLabelValues(string(outcome))
	}
	return m
}

// Build exports which build is running as whisper_build_info, a gauge of
// 1 whose labels say it, as Prometheus exporters do: dashboards join on it
// to show a version, and alerts can spot instances left on an old one.
func (m *Metrics) Build(version, commit, goVersion string) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        "whisper_build_info",
		Help:        "Always 1; its labels are the running build's version, commit and Go version.",
		ConstLabels: prometheus.Labels{"version": version, "commit": commit, "goversion": goVersion},
	}, func() float64 { return 1 }))
}

// Delivered counts one delivery attempt.
func (m *Metrics) Delivered(kind domain.DeliveryKind, outcome domain.DeliveryStatus) {
	m.deliveries.WithLabelValues(string(kind), string(outcome)).Inc()
}

// DeliveryFailed counts a delivery given up on. reason is one of the
// relay's fixed words.
func (m *Metrics) DeliveryFailed(kind domain.DeliveryKind, reason string) {
	m.failed.WithLabelValues(string(kind), reason).Inc()
}

// Reported counts a new interaction.
func (m *Metrics) Reported(channel domain.Channel) { m.reports.WithLabelValues(string(channel)).Inc() }

// Texted counts an inbound text.
func (m *Metrics) Texted(outcome string) { m.texts.WithLabelValues(outcome).Inc() }

// SignInFailed counts a refused sign-in.
func (m *Metrics) SignInFailed() { m.signInFailed.Inc() }

// Readiness exports whisper_ready, evaluated at each scrape by ready (the
// check behind /readyz), so that an alert can say an instance is not ready
// without Prometheus reaching its public address, which may be behind a
// proxy or a firewall. The check is bounded by readyTimeout: a database
// that hangs reads as not ready rather than stalling the scrape.
func (m *Metrics) Readiness(ready func(ctx context.Context) error) {
	m.reg.MustRegister(readyCollector{ready: ready})
}

// Purged counts a purge run, and notes when it finished: only successful
// runs are counted here (app.Operations.Purge reports failures through
// PurgeFailed), so the timestamp is that of the last success.
func (m *Metrics) Purged(erased, held int) {
	m.purgedAt.SetToCurrentTime()
	m.purgeRuns.Inc()
	m.erased.Add(float64(erased))
	m.held.Set(float64(held))
}

// PurgeFailed counts a purge run that failed.
func (m *Metrics) PurgeFailed() { m.purgeFailed.Inc() }

// Observe records one HTTP request. area is the first segment of the path
// from a fixed list, never the rest, which may hold a conversation token.
func (m *Metrics) Observe(area string, status int, d time.Duration) {
	m.requests.WithLabelValues(area, strconv.Itoa(status/100)+"xx").Observe(d.Seconds())
}

// Handler serves the metrics.
func (m *Metrics) Handler() http.Handler {
	// An unreadable outbox must not hide every other metric.
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

var (
	pendingDesc = prometheus.NewDesc("whisper_outbox_pending", "Emails and texts waiting to be sent.", nil, nil)
	ageDesc     = prometheus.NewDesc("whisper_outbox_oldest_pending_age_seconds", "How long the oldest waiting email or text has waited.", nil, nil)
	failedDesc  = prometheus.NewDesc("whisper_outbox_failed", "Emails and texts given up on: refused for good, or after their last attempt.", nil, nil)
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
		// Zero while the oldest is not yet due (a trailing reply alert).
		age = max(0, c.now().Sub(*h.OldestPending).Seconds())
	}
	ch <- prometheus.MustNewConstMetric(pendingDesc, prometheus.GaugeValue, float64(h.Pending))
	ch <- prometheus.MustNewConstMetric(ageDesc, prometheus.GaugeValue, age)
	ch <- prometheus.MustNewConstMetric(failedDesc, prometheus.GaugeValue, float64(h.Failed))
}

// readyTimeout bounds the readiness check at a scrape, well inside
// Prometheus's default scrape timeout of 10 s, beside the outbox's 5 s.
const readyTimeout = 3 * time.Second

var readyDesc = prometheus.NewDesc("whisper_ready",
	"1 when this instance is ready to serve, as /readyz would answer: its database answers and its schema is this release's; else 0.", nil, nil)

// readyCollector runs the readiness check at scrape time.
type readyCollector struct {
	ready func(ctx context.Context) error
}

func (c readyCollector) Describe(ch chan<- *prometheus.Desc) { ch <- readyDesc }

func (c readyCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	v := 1.0
	if c.ready(ctx) != nil {
		// The reason is in whisperd's log and at /readyz; a label would
		// make a new series of every error's wording.
		v = 0
	}
	ch <- prometheus.MustNewConstMetric(readyDesc, prometheus.GaugeValue, v)
}
