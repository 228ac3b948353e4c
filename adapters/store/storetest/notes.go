package storetest

import (
	"crypto/rand"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// noteTests are issue #20's internal notes and search.
var noteTests = map[string]func(*testing.T, ports.Store){
	"NotesRoundTrip":                  testNotesRoundTrip,
	"NotesAreSealedAtRest":            testNotesSealedAtRest,
	"NotesGoWithTheErasure":           testNotesErased,
	"Race/NotesNeverOutlastErasure":   raceNotesAgainstErasure,
	"SearchFindsWordsAndRefs":         testSearch,
	"SearchBeforeAndAfterIndexing":    testSearchIndexMissing,
	"SearchWordsAreSealedAtRest":      testSearchWordsSealed,
	"Race/SearchKeepsEveryTextsWords": raceSearchWords,
}

// addNote keeps a note by m on ia at at.
func addNote(st ports.Store, ia domain.InteractionID, m *domain.Staff, body string, at time.Time) error {
	return st.InTx(ctx, func(tx ports.Tx) error {
		return tx.Notes().Add(ctx, &domain.Note{ID: must(domain.NewNoteID(rand.Reader)), InteractionID: ia, StaffID: m.ID, Body: body, CreatedAt: at})
	})
}

func listNotes(st ports.Store, v domain.Viewer, ref domain.Reference) (notes []*domain.StaffNote, err error) {
	err = st.View(ctx, func(tx ports.Tx) error {
		notes, err = tx.Notes().List(ctx, v, ref)
		return err
	})
	return notes, err
}

// noteSchool is a fixture with two members: one of its inbox, one of
// another inbox of the form.
func noteSchool(t *testing.T, st ports.Store) (fixture, *domain.Staff, *domain.Staff, *domain.Inbox) {
	t.Helper()
	f := newFixture(t, st)
	other := must(domain.NewInbox(must(domain.NewInboxID(rand.Reader)), f.form, "Online worries", nil, 1, now))
	dsl := newStaff(t, f, "dsl"+randomDigits(t, 6)+"@oakfield.example", f.inbox)
	it := newStaff(t, f, "it"+randomDigits(t, 6)+"@oakfield.example", other)
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		if err := tx.Inboxes().Create(ctx, other); err != nil {
			return err
		}
		if err := tx.Staff().Create(ctx, dsl); err != nil {
			return err
		}
		return tx.Staff().Create(ctx, it)
	}))
	return f, dsl, it, other
}

func testNotesRoundTrip(t *testing.T, st ports.Store) {
	f, dsl, it, _ := noteSchool(t, st)
	ia, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	quiet, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	require.NoError(t, addNote(st, ia.ID, dsl, "Spoke to the form tutor.", now.Add(2*time.Minute)))
	require.NoError(t, addNote(st, ia.ID, dsl, "Parents called; see CPOMS.", now.Add(time.Minute)))

	notes, err := listNotes(st, domain.ViewerOf(dsl), ia.Ref)
	require.NoError(t, err)
	require.Len(t, notes, 2)
	assert.Equal(t, "Parents called; see CPOMS.", notes[0].Body, "oldest first")
	assert.Equal(t, "Spoke to the form tutor.", notes[1].Body)
	assert.Equal(t, "Alex Jones", notes[0].StaffName)
	assert.Equal(t, dsl.ID, notes[0].StaffID)
	assert.Equal(t, now.Add(time.Minute), notes[0].CreatedAt)

	notes, err = listNotes(st, domain.ViewerOf(dsl), quiet.Ref)
	require.NoError(t, err)
	assert.Empty(t, notes, "another report's notes are its own")
	_, err = listNotes(st, domain.ViewerOf(it), ia.Ref)
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err), "a member without the inbox")
	_, err = listNotes(st, domain.Viewer{StaffID: dsl.ID, OrgID: "org_elsewhere"}, ia.Ref)
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err), "another organisation")
	err = addNote(st, "int_missing", dsl, "lost", now)
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err), "a note on nothing")
}

func testNotesSealedAtRest(t *testing.T, st ports.Store) {
	f, dsl, _, _ := noteSchool(t, st)
	ia, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	require.NoError(t, addNote(st, ia.ID, dsl, "Referred to children's services.", now))
	var sealed [][]byte
	require.NoError(t, st.(*store.Store).DB().NewRaw("SELECT body_sealed FROM notes WHERE interaction_id = ?", string(ia.ID)).Scan(ctx, &sealed))
	require.Len(t, sealed, 1)
	assert.NotContains(t, string(sealed[0]), "children", "the text is sealed")
	assert.NotEmpty(t, sealed[0])
}

