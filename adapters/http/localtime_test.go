package http_test

import (
	"encoding/csv"
	"encoding/json"
	"html"
	nethttp "net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// Every page shows times on the school's clock (time_zone, by default
// Europe/London), marked GMT or BST, and <time datetime> and the exports
// carry the offset.
func TestPagesShowLocalTime(t *testing.T) {
	p := newPortal(t)
	// The site's clock is 5 October 2026, 09:00 UTC: British Summer Time.
	summer := p.report("It happened at lunch.")
	p.clock.add(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC).Sub(p.clock.Now()))
	winter := p.report("It happened again at break.")

	for _, c := range []struct {
		token, shown, machine string
	}{
		{summer, "5 October 2026, 10:01 BST", "2026-10-05T10:01:00+01:00"},
		{winter, "1 December 2026, 09:01 GMT", "2026-12-01T09:01:00Z"},
	} {
		r := p.get("/t/" + c.token)
		require.Equal(t, nethttp.StatusOK, r.status)
		assert.Contains(t, html.UnescapeString(r.body), `<time datetime="`+c.machine+`">`+c.shown+`</time>`, "the reporter's page")
		assert.NotContains(t, r.body, "UTC")
		cy := p.get("/t/" + c.token + "?lang=cy")
		assert.Contains(t, cy.body, strings.NewReplacer("October", "Hydref", "December", "Rhagfyr").Replace(c.shown), "in Welsh too")

		staff := p.as(p.admin).get(interactionPath(p.caseRefOf(c.token), ""))
		require.Equal(t, nethttp.StatusOK, staff.status)
		assert.Contains(t, html.UnescapeString(staff.body), `<time datetime="`+c.machine+`">`+c.shown+`</time>`, "the staff's page")
		assert.NotContains(t, staff.body, "UTC")
	}
	list := p.as(p.admin).get("/staff/")
	assert.Contains(t, list.body, "5 October 2026, 10:01 BST")
	assert.Contains(t, list.body, "1 December 2026, 09:01 GMT")
	assert.NotContains(t, list.body, "UTC")

	r := p.as(p.admin).get("/staff/export.csv")
	require.Equal(t, nethttp.StatusOK, r.status)
	records, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	require.NoError(t, err)
	var created []string
	for _, rec := range records[1:] {
		created = append(created, rec[6])
	}
	assert.ElementsMatch(t, []string{"2026-10-05T10:01:00+01:00", "2026-12-01T09:01:00Z"}, created, "ISO 8601 with the offset")
}

// Another zone is used as given, for pages and exports alike.
func TestPagesShowAnotherTimeZone(t *testing.T) {
	auckland, err := time.LoadLocation("Pacific/Auckland")
	require.NoError(t, err)
	p := newPortalWith(t, siteOptions{zone: domain.NewZone(auckland)})
	token := p.report("It happened at lunch.")
	assert.Contains(t, html.UnescapeString(p.get("/t/"+token).body), `<time datetime="2026-10-05T22:01:00+13:00">5 October 2026, 22:01 NZDT</time>`)

	r := p.as(p.admin).get("/staff/export.json")
	require.Equal(t, nethttp.StatusOK, r.status)
	var rows []map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.body), &rows))
	require.Len(t, rows, 1)
	assert.Equal(t, "2026-10-05T22:01:00+13:00", rows[0]["created_at"])
}

// A trial's last day is the school's: set to end after 8 October, it
// ends at midnight BST (23:00 UTC), and the banner names 8 October.
func TestTrialEndsAtMidnightOnTheSchoolsClock(t *testing.T) {
	p := newPortal(t)
	op := app.Operator{Name: "test"}
	_, err := p.svc.Operations.SetOrganisationStatus(ctx, op, p.org.ID, domain.OrgTrial, "trial")
	require.NoError(t, err)
	org, err := p.svc.Subscriptions.SetTrial(ctx, op, p.org.ID, time.Date(2026, 10, 8, 0, 0, 0, 0, time.UTC), "trial")
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 10, 8, 23, 0, 0, 0, time.UTC), org.TrialEndsAt.UTC())

	p.clock.add(time.Date(2026, 10, 8, 22, 59, 0, 0, time.UTC).Sub(p.clock.Now()))
	admin := p.as(p.admin).get("/staff/")
	assert.Contains(t, html.UnescapeString(admin.body), "trial ends after 8 October 2026 (days left: 1)")
	assert.Equal(t, nethttp.StatusOK, p.get("/r/OAK").status, "23:59 BST on the last day")
	p.clock.add(time.Minute)
	assert.Equal(t, nethttp.StatusGone, p.get("/r/OAK").status, "midnight BST: the trial is over")
	assert.Contains(t, html.UnescapeString(p.as(p.admin).get("/staff/").body), "trial ended after 8 October 2026")
}
