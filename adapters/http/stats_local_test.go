package http_test

import (
	"encoding/csv"
	nethttp "net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The statistics page and its files count each report in the month the
// school's clock (Europe/London) showed when it arrived: five at 23:2x BST
// on 30 September in September, five at 00:2x BST on 1 October and five at
// 23:2x GMT on 31 October in October, five at 00:2x BST on 1 April (when
// UTC still says 31 March) in April. Then the governors' figures: October's
// ten answered after two hours, and the open reports by age.
func TestStatsOnTheSchoolsClock(t *testing.T) {
	for name, pg := range map[string]bool{"sqlite": false, "postgres": true} {
		t.Run(name, func(t *testing.T) { testStatsOnTheSchoolsClock(t, pg) })
	}
}

func testStatsOnTheSchoolsClock(t *testing.T, pg bool) {
	p := newPortalWith(t, siteOptions{postgres: pg})
	at := func(start time.Time) {
		p.clock.mu.Lock()
		p.clock.t = start
		p.clock.mu.Unlock()
	}
	for _, start := range []time.Time{
		time.Date(2026, 9, 30, 22, 20, 0, 0, time.UTC),  // 23:21–23:25 BST, 30 September
		time.Date(2026, 9, 30, 23, 25, 0, 0, time.UTC),  // 00:26–00:30 BST, 1 October
		time.Date(2026, 10, 31, 23, 20, 0, 0, time.UTC), // 23:21–23:25 GMT, 31 October
		time.Date(2026, 3, 31, 23, 25, 0, 0, time.UTC),  // 00:26–00:30 BST, 1 April
	} {
		at(start)
		for range 5 {
			p.report("counted on the school's clock")
		}
	}
	for _, ia := range p.interactions() {
		if ia.CreatedAt.Month() == time.October || ia.CreatedAt.Day() == 30 && ia.CreatedAt.Hour() == 23 {
			at(ia.CreatedAt.Add(2 * time.Hour))
			r := p.as(p.admin).post("/staff/interactions/"+string(ia.Ref)+"/messages", url.Values{"message": {"Thank you for telling us."}})
			require.Equal(t, nethttp.StatusSeeOther, r.status, r.body)
		}
	}
	at(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	admin := p.as(p.admin) // signed in now: a session a month old has ended

	r := admin.get("/staff/stats?from=2026-03&to=2026-11")
	require.Equal(t, nethttp.StatusOK, r.status)
	counts, rest, ok := strings.Cut(r.body, `id="replies-heading"`)
	require.True(t, ok)
	replies, ages, ok := strings.Cut(rest, `id="ages-heading"`)
	require.True(t, ok)
	row := func(html, label string) []string {
		t.Helper()
		m := regexp.MustCompile(`(?s)<th scope="row">` + label + `</th>\s*(.*?)</tr>`).FindStringSubmatch(html)
		require.NotNil(t, m, label)
		return cells(m[1])
	}
	assert.Equal(t, []string{"0", "0", "0"}, row(counts, "March 2026"), "00:26 BST on 1 April is not March")
	assert.Equal(t, []string{"5", "0", "5"}, row(counts, "April 2026"))
	assert.Equal(t, []string{"5", "0", "5"}, row(counts, "September 2026"), "00:26 BST on 1 October is not September")
	assert.Equal(t, []string{"10", "0", "10"}, row(counts, "October 2026"), "23:25 GMT on 31 October is October")
	assert.Equal(t, []string{"0", "0", "0"}, row(counts, "November 2026"))

	assert.Contains(t, replies, `<caption id="replies-caption">Median hours to first reply, by month and category, 2026-03 to 2026-11</caption>`)
	assert.Equal(t, []string{"2.0", "–", "2.0"}, row(replies, "October 2026"))
	assert.Equal(t, []string{"–", "–", "–"}, row(replies, "September 2026"), "five reports, none answered")
	assert.Equal(t, []string{"2.0", "–", "2.0"}, row(replies, "All months"))

	assert.Contains(t, ages, `<caption id="ages-caption">Open reports by category and time since arrival, at 2 November 2026, 12:00 GMT</caption>`)
	assert.Equal(t, []string{"0", "5", "0", "15", "20"}, row(ages, "General"), "31 October's five are two days old; the rest over 30 days")
	assert.Equal(t, []string{"0", "0", "0", "0", "0"}, row(ages, "Online worries"))
	assert.Equal(t, []string{"0", "5", "0", "15", "20"}, row(ages, "All categories"))
	assert.Contains(t, r.body, `<a href="/staff/stats.csv?from=2026-03&amp;table=first-reply&amp;to=2026-11" download>`)
	assert.Contains(t, r.body, `<a href="/staff/stats.csv?table=open-ages" download>`)

	file := func(b *browser, path string) [][]string {
		t.Helper()
		f := b.get(path)
		require.Equal(t, nethttp.StatusOK, f.status, f.body)
		assert.Equal(t, "text/csv; charset=utf-8", f.header.Get("Content-Type"))
		assert.Equal(t, "no-store", f.header.Get("Cache-Control"))
		records, err := csv.NewReader(strings.NewReader(f.body)).ReadAll()
		require.NoError(t, err)
		return records
	}
	records := file(admin, "/staff/stats.csv?from=2026-03&to=2026-11")
	assert.Equal(t, []string{"2026-03", "0", "0", "0"}, records[1])
	assert.Equal(t, []string{"2026-04", "5", "0", "5"}, records[2])
	assert.Equal(t, []string{"2026-09", "5", "0", "5"}, records[7])
	assert.Equal(t, []string{"2026-10", "10", "0", "10"}, records[8])
	records = file(admin, "/staff/stats.csv?from=2026-09&to=2026-10&table=first-reply")
	assert.Equal(t, [][]string{
		{"month", "General", "Online worries", "total"},
		{"2026-09", "–", "–", "–"},
		{"2026-10", "2.0", "–", "2.0"},
		{"total", "2.0", "–", "2.0"},
	}, records)
	records = file(admin, "/staff/stats.csv?table=open-ages")
	assert.Equal(t, [][]string{
		{"category", "under 1 day", "1 to 7 days", "7 to 30 days", "30 days or more", "total"},
		{"General", "0", "5", "0", "15", "20"},
		{"Online worries", "0", "0", "0", "0", "0"},
		{"total", "0", "5", "0", "15", "20"},
	}, records)
	f := admin.get("/staff/stats.csv?table=first-reply")
	assert.Contains(t, f.header.Get("Content-Disposition"), `filename="whisper-first-reply-2025-12-to-2026-11.csv"`, "the last twelve months by default")
	f = admin.get("/staff/stats.csv?table=open-ages")
	assert.Equal(t, `attachment; filename="whisper-open-reports-by-age-2026-11-02.csv"`, f.header.Get("Content-Disposition"))
	assert.Equal(t, nethttp.StatusBadRequest, admin.get("/staff/stats.csv?table=everything").status)
	assert.Equal(t, nethttp.StatusBadRequest, admin.get("/staff/stats.csv?table=first-reply&from=2026-10&to=2026-01").status)

	// Who sees what: a member of the other inbox sees its figures alone,
	// another organisation's admin none of these, and no one signed out.
	records = file(p.as(p.otherInbox), "/staff/stats.csv?table=open-ages")
	assert.Equal(t, [][]string{{"category", "under 1 day", "1 to 7 days", "7 to 30 days", "30 days or more", "total"},
		{"Online worries", "0", "0", "0", "0", "0"}, {"total", "0", "0", "0", "0", "0"}}, records)
	records = file(p.as(p.staff), "/staff/stats.csv?from=2026-10&to=2026-10&table=first-reply")
	assert.Equal(t, [][]string{{"month", "General", "total"}, {"2026-10", "2.0", "2.0"}, {"total", "2.0", "2.0"}}, records)
	records = file(p.as(p.adminB), "/staff/stats.csv?table=open-ages")
	assert.Equal(t, []string{"total", "0", "0", "0", "0", "0"}, records[len(records)-1], "nothing of another organisation")
	records = file(p.as(p.adminB), "/staff/stats.csv?from=2026-10&to=2026-10&table=first-reply")
	assert.Equal(t, []string{"2026-10", "–", "–"}, records[1])
	for _, path := range []string{"/staff/stats.csv?table=open-ages", "/staff/stats.csv?table=first-reply", "/staff/stats?from=2026-10"} {
		out := p.get(path)
		assert.Equal(t, nethttp.StatusSeeOther, out.status, path)
		assert.NotContains(t, out.body, "General", path)
	}

	// In Welsh: the months named in Welsh, the new tables' words too.
	admin.confirmed(admin.post("/staff/account/language", url.Values{"lang": {"cy"}}), "/staff/account",
		"Mae'r porth a'ch negeseuon e-bost bellach yn defnyddio'r iaith a ddewisoch.")
	r = admin.get("/staff/stats?from=2026-09&to=2026-10")
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Contains(t, r.body, `<html lang="cy">`)
	assert.Equal(t, []string{"10", "0", "10"}, row(r.body[:strings.Index(r.body, `id="replies-heading"`)], "Hydref 2026"))
	assert.Contains(t, r.body, "Amser hyd at yr ateb cyntaf")
	assert.Contains(t, r.body, "Oriau canolrifol hyd at yr ateb cyntaf, fesul mis a chategori, 2026-09 i 2026-10")
	assert.Contains(t, r.body, "Adroddiadau agored yn ôl oed")
	assert.Contains(t, r.body, "30 diwrnod neu fwy")
	assert.Contains(t, r.body, "am 2 Tachwedd 2026, 12:00 GMT")
	assert.NotContains(t, r.body, "Time to first reply")
	assert.Contains(t, r.body, "Medi 2026: 5; Hydref 2026: 10.", "the chart's description")
	assert.Contains(t, r.body, `fill="#4a4f57">Hyd</text>`, "and its axis")
	assert.NotContains(t, r.body, "October 2026")
}
