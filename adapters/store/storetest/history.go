package storetest

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// historyTests are the contract of interactions' history (issue #20):
// what staff did to each interaction, who and when, kept sealed and erased
// with it.
var historyTests = map[string]func(*testing.T, ports.Store){
	"HistoryRoundTrip":             testHistoryRoundTrip,
	"HistoryReadOncePerHour":       testHistoryReadOncePerHour,
	"HistoryErasedWithInteraction": testHistoryErased,
	"HistoryBatchForExports":       testHistoryBatch,
}

// historyRaces race the history's promises: one read line per member and
// hour however many pages open at once, and nothing left of an erased
// interaction's history whatever is recorded while it is erased.
var historyRaces = map[string]func(*testing.T, ports.Store){
	"HistoryReadOncePerHour":     raceHistoryRead,
	"HistoryAndErasureTakeTurns": raceHistoryErasure,
}

// historyOf reads the interaction's history in a View.
func historyOf(t *testing.T, st ports.Store, id domain.InteractionID) []*domain.HistoryEvent {
	t.Helper()
	var out []*domain.HistoryEvent
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		out, err = tx.History().List(ctx, id)
		return err
	}))
	return out
}

// recordIn records e for ids in a transaction of its own.
func recordIn(st ports.Store, e domain.HistoryEvent, ids ...domain.InteractionID) (n int, err error) {
	err = st.InTx(ctx, func(tx ports.Tx) error {
		n, err = tx.History().Record(ctx, e, ids...)
		return err
	})
	return n, err
}

// historyRowsOf counts the stored lines of the interaction's history in
// plain SQL, around the repository.
func historyRowsOf(t *testing.T, st ports.Store, id domain.InteractionID) int {
	t.Helper()
	n, err := st.(*store.Store).DB().NewSelect().Table("interaction_history").Where("interaction_id = ?", string(id)).Count(ctx)
	require.NoError(t, err)
	return int(n)
}

func testHistoryRoundTrip(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	m := newStaff(t, f, "history@oakfield.example", f.inbox)
	m.FirstName, m.LastName = "Morwenna", "Pryddeas"
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Staff().Create(ctx, m) }))
	ia, _, _ := createReport(t, st, f, now, domain.Contact{Email: "r@example.org"}, domain.Meta{})
	other, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	assert.Empty(t, historyOf(t, st, ia.ID), "a new report has no history")

	events := []domain.HistoryEvent{
		domain.StaffEvent(m, domain.HistoryRead, "", now),
		domain.StaffEvent(m, domain.HistoryReplied, "", now.Add(time.Minute)),
		domain.StaffEvent(m, domain.HistoryMoved, "Online worries", now.Add(2*time.Minute)),
		domain.StaffEvent(m, domain.HistoryAssigned, "Gwenllian Hopcyn", now.Add(3*time.Minute)),
		domain.StaffEvent(m, domain.HistoryClosed, "", now.Add(4*time.Minute)),
	}
	// Written out of order, within one transaction and across several.
	for _, i := range []int{4, 0, 2, 1, 3} {
		n, err := recordIn(st, events[i], ia.ID)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
	}
	got := historyOf(t, st, ia.ID)
	require.Len(t, got, len(events))
	for i, e := range events {
		e.InteractionID = ia.ID
		assert.Equal(t, e, *got[i], "line %d, oldest first", i)
	}
	assert.Empty(t, historyOf(t, st, other.ID), "another report's history is its own")

	// Removed, the member is still named as they were.
	removed := now.Add(time.Hour)
	m.RemovedAt = &removed
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return saveStaff(tx, m) }))
	assert.Equal(t, "Morwenna Pryddeas", historyOf(t, st, ia.ID)[0].StaffName)

	// Names are sealed: the table alone does not say who.
	var raw []struct {
		Name   []byte `bun:"staff_name_sealed"`
		Detail []byte `bun:"detail_sealed"`
	}
	require.NoError(t, st.(*store.Store).DB().NewSelect().Table("interaction_history").Column("staff_name_sealed", "detail_sealed").
		Where("interaction_id = ?", string(ia.ID)).Scan(ctx, &raw))
	require.Len(t, raw, len(events))
	for _, r := range raw {
		assert.False(t, bytes.Contains(r.Name, []byte("Morwenna")), "a name in clear")
		assert.False(t, bytes.Contains(r.Detail, []byte("Gwenllian")), "a colleague's name in clear")
	}
	// A sealed name copied to another interaction's line does not open.
	_, err := recordIn(st, domain.StaffEvent(m, domain.HistoryReplied, "", now), other.ID)
	require.NoError(t, err)
	_, err = st.(*store.Store).DB().NewRaw("UPDATE interaction_history SET staff_name_sealed = ? WHERE interaction_id = ?", raw[0].Name, string(other.ID)).Exec(ctx)
	require.NoError(t, err)
	err = st.View(ctx, func(tx ports.Tx) error { _, err := tx.History().List(ctx, other.ID); return err })
	assert.Error(t, err, "a name moved between interactions")
}

