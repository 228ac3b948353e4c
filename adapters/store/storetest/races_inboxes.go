package storetest

import (
	"crypto/rand"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// inboxRaces race admins arranging a form's inboxes, and reporters
// reporting to them meanwhile.
var inboxRaces = map[string]func(*testing.T, ports.Store){
	"InboxNamesStayUnique":           raceInboxNames,
	"InboxRenamesStayUnique":         raceInboxRenames,
	"ArrangingKeepsTheRules":         raceArrangingInboxes,
	"ArchivedInboxTakesNoNewReports": raceArchiveAgainstReports,
	"StaleTextFindsTheTextsInbox":    testStaleTextAfterArchiving,
}

// Two admins (and more) add the same category at once, spelt as people
// spell it: one inbox is added, and everyone else is told the name is
// taken, beside the name's field.
func raceInboxNames(t *testing.T, st ports.Store) {
	w := newRaceSchool(t, st)
	admin := w.actor(t, w.member(t, "head@oakfield.example", domain.RoleAdmin))
	spellings := []string{"Bullying", " bullying ", "BULLYING", "bullying\t"}
	won := wins(t, func(i int) (bool, error) {
		_, err := w.svc.Admin.CreateInbox(ctx, admin, w.form.ID, spellings[i%len(spellings)])
		if p := domain.ProblemsOf(err); len(p) == 1 && p[0].Field == "name" {
			return false, nil
		}
		return err == nil, err
	})
	assert.Equal(t, 1, won, "one inbox of that name")
	assert.Len(t, w.inboxes(t), 2, "General and one Bullying")
}

// Admins rename two inboxes to one name at once: one rename wins.
func raceInboxRenames(t *testing.T, st ports.Store) {
	w := newRaceSchool(t, st)
	admin := w.actor(t, w.member(t, "head@oakfield.example", domain.RoleAdmin))
	var ids []domain.InboxID
	for i := range racers {
		ib, err := w.svc.Admin.CreateInbox(ctx, admin, w.form.ID, fmt.Sprint("Inbox ", i))
		require.NoError(t, err)
		ids = append(ids, ib.ID)
	}
	won := wins(t, func(i int) (bool, error) {
		_, err := w.svc.Admin.UpdateInbox(ctx, admin, ids[i], app.InboxSettings{Name: "Online worries"})
		if p := domain.ProblemsOf(err); len(p) == 1 && p[0].Field == "name" {
			return false, nil
		}
		return err == nil, err
	})
	assert.Equal(t, 1, won, "one inbox of that name")
}

// Admins move inboxes up and down, choose where texts land and archive and
// unarchive inboxes, all at once: afterwards the positions are distinct,
// one open inbox receives texts, and at least one is open.
func raceArrangingInboxes(t *testing.T, st ports.Store) {
	w := newRaceSchool(t, st)
	admin := w.actor(t, w.member(t, "head@oakfield.example", domain.RoleAdmin))
	ids := []domain.InboxID{w.inboxes(t)[0].ID}
	for i := range 4 {
		ib, err := w.svc.Admin.CreateInbox(ctx, admin, w.form.ID, fmt.Sprint("Inbox ", i))
		require.NoError(t, err)
		ids = append(ids, ib.ID)
	}
	changes := []domain.InboxChange{domain.InboxUp, domain.InboxDown, domain.InboxTexts, domain.InboxArchive, domain.InboxUnarchive}
	for round := range 3 {
		race(raceCount, func(i int) {
			_, err := w.svc.Admin.ArrangeInbox(ctx, admin, ids[(i+round)%len(ids)], changes[i%len(changes)])
			if p := domain.ProblemsOf(err); len(p) == 1 && p[0].Field == app.FieldInboxes {
				err = nil // the rules refused it: the last open inbox, or an archived one moved
			}
			assert.NoError(t, err, "round %d, racer %d", round, i)
		})
		inboxes := w.inboxes(t)
		var positions []int
		open, texts := 0, 0
		for _, ib := range inboxes {
			positions = append(positions, ib.Position)
			if ib.Open() {
				open++
			}
			if ib.Texts {
				texts++
				assert.True(t, ib.Open(), "round %d: texts land in an open inbox", round)
			}
		}
		slices.Sort(positions)
		assert.Equal(t, len(positions), len(slices.Compact(positions)), "round %d: positions %v are distinct", round, positions)
		assert.Positive(t, open, "round %d: an inbox stays open", round)
		assert.Equal(t, 1, texts, "round %d: one inbox receives texts", round)
	}
}

// An admin archives an inbox while reporters keep choosing it, through a
// service that holds the form as it was read before the archiving (as
// another instance may for a moment): every report the store accepted was
// accepted before the archiving returned, and is in the inbox; every one
// sent after was refused, beside the category field.
func raceArchiveAgainstReports(t *testing.T, st ports.Store) {
	w := newRaceSchool(t, st)
	admin := w.actor(t, w.member(t, "head@oakfield.example", domain.RoleAdmin))
	target, err := w.svc.Admin.CreateInbox(ctx, admin, w.form.ID, "Bullying")
	require.NoError(t, err)
	stale := app.New(app.Deps{Store: st, Clock: w.clock, Random: rand.Reader, Hasher: testHasher{},
		PublicURL: "https://whisper.example.org/", IntakeCacheFor: time.Hour})
	report := func(i int) (app.ReportAnswer, error) {
		return stale.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: string(w.form.Code), InboxID: string(target.ID),
			Body: fmt.Sprint("Report ", i)})
	}
	_, err = report(-1) // the stale service now holds the form with the inbox open
	require.NoError(t, err)
	var archived atomic.Bool
	var accepted, late atomic.Int64
	race(raceCount, func(i int) {
		if i == 0 {
			_, err := w.svc.Admin.ArrangeInbox(ctx, admin, target.ID, domain.InboxArchive)
			assert.NoError(t, err)
			archived.Store(true)
			return
		}
		for j := range 5 {
			after := archived.Load()
			_, err := report(i*10 + j)
			if err == nil {
				accepted.Add(1)
				if after {
					late.Add(1)
				}
				continue
			}
			p := domain.ProblemsOf(err)
			if assert.Len(t, p, 1, "racer %d: %v", i, err) {
				assert.Equal(t, app.FieldCategory, p[0].Field)
			}
		}
	})
	assert.Zero(t, late.Load(), "reports sent after the inbox was archived were accepted into it")
	_, err = report(1000)
	assert.Len(t, domain.ProblemsOf(err), 1, "a report after the archiving is refused")
	var n int
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		list, err := tx.Interactions().List(ctx, ports.InteractionFilter{InboxIDs: []domain.InboxID{target.ID}})
		n = len(list)
		return err
	}))
	assert.Equal(t, int(accepted.Load())+1, n, "every accepted report is in the inbox, and no other")
}

