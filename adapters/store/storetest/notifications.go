package storetest

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// notificationTests are the contract of notification choices and daily
// digests (issue #20).
var notificationTests = map[string]func(*testing.T, ports.Store){
	"NotificationPreferences": testNotificationPreferences,
	"DigestClaims":            testDigestClaims,
	"DigestCounts":            testDigestCounts,
}

// notificationRaces race instances sending the daily digests.
var notificationRaces = map[string]func(*testing.T, ports.Store){
	"DigestsGoOncePerMemberAndDay": raceDigests,
	"DigestClaimIsExclusive":       raceDigestClaim,
}

func setPreferences(t *testing.T, st ports.Store, m domain.StaffID, modes map[domain.InboxID]domain.NotifyMode) {
	t.Helper()
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Notifications().SetPreferences(ctx, m, modes) }))
}

func preferences(t *testing.T, st ports.Store, m domain.StaffID) map[domain.InboxID]domain.NotifyMode {
	t.Helper()
	var out map[domain.InboxID]domain.NotifyMode
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		out, err = tx.Notifications().Preferences(ctx, m)
		return err
	}))
	return out
}

func alertees(t *testing.T, st ports.Store, inbox domain.InboxID) map[string]domain.Alertee {
	t.Helper()
	out := map[string]domain.Alertee{}
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		list, err := tx.Notifications().Alertees(ctx, inbox)
		for _, a := range list {
			out[a.Email] = a
		}
		return err
	}))
	return out
}

func secondInbox(t *testing.T, st ports.Store, f fixture, name string) *domain.Inbox {
	t.Helper()
	ib := must(domain.NewInbox(must(domain.NewInboxID(rand.Reader)), f.form, name, nil, 1, now))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Inboxes().Create(ctx, ib) }))
	return ib
}

// Each member's choice is kept per inbox; at once is the default and is
// kept as no row; alerts read members' addresses, languages and choices
// as they are, and leave removed members out.
func testNotificationPreferences(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	online := secondInbox(t, st, f, "Online worries")
	kim := newStaff(t, f, "kim@oakfield.example", f.inbox, online)
	sam := newStaff(t, f, "sam@oakfield.example", f.inbox)
	gone := newStaff(t, f, "gone@oakfield.example", f.inbox)
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		for _, m := range []*domain.Staff{kim, sam, gone} {
			if err := tx.Staff().Create(ctx, m); err != nil {
				return err
			}
		}
		_, err := tx.Staff().Change(ctx, gone.ID, func(m *domain.Staff) error { removed := now; m.RemovedAt = &removed; return nil })
		return err
	}))

	assert.Empty(t, preferences(t, st, kim.ID), "nobody has chosen yet")
	got := alertees(t, st, f.inbox.ID)
	assert.Len(t, got, 2, "a removed member is no alertee")
	assert.Equal(t, domain.Alertee{StaffID: kim.ID, Email: "kim@oakfield.example", Language: domain.English, Mode: domain.NotifyAtOnce}, got["kim@oakfield.example"])

	setPreferences(t, st, kim.ID, map[domain.InboxID]domain.NotifyMode{f.inbox.ID: domain.NotifyDigest, online.ID: domain.NotifyNone})
	assert.Equal(t, map[domain.InboxID]domain.NotifyMode{f.inbox.ID: domain.NotifyDigest, online.ID: domain.NotifyNone}, preferences(t, st, kim.ID))
	assert.Empty(t, preferences(t, st, sam.ID), "one member's choice is theirs alone")
	assert.Equal(t, domain.NotifyDigest, alertees(t, st, f.inbox.ID)["kim@oakfield.example"].Mode)
	assert.Equal(t, domain.NotifyNone, alertees(t, st, online.ID)["kim@oakfield.example"].Mode)
	assert.Equal(t, domain.NotifyAtOnce, alertees(t, st, f.inbox.ID)["sam@oakfield.example"].Mode)

	setPreferences(t, st, kim.ID, map[domain.InboxID]domain.NotifyMode{f.inbox.ID: domain.NotifyAtOnce})
	assert.Equal(t, map[domain.InboxID]domain.NotifyMode{online.ID: domain.NotifyNone}, preferences(t, st, kim.ID),
		"back to at once, and the other inbox left as it was")

	// A language chosen a moment ago is the one alerts are written in.
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		_, err := tx.Staff().Change(ctx, sam.ID, func(m *domain.Staff) error { m.Language = domain.Welsh; return nil })
		return err
	}))
	assert.Equal(t, domain.Welsh, alertees(t, st, f.inbox.ID)["sam@oakfield.example"].Language)

	// Digest members: those with a digest inbox they are still assigned to.
	setPreferences(t, st, sam.ID, map[domain.InboxID]domain.NotifyMode{f.inbox.ID: domain.NotifyDigest})
	setPreferences(t, st, kim.ID, map[domain.InboxID]domain.NotifyMode{online.ID: domain.NotifyDigest})
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		_, err := tx.Staff().Change(ctx, kim.ID, func(m *domain.Staff) error { m.InboxIDs = []domain.InboxID{f.inbox.ID}; return nil })
		return err
	}))
	var members []ports.DigestMember
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		members, err = tx.Notifications().DigestMembers(ctx)
		return err
	}))
	var mine []ports.DigestMember
	for _, m := range members {
		if m.Staff.OrgID == f.org.ID {
			mine = append(mine, m)
		}
	}
	require.Len(t, mine, 1, "kim's digest inbox is no longer theirs")
	assert.Equal(t, sam.ID, mine[0].Staff.ID)
	assert.Equal(t, []domain.InboxID{f.inbox.ID}, mine[0].Inboxes)
	assert.Equal(t, "sam@oakfield.example", mine[0].Staff.Email)
}

