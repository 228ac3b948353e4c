package http_test

import (
	"encoding/csv"
	nethttp "net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
)

func TestStatsPage(t *testing.T) {
	p := newPortal(t)
	for range 6 {
		p.report("counted")
	}
	_, err := p.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", InboxID: string(p.second.ID), Body: "online"})
	require.NoError(t, err)

	admin := p.as(p.admin)
	r := admin.get("/staff/stats")
	require.Equal(t, nethttp.StatusOK, r.status)
	assertPageHeaders(t, r)
	assert.NotContains(t, r.body, "<script")
	assert.Contains(t, r.body, `aria-current="page">Statistics</a>`)

	// The table: a row a month, a column an inbox. October's one online
	// report is hidden; so is the 6 beside it, or 7 - 6 would give it away,
	// and so are the inboxes' totals, which would give each away in turn.
	// An empty month shows 0.
	assert.Contains(t, r.body, `<caption id="stats-caption">Reports by month and category, 2025-11 to 2026-10</caption>`)
	assert.Contains(t, r.body, `<th scope="col" class="num">General</th>`)
	assert.Contains(t, r.body, `<th scope="col" class="num">Online worries</th>`)
	october := regexp.MustCompile(`(?s)<th scope="row">October 2026</th>\s*(.*?)</tr>`).FindStringSubmatch(r.body)
	require.NotNil(t, october)
	assert.Equal(t, []string{"*", "*", "7"}, cells(october[1]))
	assert.Equal(t, []string{"0", "0", "0"}, cells(regexp.MustCompile(`(?s)<th scope="row">September 2026</th>\s*(.*?)</tr>`).FindStringSubmatch(r.body)[1]))
	assert.Equal(t, []string{"*", "*", "7"}, cells(regexp.MustCompile(`(?s)<th scope="row">All months</th>\s*(.*?)</tr>`).FindStringSubmatch(r.body)[1]))
	counts := r.body[:strings.Index(r.body, `id="replies-heading"`)]
	assert.Equal(t, 12, strings.Count(counts, `<th scope="row">`)-1, "twelve months and a total row")
	assert.NotContains(t, r.body, "&lt;5")
	assert.Contains(t, r.body, "a count from 1 to 4 shows as “*”. So do a few larger counts, chosen so that no hidden count can be worked out")
	assert.Contains(t, r.body, "Share one table for the months you need")

	// The chart: an image with a title and a description a screen reader
	// reads, a bar per month.
	assert.Regexp(t, `<svg role="img" aria-labelledby="chart-title chart-desc"`, r.body)
	assert.Contains(t, r.body, `<title id="chart-title">`)
	assert.Contains(t, r.body, "Reports received each month: November 2025: 0; ")
	assert.Contains(t, r.body, "October 2026: 7. A hidden figure shows as *.")
	assert.Equal(t, 12, strings.Count(r.body, "<rect "))
	assert.Zero(t, strings.Count(r.body, `stroke-dasharray="3 2"`), "no month's total is hidden")

	// The same figures as a file, hidden alike.
	assert.Contains(t, r.body, `<a href="/staff/stats.csv?from=2025-11&amp;to=2026-10" download>Download these figures (CSV)</a>`)
	f := admin.get("/staff/stats.csv?from=2025-11&to=2026-10")
	require.Equal(t, nethttp.StatusOK, f.status)
	assert.Equal(t, "text/csv; charset=utf-8", f.header.Get("Content-Type"))
	assert.Equal(t, `attachment; filename="whisper-statistics-2025-11-to-2026-10.csv"`, f.header.Get("Content-Disposition"))
	assert.Equal(t, "no-store", f.header.Get("Cache-Control"))
	records, err := csv.NewReader(strings.NewReader(f.body)).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 14, "a header, twelve months and the totals")
	assert.Equal(t, []string{"month", "General", "Online worries", "total"}, records[0])
	assert.Equal(t, []string{"2025-11", "0", "0", "0"}, records[1])
	assert.Equal(t, []string{"2026-10", "*", "*", "7"}, records[12])
	assert.Equal(t, []string{"total", "*", "*", "7"}, records[13])
	f = p.as(p.staff).get("/staff/stats.csv?from=2026-10&to=2026-10")
	require.Equal(t, nethttp.StatusOK, f.status)
	assert.Equal(t, "month,General,total\n2026-10,6,6\ntotal,6,6\n", f.body, "staff count their own inbox")
	f = admin.get("/staff/stats.csv?from=2026-10&to=2025-01")
	assert.Equal(t, nethttp.StatusBadRequest, f.status, "bad months are refused")

	// Staff count only their own inbox.
	r = p.as(p.staff).get("/staff/stats?from=2026-10&to=2026-10")
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.NotContains(t, r.body, "Online worries")
	assert.Contains(t, r.body, `value="2026-10"`)
	assert.Equal(t, 1, strings.Count(r.body, "<rect "))

	// Bad months come back with the error beside the field.
	r = admin.get("/staff/stats?from=last+year&to=2026-10")
	assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, `id="from-error"`)
	assert.Contains(t, r.body, `<a href="#from">`)
	assert.Contains(t, r.body, `value="last year"`)
	assert.NotContains(t, r.body, "<svg")
}

// cells returns the text of a table row's <td> cells.
func cells(row string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<td class="num">(.*?)</td>`).FindAllStringSubmatch(row, -1) {
		out = append(out, m[1])
	}
	return out
}