func testHistoryReadOncePerHour(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	a := newStaff(t, f, "a@oakfield.example", f.inbox)
	b := newStaff(t, f, "b@oakfield.example", f.inbox)
	ia, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	hour := now.Truncate(time.Hour)
	for _, c := range []struct {
		who   *domain.Staff
		kind  domain.HistoryKind
		at    time.Time
		added int
	}{
		{a, domain.HistoryRead, hour.Add(5 * time.Minute), 1},
		{a, domain.HistoryRead, hour.Add(59 * time.Minute), 0},     // the same hour
		{b, domain.HistoryRead, hour.Add(6 * time.Minute), 1},      // another member
		{a, domain.HistoryReplied, hour.Add(7 * time.Minute), 1},   // not a read: every one counts
		{a, domain.HistoryReplied, hour.Add(7 * time.Minute), 1},   //
		{a, domain.HistoryRead, hour.Add(60 * time.Minute), 1},     // the next hour
		{a, domain.HistoryRead, hour.Add(119 * time.Minute), 0},    //
		{a, domain.HistoryRead, hour.Add(-1 * time.Nanosecond), 1}, // the hour before
	} {
		n, err := recordIn(st, domain.StaffEvent(c.who, c.kind, "", c.at), ia.ID)
		require.NoError(t, err)
		assert.Equal(t, c.added, n, "%s by %s at %s", c.kind, c.who.Email, c.at.Format(time.TimeOnly))
	}
	assert.Len(t, historyOf(t, st, ia.ID), 6)
}

func testHistoryErased(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	m := newStaff(t, f, "erase@oakfield.example", f.inbox)
	gone, _, _ := createReport(t, st, f, now, domain.Contact{Email: "gone@example.org"}, domain.Meta{})
	kept, _, _ := createReport(t, st, f, now, domain.Contact{Email: "kept@example.org"}, domain.Meta{})
	for _, kind := range domain.HistoryKinds {
		n, err := recordIn(st, domain.StaffEvent(m, kind, "Detail", now), gone.ID, kept.ID)
		require.NoError(t, err)
		require.Equal(t, 2, n)
	}
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { _, err := tx.Interactions().Erase(ctx, now, gone.ID); return err }))
	assert.Empty(t, historyOf(t, st, gone.ID))
	assert.Zero(t, historyRowsOf(t, st, gone.ID), "nothing of it left in the table")
	assert.Len(t, historyOf(t, st, kept.ID), len(domain.HistoryKinds), "another interaction keeps its history")

	// An erased interaction gets no history again.
	n, err := recordIn(st, domain.StaffEvent(m, domain.HistoryExported, "csv", now.Add(time.Hour)), gone.ID, kept.ID)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "the erased one is skipped")
	assert.Zero(t, historyRowsOf(t, st, gone.ID))
	n, err = recordIn(st, domain.StaffEvent(m, domain.HistoryRead, "", now.Add(time.Hour)), "int_missing")
	require.NoError(t, err)
	assert.Zero(t, n, "an interaction that does not exist has no history")
}

func testHistoryBatch(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	m := newStaff(t, f, "export@oakfield.example", f.inbox)
	// More than one statement's worth, created in one transaction.
	const count = 1203
	ids := make([]domain.InteractionID, count)
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		for i := range ids {
			ia, _, token := newReport(t, f, "", fmt.Sprint("report ", i), now)
			if err := tx.Interactions().Create(ctx, ia, token, domain.Contact{}); err != nil {
				return err
			}
			ids[i] = ia.ID
		}
		return nil
	}))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { _, err := tx.Interactions().Erase(ctx, now, ids[700]); return err }))
	n, err := recordIn(st, domain.StaffEvent(m, domain.HistoryExported, "json", now), ids...)
	require.NoError(t, err)
	assert.Equal(t, count-1, n, "one line for each but the erased")
	for _, i := range []int{0, 499, 500, 1202} {
		got := historyOf(t, st, ids[i])
		require.Len(t, got, 1, "interaction %d", i)
		assert.Equal(t, domain.HistoryExported, got[0].Kind)
		assert.Equal(t, "json", got[0].Detail)
	}
	assert.Empty(t, historyOf(t, st, ids[700]))
}

// raceHistoryRead opens one report's page from many tabs of one member at
// once, through the app: its history gains one read.
func raceHistoryRead(t *testing.T, st ports.Store) {
	w := newRaceSchool(t, st)
	a := w.actor(t, w.member(t, "reader@oakfield.example", domain.RoleAdmin))
	rc, err := w.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: string(w.form.Code), Body: "Please read this"})
	require.NoError(t, err)
	errs := make([]error, racers)
	race(racers, func(i int) { _, errs[i] = w.svc.Portal.ReadInteraction(ctx, a, string(rc.Ref)) })
	for i, err := range errs {
		require.NoError(t, err, "racer %d", i)
	}
	view, err := w.svc.Portal.ReadInteraction(ctx, a, string(rc.Ref))
	require.NoError(t, err)
	reads := 0
	for _, e := range view.History {
		if e.Kind == domain.HistoryRead {
			reads++
		}
	}
	assert.Equal(t, 1, reads, "one read in the hour, however many tabs")
	w.clock.advance(time.Hour)
	view, err = w.svc.Portal.ReadInteraction(ctx, a, string(rc.Ref))
	require.NoError(t, err)
	assert.Len(t, view.History, 2, "and one in the next")
}

// raceHistoryErasure records lines in an interaction's history while it
// is erased: whichever comes first, nothing of its history is left.
func raceHistoryErasure(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	m := newStaff(t, f, "racer@oakfield.example", f.inbox)
	for round := range 3 {
		ia, _, _ := createReport(t, st, f, now, domain.Contact{Email: "race@example.org"}, domain.Meta{})
		errs := make([]error, racers)
		race(racers, func(i int) {
			if i == racers/2 {
				errs[i] = st.InTx(ctx, func(tx ports.Tx) error { _, err := tx.Interactions().Erase(ctx, now, ia.ID); return err })
				return
			}
			_, errs[i] = recordIn(st, domain.StaffEvent(m, domain.HistoryReplied, "", now.Add(time.Duration(i)*time.Second)), ia.ID)
		})
		for i, err := range errs {
			require.NoError(t, err, "round %d, racer %d", round, i)
		}
		assert.Zero(t, historyRowsOf(t, st, ia.ID), "round %d: the erased interaction's history is gone", round)
	}
}