func claimDigest(t *testing.T, st ports.Store, m domain.StaffID, day string, at time.Time) (bool, time.Time) {
	t.Helper()
	var claimed bool
	var prev time.Time
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) (err error) {
		claimed, prev, err = tx.Notifications().ClaimDigest(ctx, m, day, at)
		return err
	}))
	return claimed, prev
}

// A member's day is claimed once; a later day learns when the last went.
func testDigestClaims(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	m := newStaffOf(t, st, f.org.ID)
	other := newStaffOf(t, st, f.org.ID)
	claimed, prev := claimDigest(t, st, m.ID, "2026-03-14", now)
	assert.True(t, claimed)
	assert.True(t, prev.IsZero(), "a first digest has none before it")
	claimed, _ = claimDigest(t, st, m.ID, "2026-03-14", now.Add(time.Hour))
	assert.False(t, claimed, "the day is taken")
	claimed, _ = claimDigest(t, st, other.ID, "2026-03-14", now)
	assert.True(t, claimed, "each member has their own day")
	claimed, prev = claimDigest(t, st, m.ID, "2026-03-15", now.Add(24*time.Hour))
	assert.True(t, claimed)
	assert.Equal(t, now, prev)

	// A claim rolled back claims nothing.
	err := st.InTx(ctx, func(tx ports.Tx) error {
		if _, _, err := tx.Notifications().ClaimDigest(ctx, m.ID, "2026-03-16", now); err != nil {
			return err
		}
		return domain.Errorf(domain.KindConflict, "rolled back")
	})
	require.Error(t, err)
	claimed, _ = claimDigest(t, st, m.ID, "2026-03-16", now)
	assert.True(t, claimed)
}

