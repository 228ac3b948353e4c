package storetest

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// statsTests are the parts of the contract the portal's statistics rely
// on: months on the local clock, first replies and open interactions'
// ages.
var statsTests = map[string]func(*testing.T, ports.Store){
	"StatsMonthsOnTheLocalClock": testStatsLocalMonths,
	"StatsFirstReplies":          testStatsFirstReplies,
	"StatsOpenAges":              testStatsOpenAges,
}

func london(t *testing.T) domain.Zone {
	t.Helper()
	loc, err := time.LoadLocation(domain.DefaultTimeZone)
	require.NoError(t, err)
	return domain.NewZone(loc)
}

// Each report at the edge of a month counts in the month its school's
// clock showed: 00:30 BST on 1 October in October, 23:30 BST on 30
// September in September, 23:30 GMT on the last day of a winter month in
// that month, and the instants British Summer Time starts and ends in
// March and October.
func testStatsLocalMonths(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	at := []time.Time{
		time.Date(2026, 9, 30, 23, 30, 0, 0, time.UTC),  // 00:30 BST, 1 October
		time.Date(2026, 9, 30, 22, 30, 0, 0, time.UTC),  // 23:30 BST, 30 September
		time.Date(2026, 10, 31, 23, 30, 0, 0, time.UTC), // 23:30 GMT, 31 October
		time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC), // 23:30 GMT, 30 November
		time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC),    // BST starts: 02:00 BST, 29 March
		time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC),  // 00:30 BST, 1 April
		time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC),   // BST ends: 01:00 GMT, 25 October
		time.Date(2026, 2, 28, 23, 59, 0, 0, time.UTC),  // 23:59 GMT, 28 February: before the range
		time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),    // 00:00 GMT, 1 December: after it
	}
	for _, when := range at {
		createReport(t, st, f, when, domain.Contact{}, domain.Meta{})
	}
	months := london(t).Months(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	var counts []domain.InteractionCount
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		counts, err = tx.StaffView().Stats(ctx, domain.Viewer{OrgID: f.org.ID}, months)
		return err
	}))
	got := map[string]int{}
	for _, c := range counts {
		assert.Equal(t, f.inbox.ID, c.InboxID)
		got[c.Month] += c.Count
	}
	assert.Equal(t, map[string]int{"2026-03": 1, "2026-04": 1, "2026-09": 1, "2026-10": 3, "2026-11": 1}, got)

	// The same reports by UTC's months, as the statistics counted before.
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		counts, err = tx.StaffView().Stats(ctx, domain.Viewer{OrgID: f.org.ID}, domain.NewZone(time.UTC).Months(at[0], at[0]))
		return err
	}))
	assert.Equal(t, []domain.InteractionCount{{Month: "2026-09", InboxID: f.inbox.ID, InboxName: f.inbox.Name, Count: 2}}, counts)

	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		counts, err = tx.StaffView().Stats(ctx, domain.Viewer{OrgID: f.org.ID, InboxIDs: []domain.InboxID{}}, months)
		return err
	}))
	assert.Empty(t, counts, "a member with no inbox counts nothing")
}

// addReply adds a staff reply to ia at at.
func addReply(t *testing.T, st ports.Store, ia *domain.Interaction, m *domain.Staff, at time.Time) {
	t.Helper()
	reply := &domain.Message{ID: must(domain.NewMessageID(rand.Reader)), InteractionID: ia.ID, Author: domain.AuthorStaff,
		StaffID: m.ID, Body: "We are looking into it.", CreatedAt: at}
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Messages().Add(ctx, reply, domain.Meta{}) }))
}

