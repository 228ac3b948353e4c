package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/whisper-schools/whisper/adapters/mail/smtptest"
)

// The alert rules and the dashboard that ship in deploy/ name metrics by
// their text; a metric renamed or dropped in whisperd would leave an alert
// that can never fire and a panel that shows nothing. So a real whisperd
// is started and scraped, and every metric they use must be there.
func TestEveryMonitoredMetricIsExported(t *testing.T) {
	used := map[string][]string{} // metric name -> where it is used
	for _, expr := range alertExpressions(t, filepath.Join("..", "..", "deploy", "prometheus", "alerts.yml")) {
		for _, name := range metricNames(expr) {
			used[name] = append(used[name], "deploy/prometheus/alerts.yml")
		}
	}
	for _, expr := range dashboardExpressions(t, filepath.Join("..", "..", "deploy", "grafana", "whisper.json")) {
		for _, name := range metricNames(expr) {
			used[name] = append(used[name], "deploy/grafana/whisper.json")
		}
	}
	// A check that finds nothing passes whatever whisperd exports.
	require.Contains(t, used, "whisper_outbox_pending", "the expressions were read")
	require.Contains(t, used, "whisper_http_request_duration_seconds_bucket", "the expressions were read")

	// Some metrics have labels, and a labelled metric appears only once it
	// has a value: whisperd makes one of each here. The demo's form takes
	// a report whose reporter gave an address that the mail server refuses
	// for good, so that the relay gives up on their link (a failed
	// delivery); the page and the post are requests; the purge runs at
	// start.
	smtp := smtptest.Start(t, "", "")
	smtp.Refuse("gone@example.org", 550, "5.1.1 <gone@example.org>: no such user")
	in := start(t, []string{"--demo", "--database-url", "sqlite:" + filepath.Join(t.TempDir(), "whisper.db")}, withSMTP(smtp, map[string]string{
		"WHISPER_METRICS_LISTEN":       "127.0.0.1:0",
		"WHISPER_OUTBOX_POLL_INTERVAL": "20ms",
	}))
	require.NotEmpty(t, in.metricsURL)
	status, form := get(t, in.url+"/r/demo")
	require.Equal(t, http.StatusOK, status)
	category := regexp.MustCompile(`<option value="([^"]+)"`).FindStringSubmatch(form)
	require.NotNil(t, category)
	resp, body := reporterPost(t, in, "/r/demo", url.Values{"message": {"Someone keeps taking my lunch money."},
		"email": {"gone@example.org"}, "category": {category[1]}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)

	var families map[string]*dto.MetricFamily
	eventually(t, "the refused link to be given up on", func() bool {
		families = scrapeFamilies(t, in.metricsURL+"/metrics")
		_, ok := families["whisper_outbox_failed_total"]
		return ok
	})

	// The two gauges the rules added are right on a healthy instance: it is
	// ready, and its purge at start succeeded.
	require.Contains(t, families, "whisper_ready")
	assert.Equal(t, 1.0, families["whisper_ready"].GetMetric()[0].GetGauge().GetValue())
	require.Contains(t, families, "whisper_purge_last_success_timestamp_seconds")
	assert.Greater(t, families["whisper_purge_last_success_timestamp_seconds"].GetMetric()[0].GetGauge().GetValue(), 0.0,
		"the purge before serving succeeded")

	names := make([]string, 0, len(used))
	for name := range used {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		assert.True(t, exported(families, name), "%s, used in %s, is not exported by whisperd",
			name, strings.Join(slices.Compact(used[name]), " and "))
	}
}

// alertExpressions reads the expr of every rule in a Prometheus rules file.
func alertExpressions(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var file struct {
		Groups []struct {
			Rules []struct {
				Expr string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	require.NoError(t, yaml.Unmarshal(b, &file), path)
	var exprs []string
	for _, g := range file.Groups {
		for _, r := range g.Rules {
			exprs = append(exprs, r.Expr)
		}
	}
	require.NotEmpty(t, exprs, path)
	return exprs
}

// dashboardExpressions reads every "expr" in a Grafana dashboard, wherever
// it sits: panels, rows' panels, variables.
func dashboardExpressions(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var doc any
	require.NoError(t, json.Unmarshal(b, &doc), path)
	var exprs []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if e, ok := v["expr"].(string); ok {
				exprs = append(exprs, e)
			}
			for _, child := range v {
				walk(child)
			}
		case []any:
			for _, child := range v {
				walk(child)
			}
		}
	}
	walk(doc)
	require.NotEmpty(t, exprs, path)
	return exprs
}

var (
	// quoted strips label values and regular expressions, which are not
	// metric names even when they look like one.
	quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	// metricName matches the names whisperd exports: its own, and the Go
	// runtime's and the process's from client_golang's collectors. (up is
	// Prometheus's own.)
	metricName = regexp.MustCompile(`\b(?:whisper|process|go)_[a-z0-9_]+\b`)
)

// metricNames lists the metric names an expression uses.
func metricNames(expr string) []string {
	return metricName.FindAllString(quoted.ReplaceAllString(expr, `""`), -1)
}

// exported says whether families hold the metric name, taking a
// histogram's or summary's _bucket, _count and _sum as the histogram's.
func exported(families map[string]*dto.MetricFamily, name string) bool {
	if mf, ok := families[name]; ok && len(mf.GetMetric()) > 0 {
		return true
	}
	for _, suffix := range []string{"_bucket", "_count", "_sum"} {
		base, ok := strings.CutSuffix(name, suffix)
		if !ok {
			continue
		}
		mf, ok := families[base]
		if ok && len(mf.GetMetric()) > 0 && (mf.GetType() == dto.MetricType_HISTOGRAM ||
			(mf.GetType() == dto.MetricType_SUMMARY && suffix != "_bucket")) {
			return true
		}
	}
	return false
}

// scrapeFamilies reads a /metrics page in the Prometheus text format.
func scrapeFamilies(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(io.LimitReader(resp.Body, 10<<20))
	require.NoError(t, err)
	return families
}