// notesOf counts the notes stored for an interaction, whoever may see them.
func notesOf(t *testing.T, st ports.Store, id domain.InteractionID) int {
	t.Helper()
	n, err := st.(*store.Store).DB().NewSelect().TableExpr("notes").Where("interaction_id = ?", string(id)).Count(ctx)
	require.NoError(t, err)
	return int(n)
}

func testNotesErased(t *testing.T, st ports.Store) {
	f, dsl, _, _ := noteSchool(t, st)
	ia, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	kept, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	require.NoError(t, addNote(st, ia.ID, dsl, "Spoke to the form tutor.", now))
	require.NoError(t, addNote(st, kept.ID, dsl, "Nothing further.", now))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { _, err := tx.Interactions().Erase(ctx, now, ia.ID); return err }))

	assert.Zero(t, notesOf(t, st, ia.ID), "the erased report's notes are gone")
	assert.Equal(t, 1, notesOf(t, st, kept.ID), "another report's notes stay")
	err := addNote(st, ia.ID, dsl, "written after the erasure", now.Add(time.Minute))
	assert.ErrorIs(t, err, domain.ErrErased, "no note on an erased report")
	_, err = listNotes(st, domain.ViewerOf(dsl), ia.Ref)
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err))

	// Around the repository too: the database refuses a note on an erased
	// interaction, or one moved into it.
	db := st.(*store.Store).DB()
	_, err = db.NewRaw("INSERT INTO notes (id, interaction_id, staff_id, body_sealed, created_at) VALUES ('not_raw', ?, ?, ?, ?)",
		string(ia.ID), string(dsl.ID), []byte("sealed"), now).Exec(ctx)
	assert.Error(t, err, "a note inserted for an erased interaction")
	_, err = db.NewRaw("UPDATE notes SET interaction_id = ? WHERE interaction_id = ?", string(ia.ID), string(kept.ID)).Exec(ctx)
	assert.Error(t, err, "a note moved to an erased interaction")
	assert.Zero(t, notesOf(t, st, ia.ID))
}

// raceNotesAgainstErasure has many staff add notes to reports while the
// reports are erased: each note is refused as for an erased report, or
// kept and then erased; none survives, and none lands on an erased one.
func raceNotesAgainstErasure(t *testing.T, st ports.Store) {
	s := newEraseRaceSchool(t, st)
	op := app.Operator{Name: "race"}
	for round := range 3 {
		receipts := s.report(t, 4)
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		do := func(fn func() error) {
			wg.Go(func() {
				<-start
				errs <- fn()
			})
		}
		for _, rc := range receipts {
			for i := range 10 {
				do(func() error {
					_, err := s.now.Casework.AddNote(ctx, s.admin, string(rc.Ref), fmt.Sprintf("note %d of round %d", i, round))
					return refusedOnlyAsErased(err)
				})
			}
			do(func() error { return s.now.Operations.Erase(ctx, op, rc.Ref, "the reporter asked") })
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			assert.NoError(t, err, "round %d", round)
		}
		for _, rc := range receipts {
			assertNothingPersonalLeft(t, st, rc)
			var id domain.InteractionID
			require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
				ia, err := tx.Interactions().GetByRef(ctx, rc.Ref)
				id = ia.ID
				return err
			}))
			assert.Zero(t, notesOf(t, st, id), "%s: no note outlasts the erasure", rc.Ref)
		}
		if t.Failed() {
			return
		}
	}
}

func findIn(t *testing.T, st ports.Store, v domain.Viewer, f ports.StaffViewFilter, q string) []domain.Reference {
	t.Helper()
	s, err := domain.ParseSearch(q)
	require.NoError(t, err)
	var refs []domain.Reference
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		ids, err := tx.Search().Find(ctx, v, f, s)
		if err != nil {
			return err
		}
		f.IDs = ids
		list, err := tx.StaffView().List(ctx, v, f)
		for _, c := range list {
			refs = append(refs, c.Ref)
		}
		return err
	}))
	return refs
}

