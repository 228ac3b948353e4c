package app_test

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// respond has the admin reply to ref at at.
func (d caseDesk) respond(t *testing.T, ref domain.Reference, at time.Time) {
	t.Helper()
	d.clock.t = at
	_, err := d.svc.Portal.StaffReply(ctx, d.actorOf(t, d.admin), string(ref), "We are looking into it.", netip.Addr{})
	require.NoError(t, err)
}

func TestResponseStatsMediansAndAges(t *testing.T) {
	d := newDesk(t)
	start := time.Date(2026, 9, 10, 9, 0, 0, 0, time.UTC)
	d.clock.t = start
	// General: ten reports, answered after 1 to 10 hours: median 5.5.
	// Online worries: six reports, five answered after 2 hours.
	var general, online []domain.Reference
	for i := range 10 {
		general = append(general, d.webReport(t, d.inbox, fmt.Sprint("general ", i), ""))
	}
	for i := range 6 {
		online = append(online, d.webReport(t, d.second, fmt.Sprint("online ", i), ""))
	}
	for i, ref := range general {
		d.respond(t, ref, d.interaction(t, ref).CreatedAt.Add(time.Duration(i+1)*time.Hour))
	}
	for _, ref := range online[:5] {
		d.respond(t, ref, d.interaction(t, ref).CreatedAt.Add(2*time.Hour))
	}
	// A second reply does not move the first.
	d.respond(t, general[0], start.Add(20*time.Hour))
	d.clock.t = time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC)
	err := d.svc.Portal.SetInteractionStatus(ctx, d.actorOf(t, d.admin), string(general[9]), "closed")
	require.NoError(t, err)

	rep, err := d.svc.Casework.ResponseStats(ctx, d.actorOf(t, d.admin), "2026-09", "2026-10")
	require.NoError(t, err)
	assert.Equal(t, "2026-09", rep.From)
	assert.Equal(t, "2026-10", rep.To)
	assert.Equal(t, []domain.InboxID{d.inbox.ID, d.second.ID, d.otherFormInbox.ID}, inboxIDsOf(rep.Inboxes))
	require.Len(t, rep.Months, 2)
	assert.Equal(t, "2026-09", rep.Months[0].Month)
	assert.Equal(t, []string{"5.5", "2.0", domain.NoMedian}, medianStrings(rep.Months[0].Cells))
	assert.Equal(t, "3.0", rep.Months[0].Total.String(), "15 answered: 1h, 2h six times, 3h … 10h")
	assert.Equal(t, []string{domain.NoMedian, domain.NoMedian, domain.NoMedian}, medianStrings(rep.Months[1].Cells), "no reports in October")
	assert.Equal(t, []string{"5.5", "2.0", domain.NoMedian}, medianStrings(rep.InboxMedians))
	assert.Equal(t, "3.0", rep.Median.String())

	// Ages on 5 October: every open report arrived 25 days before, in
	// the band from a week to 30 days; the closed one is not counted.
	require.Len(t, rep.Ages, 3)
	assert.Equal(t, []app.StatsCell{{Count: 0}, {Count: 0}, {Count: 9}, {Count: 0}}, rep.Ages[0].Cells)
	assert.Equal(t, []app.StatsCell{{Count: 0}, {Count: 0}, {Count: 6}, {Count: 0}}, rep.Ages[1].Cells)
	assert.Equal(t, app.StatsCell{Count: 15}, rep.AgeTotal)
	assert.Equal(t, d.clock.t, rep.AsOf)

	// A member of one inbox sees its figures alone; another organisation
	// none of them; the operator the admins' figures.
	own, err := d.svc.Casework.ResponseStats(ctx, d.actorOf(t, d.other), "2026-09", "2026-09")
	require.NoError(t, err)
	assert.Equal(t, []domain.InboxID{d.second.ID}, inboxIDsOf(own.Inboxes))
	assert.Equal(t, "2.0", own.Median.String())
	elsewhere, err := d.svc.Casework.ResponseStats(ctx, d.actorOf(t, d.elsewhere), "2026-09", "2026-09")
	require.NoError(t, err)
	assert.Equal(t, domain.NoMedian, elsewhere.Median.String())
	assert.Equal(t, app.StatsCell{Count: 0}, elsewhere.AgeTotal)
	operator, err := d.svc.Casework.OrganisationResponseStats(ctx, d.org.ID, "2026-09", "2026-10")
	require.NoError(t, err)
	assert.Equal(t, rep, operator)
	_, err = d.svc.Casework.OrganisationResponseStats(ctx, domain.OrgID("org_aaaaaaaaaaaaaaaaaaaa"), "", "")
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err))

	_, err = d.svc.Casework.ResponseStats(ctx, d.actorOf(t, d.admin), "2026-10", "2026-09")
	assert.NotEmpty(t, domain.ProblemsOf(err).Of(app.FilterTo), "bad months are refused as Portal.Stats refuses them")
}

// A median shows exactly where the count of reports behind it shows in
// Portal.Stats, and five answered reports make it up.
func TestResponseStatsHideMediansWithTheirCounts(t *testing.T) {
	d := newDesk(t)
	d.clock.t = time.Date(2026, 8, 20, 9, 0, 0, 0, time.UTC)
	august := d.webReport(t, d.inbox, "august", "")
	d.respond(t, august, d.clock.t.Add(time.Hour))
	d.clock.t = time.Date(2026, 9, 2, 9, 0, 0, 0, time.UTC)
	for i := range 7 {
		ref := d.webReport(t, d.inbox, "september", "")
		if i < 6 {
			d.respond(t, ref, d.clock.t.Add(time.Hour))
		}
	}
	for range 2 {
		ref := d.webReport(t, d.second, "online", "")
		d.respond(t, ref, d.clock.t.Add(time.Hour))
	}
	for range 6 {
		d.webReport(t, d.second, "online, unanswered", "")
	}
	admin := d.actorOf(t, d.admin)
	counts, err := d.svc.Portal.Stats(ctx, admin, "2026-08", "2026-09")
	require.NoError(t, err)
	medians, err := d.svc.Casework.ResponseStats(ctx, admin, "2026-08", "2026-09")
	require.NoError(t, err)
	require.Len(t, medians.Months, len(counts.Months))
	check := func(where string, c app.StatsCell, m domain.MedianCell) {
		if c.Suppressed {
			assert.True(t, m.Suppressed, "%s: its count is hidden", where)
		}
		if !m.Suppressed && !m.None {
			assert.False(t, c.Suppressed, "%s", where)
			assert.GreaterOrEqual(t, c.Count, domain.SmallCount, "%s", where)
		}
	}
	var hidden int
	for i, m := range medians.Months {
		for j := range m.Cells {
			check(m.Month, counts.Months[i].Cells[j], m.Cells[j])
			if m.Cells[j].Suppressed {
				hidden++
			}
		}
		check(m.Month+" total", counts.Months[i].Total, m.Total)
	}
	for j := range medians.InboxMedians {
		check("inbox total", counts.InboxTotals[j], medians.InboxMedians[j])
	}
	check("total", counts.Total, medians.Median)
	assert.NotZero(t, hidden)
	assert.Equal(t, app.StatsCell{Count: 8}, counts.Months[1].Cells[1], "the premise")
	assert.Equal(t, domain.HiddenMark, medians.Months[1].Cells[1].String(), "eight reports, but two answered")
	assert.Equal(t, domain.HiddenMark, medians.Months[0].Cells[0].String(), "one report in August")
}

func medianStrings(cells []domain.MedianCell) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = c.String()
	}
	return out
}