// A first reply is the first staff message, whatever the reporter wrote
// before or after it; an erased interaction keeps it; another
// organisation's and another inbox's interactions are left out.
func testStatsFirstReplies(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	second := must(domain.NewInbox(must(domain.NewInboxID(rand.Reader)), f.form, "Online", nil, 1, now))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Inboxes().Create(ctx, second) }))
	m := newStaff(t, f, "replies@oakfield.example")
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Staff().Create(ctx, m) }))
	start := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)

	answered, _, _ := createReport(t, st, f, start, domain.Contact{}, domain.Meta{})
	followUp := &domain.Message{ID: must(domain.NewMessageID(rand.Reader)), InteractionID: answered.ID, Author: domain.AuthorReporter,
		Body: "Any news?", CreatedAt: start.Add(time.Hour)}
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Messages().Add(ctx, followUp, domain.Meta{}) }))
	addReply(t, st, answered, m, start.Add(3*time.Hour))
	addReply(t, st, answered, m, start.Add(2*time.Hour))
	unanswered, _, _ := createReport(t, st, f, start.Add(time.Minute), domain.Contact{}, domain.Meta{})
	online, _, token := newReport(t, fixture{org: f.org, form: f.form, inbox: second}, "", "x", start.Add(2*time.Minute))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Interactions().Create(ctx, online, token, domain.Contact{}) }))
	addReply(t, st, online, m, start.Add(26*time.Hour))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		_, err := tx.Interactions().Erase(ctx, start.Add(30*time.Hour), online.ID)
		return err
	}))
	createReport(t, st, f, start.AddDate(0, 0, -1), domain.Contact{}, domain.Meta{}) // before the range
	other := newFixture(t, st)
	createReport(t, st, other, start, domain.Contact{}, domain.Meta{})

	get := func(v domain.Viewer) map[domain.InboxID][]domain.FirstReply {
		var got []domain.FirstReply
		require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
			got, err = tx.StaffView().FirstReplies(ctx, v, start, start.AddDate(0, 1, 0))
			return err
		}))
		out := map[domain.InboxID][]domain.FirstReply{}
		for _, r := range got {
			out[r.InboxID] = append(out[r.InboxID], r)
		}
		return out
	}
	got := get(domain.Viewer{OrgID: f.org.ID})
	require.Len(t, got[f.inbox.ID], 2)
	general := map[time.Time]time.Time{}
	for _, r := range got[f.inbox.ID] {
		assert.Equal(t, f.inbox.Name, r.InboxName)
		general[r.CreatedAt] = r.RepliedAt
	}
	assert.Equal(t, map[time.Time]time.Time{answered.CreatedAt: start.Add(2 * time.Hour), unanswered.CreatedAt: {}}, general,
		"the earliest staff message, not the reporter's follow-up; none yet is zero")
	assert.Equal(t, []domain.FirstReply{{CreatedAt: online.CreatedAt, InboxID: second.ID, InboxName: "Online", RepliedAt: start.Add(26 * time.Hour)}},
		got[second.ID], "erasure keeps the times")
	assert.Len(t, got, 2, "nothing of another organisation")

	got = get(domain.Viewer{OrgID: f.org.ID, InboxIDs: []domain.InboxID{second.ID}})
	assert.Len(t, got, 1)
	assert.Len(t, got[second.ID], 1, "a member of one inbox sees its replies alone")
	assert.Empty(t, get(domain.Viewer{OrgID: f.org.ID, InboxIDs: []domain.InboxID{}}))
}

// Open interactions fall in the band of their age at now, bounds
// included in the older band; closed and erased ones are not open work.
func testStatsOpenAges(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	second := must(domain.NewInbox(must(domain.NewInboxID(rand.Reader)), f.form, "Online", nil, 1, now))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Inboxes().Create(ctx, second) }))
	at := time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	for _, age := range []time.Duration{time.Hour, day - time.Second, day, 7*day - time.Second, 7 * day, 30*day - time.Second, 30 * day, 400 * day} {
		createReport(t, st, f, at.Add(-age), domain.Contact{}, domain.Meta{})
	}
	closed, _, _ := createReport(t, st, f, at.Add(-2*day), domain.Contact{}, domain.Meta{})
	closed.Close(at.Add(-day))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return saveChanges(tx, closed) }))
	erased, _, _ := createReport(t, st, f, at.Add(-200*day), domain.Contact{}, domain.Meta{})
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { _, err := tx.Interactions().Erase(ctx, at, erased.ID); return err }))
	online, _, token := newReport(t, fixture{org: f.org, form: f.form, inbox: second}, "", "x", at.Add(-3*day))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Interactions().Create(ctx, online, token, domain.Contact{}) }))
	createReport(t, st, newFixture(t, st), at.Add(-time.Hour), domain.Contact{}, domain.Meta{})

	get := func(v domain.Viewer) []domain.AgeCount {
		var got []domain.AgeCount
		require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
			got, err = tx.StaffView().OpenAges(ctx, v, at)
			return err
		}))
		return got
	}
	g, o := f.inbox.Name, "Online"
	assert.ElementsMatch(t, []domain.AgeCount{
		{InboxID: f.inbox.ID, InboxName: g, Band: 0, Count: 2},
		{InboxID: f.inbox.ID, InboxName: g, Band: 1, Count: 2},
		{InboxID: f.inbox.ID, InboxName: g, Band: 2, Count: 2},
		{InboxID: f.inbox.ID, InboxName: g, Band: 3, Count: 2},
		{InboxID: second.ID, InboxName: o, Band: 1, Count: 1},
	}, get(domain.Viewer{OrgID: f.org.ID}))
	assert.Equal(t, []domain.AgeCount{{InboxID: second.ID, InboxName: o, Band: 1, Count: 1}},
		get(domain.Viewer{OrgID: f.org.ID, InboxIDs: []domain.InboxID{second.ID}}))
	assert.Empty(t, get(domain.Viewer{OrgID: f.org.ID, InboxIDs: []domain.InboxID{}}))
}