// A digest counts reports made and replies written after since, and open
// interactions whose latest message is the reporter's; closed, answered
// and erased ones are left out.
func testDigestCounts(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	online := secondInbox(t, st, f, "Online worries")
	since := now.Add(-24 * time.Hour)

	replied, _, _ := createReport(t, st, f, since.Add(-time.Hour), domain.Contact{}, domain.Meta{})
	addMessage(t, st, replied, domain.AuthorStaff, since.Add(-time.Minute))
	addMessage(t, st, replied, domain.AuthorReporter, since.Add(time.Hour))
	addMessage(t, st, replied, domain.AuthorReporter, since.Add(2*time.Hour))
	replied.LastActivityAt = since.Add(2 * time.Hour)
	fresh, _, _ := createReport(t, st, f, since.Add(time.Minute), domain.Contact{}, domain.Meta{})
	answered, _, _ := createReport(t, st, f, since.Add(-48*time.Hour), domain.Contact{}, domain.Meta{})
	addMessage(t, st, answered, domain.AuthorStaff, since.Add(-47*time.Hour))
	waiting, _, _ := createReport(t, st, f, since.Add(-72*time.Hour), domain.Contact{}, domain.Meta{})
	closed, _, _ := createReport(t, st, f, since.Add(-72*time.Hour), domain.Contact{}, domain.Meta{})
	closed.Status, closed.ClosedAt = domain.StatusClosed, &closed.CreatedAt
	erased, _, _ := createReport(t, st, f, since.Add(time.Hour), domain.Contact{}, domain.Meta{})
	elsewhere := newFixture(t, st)
	createReport(t, st, elsewhere, since.Add(time.Hour), domain.Contact{}, domain.Meta{})
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		if err := saveChanges(tx, replied); err != nil {
			return err
		}
		if err := saveChanges(tx, closed); err != nil {
			return err
		}
		_, err := tx.Interactions().Erase(ctx, now, erased.ID)
		return err
	}))

	var got []domain.DigestInbox
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		got, err = tx.Notifications().DigestCounts(ctx, []domain.InboxID{f.inbox.ID, online.ID}, since, 10)
		return err
	}))
	require.Len(t, got, 2)
	assert.Equal(t, f.inbox.ID, got[0].InboxID)
	assert.Equal(t, 1, got[0].NewReports, "the fresh report; the erased one is not counted")
	assert.Equal(t, 2, got[0].Replies)
	assert.Equal(t, 3, got[0].Awaiting, "replied, fresh and waiting: their latest message is the reporter's")
	assert.Equal(t, []domain.Reference{replied.Ref, fresh.Ref, waiting.Ref}, got[0].Refs, "latest activity first")
	assert.True(t, got[1].Empty())
	assert.Equal(t, online.ID, got[1].InboxID)

	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		got, err = tx.Notifications().DigestCounts(ctx, []domain.InboxID{f.inbox.ID}, since, 1)
		return err
	}))
	assert.Equal(t, 3, got[0].Awaiting, "counts count everything")
	assert.Len(t, got[0].Refs, 1, "while references are bounded")
}

// Instances sending digests at the same moment (two whisperd, each with
// its sweep, and the 07:30 timer) queue one digest per member and day;
// a restart later that morning queues none again, and the next day's
// digest counts from the last one.
func raceDigests(t *testing.T, st ports.Store) {
	w := newRaceSchool(t, st)
	var inbox domain.InboxID
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		inboxes, err := tx.Inboxes().List(ctx, ports.InboxFilter{FormID: &w.form.ID})
		inbox = inboxes[0].ID
		return err
	}))
	var members []*domain.Staff
	for i := range 5 {
		out, err := w.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: w.org.ID, Email: "m" + string(rune('a'+i)) + "@oakfield.example",
			FirstName: "Alex", Role: domain.RoleStaff, Password: racePassword, InboxIDs: []domain.InboxID{inbox}})
		require.NoError(t, err)
		members = append(members, out.Staff)
		setPreferences(t, st, out.Staff.ID, map[domain.InboxID]domain.NotifyMode{inbox: domain.NotifyDigest})
	}
	// 07:45 in London on a winter's day is 07:45 UTC.
	w.clock.set(time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC))
	_, err := w.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: string(w.form.Code), Body: "Someone took my phone"})
	require.NoError(t, err)
	digests := func() map[string]int { return queuedTo(t, st, domain.DeliveryStaffDigest) }
	send := func(at time.Time) {
		w.clock.set(at)
		race(raceCount, func(int) {
			_, err := w.svc.Casework.SendDigests(ctx)
			assert.NoError(t, err)
		})
	}
	send(time.Date(2026, 12, 7, 7, 45, 0, 0, time.UTC))
	got := digests()
	require.Len(t, got, len(members))
	for _, m := range members {
		assert.Equal(t, 1, got[m.Email], m.Email)
	}
	send(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))
	assert.Equal(t, got, digests(), "the same day again, as after a restart: nothing more")
	send(time.Date(2026, 12, 8, 7, 45, 0, 0, time.UTC))
	got = digests()
	for _, m := range members {
		assert.Equal(t, 2, got[m.Email], "%s: the next day, one more (the report still awaits a reply)", m.Email)
	}
}

// Many transactions claiming one member's day at once: one is told true.
func raceDigestClaim(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	m := newStaffOf(t, st, f.org.ID)
	results := make(chan bool, raceCount)
	race(raceCount, func(int) {
		var claimed bool
		err := st.InTx(ctx, func(tx ports.Tx) (err error) {
			claimed, _, err = tx.Notifications().ClaimDigest(ctx, m.ID, "2026-12-07", now)
			return err
		})
		assert.NoError(t, err)
		results <- claimed
	})
	close(results)
	won := 0
	for claimed := range results {
		if claimed {
			won++
		}
	}
	assert.Equal(t, 1, won)
}
