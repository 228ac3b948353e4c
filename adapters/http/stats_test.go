package http_test

import (
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

	// The table: a row a month, a column an inbox, small counts hidden.
	assert.Contains(t, r.body, `<caption id="stats-caption">Reports by month and category, 2025-11 to 2026-10</caption>`)
	assert.Contains(t, r.body, `<th scope="col" class="num">General</th>`)
	assert.Contains(t, r.body, `<th scope="col" class="num">Online worries</th>`)
	october := regexp.MustCompile(`(?s)<th scope="row">October 2026</th>\s*(.*?)</tr>`).FindStringSubmatch(r.body)
	require.NotNil(t, october)
	assert.Equal(t, []string{"6", "&lt;5", "7"}, cells(october[1]))
	assert.Equal(t, []string{"&lt;5", "&lt;5", "&lt;5"}, cells(regexp.MustCompile(`(?s)<th scope="row">September 2026</th>\s*(.*?)</tr>`).FindStringSubmatch(r.body)[1]))
	assert.Equal(t, 12, strings.Count(r.body, `<th scope="row">`)-1, "twelve months and a total row")

	// The chart: an image with a title and a description a screen reader
	// reads, a bar per month.
	assert.Regexp(t, `<svg role="img" aria-labelledby="chart-title chart-desc"`, r.body)
	assert.Contains(t, r.body, `<title id="chart-title">`)
	assert.Contains(t, r.body, "October 2026: 7")
	assert.Contains(t, r.body, "September 2026: &lt;5")
	assert.Equal(t, 12, strings.Count(r.body, "<rect "))
	assert.Equal(t, 11, strings.Count(r.body, `stroke-dasharray="3 2"`), "eleven small months, drawn without a height")

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