// A text reaches a service that read the form while texts still landed in
// an inbox since archived (another instance, within its cache's second):
// the text is not lost, and lands where texts land now.
func testStaleTextAfterArchiving(t *testing.T, st ports.Store) {
	w := newRaceSchool(t, st)
	admin := w.actor(t, w.member(t, "head@oakfield.example", domain.RoleAdmin))
	general := w.inboxes(t)[0]
	target, err := w.svc.Admin.CreateInbox(ctx, admin, w.form.ID, "Texts")
	require.NoError(t, err)
	_, err = w.svc.Admin.ArrangeInbox(ctx, admin, target.ID, domain.InboxTexts)
	require.NoError(t, err)
	stale := app.New(app.Deps{Store: st, Clock: w.clock, Random: rand.Reader, Hasher: testHasher{},
		PublicURL: "https://whisper.example.org/", IntakeCacheFor: time.Hour})
	_, err = stale.Reporting.ReportForm(ctx, string(w.form.Code)) // held with Texts open
	require.NoError(t, err)
	_, err = w.svc.Admin.ArrangeInbox(ctx, admin, target.ID, domain.InboxArchive)
	require.NoError(t, err)

	out, err := stale.Reporting.ReceiveText(ctx, app.InboundText{MessageUUID: "uuid-" + randomDigits(t, 12), From: "+447700900123",
		Text: string(w.form.Code) + " someone is following me home"})
	require.NoError(t, err)
	assert.Equal(t, app.TextOpened, out)
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		list, err := tx.Interactions().List(ctx, ports.InteractionFilter{InboxIDs: []domain.InboxID{general.ID}})
		assert.Len(t, list, 1, "the text is in General, where texts land now")
		return err
	}))
}

// inboxes reads the form's inboxes as the store has them, in order.
func (w raceSchool) inboxes(t *testing.T) []*domain.Inbox {
	t.Helper()
	var out []*domain.Inbox
	require.NoError(t, w.st.View(ctx, func(tx ports.Tx) (err error) {
		out, err = tx.Inboxes().List(ctx, ports.InboxFilter{FormID: &w.form.ID})
		return err
	}))
	return out
}