func testSearch(t *testing.T, st ports.Store) {
	f, dsl, it, _ := noteSchool(t, st)
	bus, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})    // "Someone is being unkind at the bus stop."
	lunch, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})  // same text, a note below
	erased, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{}) // same text, erased
	addMessage(t, st, lunch, domain.AuthorStaff, now.Add(time.Minute))           // "more"
	require.NoError(t, addNote(st, lunch.ID, dsl, "Mae'r plentyn yn y TŶ bwyta amser cinio.", now))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		_, err := tx.Interactions().Change(ctx, bus.ID, func(ia *domain.Interaction) error {
			ia.Status = domain.StatusClosed
			now := now
			ia.ClosedAt = &now
			return nil
		})
		return err
	}))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { _, err := tx.Interactions().Erase(ctx, now, erased.ID); return err }))
	v := domain.ViewerOf(dsl)

	assert.ElementsMatch(t, []domain.Reference{bus.Ref, lunch.Ref}, findIn(t, st, v, ports.StaffViewFilter{}, "UNKIND bus"), "words of the messages, any case; never an erased report")
	assert.Equal(t, []domain.Reference{lunch.Ref}, findIn(t, st, v, ports.StaffViewFilter{}, "ty bwyta"), "words of a note, circumflex folded")
	assert.Equal(t, []domain.Reference{lunch.Ref}, findIn(t, st, v, ports.StaffViewFilter{}, "bus more"), "all words, across the texts of one report")
	assert.Empty(t, findIn(t, st, v, ports.StaffViewFilter{}, "bus tractor"), "all words must match")
	open := domain.StatusOpen
	assert.Equal(t, []domain.Reference{lunch.Ref}, findIn(t, st, v, ports.StaffViewFilter{Status: &open}, "unkind"), "combined with the other filters")
	assert.Equal(t, []domain.Reference{bus.Ref}, findIn(t, st, v, ports.StaffViewFilter{}, string(bus.Ref)), "by reference")
	assert.Equal(t, []domain.Reference{bus.Ref}, findIn(t, st, v, ports.StaffViewFilter{}, strings.ToLower(string(bus.Ref)[:8])), "by the beginning of its reference, any case")
	assert.Equal(t, []domain.Reference{lunch.Ref}, findIn(t, st, v, ports.StaffViewFilter{}, string(lunch.Ref)[4:8]), "without its prefix")

	assert.Empty(t, findIn(t, st, domain.ViewerOf(it), ports.StaffViewFilter{}, "unkind"), "only among the reports the member may see")
	assert.Empty(t, findIn(t, st, domain.Viewer{StaffID: dsl.ID, OrgID: "org_elsewhere"}, ports.StaffViewFilter{}, "unkind"), "never another organisation's")
}

// dropWordIndexes deletes the word indexes of ids, as a database written
// before there were any has none.
func dropWordIndexes(t *testing.T, st ports.Store, ids ...domain.InteractionID) {
	t.Helper()
	_, err := st.(*store.Store).DB().NewDelete().TableExpr("interaction_words").Where("interaction_id IN (?)", bun.List(ids)).Exec(ctx)
	require.NoError(t, err)
}

func wordIndexes(t *testing.T, st ports.Store, id domain.InteractionID) int {
	t.Helper()
	n, err := st.(*store.Store).DB().NewSelect().TableExpr("interaction_words").Where("interaction_id = ?", string(id)).Count(ctx)
	require.NoError(t, err)
	return int(n)
}

// indexAll runs IndexMissing until it has nothing left, and returns how
// many it indexed.
func indexAll(t *testing.T, st ports.Store) int {
	t.Helper()
	total := 0
	for {
		var n int
		require.NoError(t, st.InTx(ctx, func(tx ports.Tx) (err error) {
			n, err = tx.Search().IndexMissing(ctx, 2)
			return err
		}))
		if total += n; n == 0 {
			return total
		}
	}
}

