package app_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

func TestStatsSuppressSmallCounts(t *testing.T) {
	d := newDesk(t)
	d.clock.t = time.Date(2026, 8, 20, 9, 0, 0, 0, time.UTC)
	august := d.webReport(t, d.inbox, "august", "")
	d.clock.t = time.Date(2026, 9, 2, 9, 0, 0, 0, time.UTC)
	for range 5 {
		d.webReport(t, d.inbox, "september", "")
	}
	d.smsReport(t, "by text, counted like any other")
	d.webReport(t, d.second, "online", "")
	d.webReport(t, d.second, "online again", "")

	// An erased report still counts, anonymously.
	ia := d.interaction(t, august)
	erased := d.clock.t
	require.NoError(t, d.store.InTx(ctx, func(tx ports.Tx) error { _, err := tx.Interactions().Erase(ctx, erased, ia.ID); return err }))

	rep, err := d.svc.Portal.Stats(ctx, d.actorOf(t, d.admin), "", "")
	require.NoError(t, err)
	assert.Equal(t, "2025-10", rep.From, "the last twelve months by default")
	assert.Equal(t, "2026-09", rep.To)
	require.Len(t, rep.Months, 12, "every month, even empty ones")
	assert.Equal(t, []domain.InboxID{d.inbox.ID, d.second.ID, d.otherFormInbox.ID}, inboxIDsOf(rep.Inboxes))

	sep := rep.Months[11]
	assert.Equal(t, "2026-09", sep.Month)
	assert.Equal(t, time.Date(2026, 8, 31, 23, 0, 0, 0, time.UTC), sep.Start.UTC(), "midnight BST")
	assert.Equal(t, "Europe/London", sep.Start.Location().String(), "on the local clock")
	// September: 6, 2 and 0 make 8. The 2 is hidden, and so is the 6,
	// or 8 - 6 would give it away; the 0 is shown. The total is hidden
	// too, or it and the grand total would give August's one report away.
	hidden := app.StatsCell{Suppressed: true}
	assert.Equal(t, []app.StatsCell{hidden, hidden, {Count: 0}}, sep.Cells, "a hidden cell holds no number at all")
	assert.Equal(t, hidden, sep.Total)
	assert.Equal(t, "*", sep.Cells[1].String())
	assert.Equal(t, "0", sep.Cells[2].String())

	// August's one report is hidden, in its cell and its total; the
	// inboxes' totals (7, 2, 0 of 9) are hidden too, or 9 - 7 would give
	// the 2 away.
	aug := rep.Months[10]
	assert.Equal(t, hidden, aug.Total, "one report is hidden")
	assert.Equal(t, []app.StatsCell{hidden, hidden, {Count: 0}}, rep.InboxTotals)
	assert.Equal(t, app.StatsCell{Count: 9}, rep.Total)
	for _, m := range rep.Months[:10] {
		assert.Equal(t, app.StatsCell{Count: 0}, m.Total, "an empty month shows 0: %s", m.Month)
	}

	staff, err := d.svc.Portal.Stats(ctx, d.actorOf(t, d.staff), "2026-08", "2026-09")
	require.NoError(t, err)
	assert.Equal(t, []domain.InboxID{d.inbox.ID}, inboxIDsOf(staff.Inboxes), "staff count their own inboxes")
	require.Len(t, staff.Months, 2)
	assert.Equal(t, app.StatsCell{Count: 7}, staff.Total)

	other, err := d.svc.Portal.Stats(ctx, d.actorOf(t, d.elsewhere), "", "")
	require.NoError(t, err)
	assert.Equal(t, app.StatsCell{Count: 0}, other.Total, "nothing of another organisation")

	onlyEnd, err := d.svc.Portal.Stats(ctx, d.actorOf(t, d.admin), "", "2026-03")
	require.NoError(t, err)
	assert.Equal(t, "2025-04", onlyEnd.From, "the year up to the end given")
}

func TestStatsRefusesBadMonths(t *testing.T) {
	d := newDesk(t)
	admin := d.actorOf(t, d.admin)
	for name, c := range map[string]struct {
		from, to string
		field    string
	}{
		"not a month":      {"August", "", app.FilterFrom},
		"a day, not month": {"", "2026-09-01", app.FilterTo},
		"backwards":        {"2026-09", "2026-01", app.FilterTo},
		"over ten years":   {"2010-01", "2026-01", app.FilterTo},
	} {
		rep, err := d.svc.Portal.Stats(ctx, admin, c.from, c.to)
		require.Equal(t, domain.KindInvalid, domain.KindOf(err), name)
		assert.NotEmpty(t, domain.ProblemsOf(err).Of(c.field), name)
		assert.Equal(t, c.from, rep.From, "%s: kept as typed", name)
		assert.Empty(t, rep.Months, name)
	}
}