// testSearchIndexMissing: interactions written before word indexes existed
// are found by reading their texts, and housekeeping's IndexMissing gives
// them indexes that find the same, never one for an erased interaction.
func testSearchIndexMissing(t *testing.T, st ports.Store) {
	f, dsl, _, _ := noteSchool(t, st)
	old, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	noted, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	erased, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	indexed, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	require.NoError(t, addNote(st, noted.ID, dsl, "Seen near the trampoline.", now))
	dropWordIndexes(t, st, old.ID, noted.ID, erased.ID)
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { _, err := tx.Interactions().Erase(ctx, now, erased.ID); return err }))
	addMessage(t, st, old, domain.AuthorStaff, now.Add(time.Minute)) // "more": no index yet, so none is started
	assert.Zero(t, wordIndexes(t, st, old.ID), "a text added to an unindexed interaction leaves it to IndexMissing")

	v := domain.ViewerOf(dsl)
	all := []domain.Reference{old.Ref, noted.Ref, indexed.Ref}
	assert.ElementsMatch(t, all, findIn(t, st, v, ports.StaffViewFilter{}, "unkind bus"), "found by their texts before indexing")
	assert.Equal(t, []domain.Reference{noted.Ref}, findIn(t, st, v, ports.StaffViewFilter{}, "trampoline bus"), "notes included")
	assert.Equal(t, []domain.Reference{old.Ref}, findIn(t, st, v, ports.StaffViewFilter{}, "more unkind"))

	assert.True(t, anyMissing(t, st), "two interactions need an index")
	assert.Equal(t, 2, indexAll(t, st), "the two unindexed interactions not erased")
	assert.False(t, anyMissing(t, st), "none left, the erased one aside")
	assert.Equal(t, 1, wordIndexes(t, st, old.ID))
	assert.Zero(t, wordIndexes(t, st, erased.ID), "never an erased interaction")
	assert.ElementsMatch(t, all, findIn(t, st, v, ports.StaffViewFilter{}, "unkind bus"), "found by their indexes after")
	assert.Equal(t, []domain.Reference{noted.Ref}, findIn(t, st, v, ports.StaffViewFilter{}, "trampoline bus"))
	assert.Equal(t, []domain.Reference{old.Ref}, findIn(t, st, v, ports.StaffViewFilter{}, "more unkind"))

	addMessage(t, st, noted, domain.AuthorReporter, now.Add(time.Minute))
	assert.Equal(t, []domain.Reference{noted.Ref}, findIn(t, st, v, ports.StaffViewFilter{}, "more trampoline"), "texts added after indexing join the index")
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { _, err := tx.Interactions().Erase(ctx, now, noted.ID); return err }))
	assert.Zero(t, wordIndexes(t, st, noted.ID), "erasure deletes the index")
	assert.Empty(t, findIn(t, st, v, ports.StaffViewFilter{}, "trampoline"))
}

// anyMissing asks AnyMissing in a View, as the sweep does.
func anyMissing(t *testing.T, st ports.Store) (missing bool) {
	t.Helper()
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		missing, err = tx.Search().AnyMissing(ctx)
		return err
	}))
	return missing
}

// testSearchWordsSealed: the word index holds the texts' words, so it is
// sealed like them.
func testSearchWordsSealed(t *testing.T, st ports.Store) {
	f, dsl, _, _ := noteSchool(t, st)
	ia, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	require.NoError(t, addNote(st, ia.ID, dsl, "Trampoline rota", now))
	var sealed []byte
	require.NoError(t, st.(*store.Store).DB().NewRaw("SELECT words_sealed FROM interaction_words WHERE interaction_id = ?", string(ia.ID)).Scan(ctx, &sealed))
	for _, word := range []string{"unkind", "bus", "trampoline", "rota"} {
		assert.NotContains(t, strings.ToLower(string(sealed)), word)
	}
	assert.Equal(t, []domain.Reference{ia.Ref}, findIn(t, st, domain.ViewerOf(dsl), ports.StaffViewFilter{}, "trampoline unkind"))
}

// raceSearchWords adds messages and notes, each with a word of its own,
// to one interaction at once, while another's index is being built from
// its texts as more are added to it: every word must be found in the end.
func raceSearchWords(t *testing.T, st ports.Store) {
	f, dsl, _, _ := noteSchool(t, st)
	indexed, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	building, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	dropWordIndexes(t, st, building.ID)
	word := func(i int) string { return "marker" + string(rune('a'+i/26)) + string(rune('a'+i%26)) }
	const writers = 24
	errs := make(chan error, 2*writers+4)
	race(2*writers+4, func(i int) {
		ia := indexed
		if i >= writers {
			ia = building
		}
		switch {
		case i >= 2*writers:
			errs <- st.InTx(ctx, func(tx ports.Tx) error { _, err := tx.Search().IndexMissing(ctx, 10); return err })
		case i%3 == 0:
			errs <- addNote(st, ia.ID, dsl, "Note "+word(i), now)
		default:
			errs <- st.InTx(ctx, func(tx ports.Tx) error {
				return tx.Messages().Add(ctx, &domain.Message{ID: must(domain.NewMessageID(rand.Reader)), InteractionID: ia.ID,
					Author: domain.AuthorReporter, Body: "And " + word(i) + " too", CreatedAt: now}, domain.Meta{})
			})
		}
	})
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	indexAll(t, st)
	v := domain.ViewerOf(dsl)
	for i := range 2 * writers {
		want := indexed.Ref
		if i >= writers {
			want = building.Ref
		}
		assert.Equal(t, []domain.Reference{want}, findIn(t, st, v, ports.StaffViewFilter{}, word(i)+" unkind"), "the word of text %d", i)
	}
}
