package storetest

import (
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// replyTests are the contract of what paces a reporter's replies: the
// count behind the hourly limit, each recipient's alert state, the
// trailing alert's count and the texter's limit notice.
var replyTests = map[string]func(*testing.T, ports.Store){
	"ReplyCountSeesTheLastHour":   testReplyCount,
	"ReplyAlertStatesRoundTrip":   testReplyAlertStates,
	"RaiseOnlyWhatIsNotClaimed":   testRaiseUnclaimed,
	"LimitNoticeOnceAnHour":       testLimitNotice,
	"ErasureForgetsReplyPacing":   testErasureForgetsReplies,
	"RaisedCountComesBackClaimed": testRaisedCountClaimed,
	"TrailingAlertIsNotLateEarly": testTrailingAlertNotLate,
}

// A trailing alert waits in the outbox for its window to end; the outbox's
// health counts it as waiting from then, not from when it was queued, so
// a monitor of the oldest pending age does not fire on it.
func testTrailingAlertNotLate(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	ia, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	pendingAlert(t, st, f, ia, now.Add(15*time.Minute))
	health := func() ports.OutboxHealth {
		var h ports.OutboxHealth
		require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
			h, err = tx.Outbox().Health(ctx)
			return err
		}))
		return h
	}
	h := health()
	assert.Equal(t, 1, h.Pending)
	require.NotNil(t, h.OldestPending)
	assert.Equal(t, now.Add(15*time.Minute), *h.OldestPending)

	pendingAlert(t, st, f, ia, now)
	assert.Equal(t, now, *health().OldestPending, "one due now is the oldest")
}

// addMessage adds a message to ia at at, by the reporter or by staff.
func addMessage(t *testing.T, st ports.Store, ia *domain.Interaction, author domain.Author, at time.Time) {
	t.Helper()
	var staffID domain.StaffID
	if author == domain.AuthorStaff {
		staffID = newStaffOf(t, st, ia.OrgID).ID
	}
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		return tx.Messages().Add(ctx, &domain.Message{ID: must(domain.NewMessageID(rand.Reader)), InteractionID: ia.ID,
			Author: author, StaffID: staffID, Body: "more", CreatedAt: at}, domain.Meta{})
	}))
}

// newStaffOf adds a staff member to the organisation.
func newStaffOf(t *testing.T, st ports.Store, org domain.OrgID) *domain.Staff {
	t.Helper()
	m := must(domain.NewStaff(must(domain.NewStaffID(rand.Reader)), org, "s"+randomDigits(t, 8)+"@oakfield.example", "Alex", "", domain.RoleStaff, nil, now))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Staff().Create(ctx, m) }))
	return m
}

func reporterSince(t *testing.T, st ports.Store, id domain.InteractionID, since time.Time) []time.Time {
	t.Helper()
	var out []time.Time
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		out, err = tx.Messages().ReporterSince(ctx, id, since)
		return err
	}))
	return out
}

func testReplyCount(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	ia, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	other, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	for _, at := range []time.Duration{time.Minute, 30 * time.Minute, 70 * time.Minute} {
		addMessage(t, st, ia, domain.AuthorReporter, now.Add(at))
	}
	addMessage(t, st, ia, domain.AuthorStaff, now.Add(31*time.Minute))
	addMessage(t, st, other, domain.AuthorReporter, now.Add(40*time.Minute))

	assert.Equal(t, []time.Time{now, now.Add(time.Minute), now.Add(30 * time.Minute), now.Add(70 * time.Minute)},
		reporterSince(t, st, ia.ID, now.Add(-time.Second)), "the reporter's own messages, oldest first, the report too")
	assert.Equal(t, []time.Time{now.Add(30 * time.Minute), now.Add(70 * time.Minute)},
		reporterSince(t, st, ia.ID, now.Add(10*time.Minute)), "staff messages and other interactions do not count")
	assert.Equal(t, []time.Time{now.Add(70 * time.Minute)}, reporterSince(t, st, ia.ID, now.Add(30*time.Minute)),
		"a message exactly at since is over an hour old")
	assert.Empty(t, reporterSince(t, st, ia.ID, now.Add(2*time.Hour)))
}

func alertStates(t *testing.T, st ports.Store, id domain.InteractionID, recipients ...string) map[string]domain.ReplyAlertState {
	t.Helper()
	var out map[string]domain.ReplyAlertState
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		out, err = tx.Replies().AlertStates(ctx, id, recipients)
		return err
	}))
	return out
}

func saveAlertStates(t *testing.T, st ports.Store, id domain.InteractionID, states map[string]domain.ReplyAlertState) {
	t.Helper()
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Replies().SaveAlertStates(ctx, id, states) }))
}

func testReplyAlertStates(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	ia, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	other, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	dsl, head := "dsl@oakfield.example", "head@oakfield.example"
	assert.Equal(t, map[string]domain.ReplyAlertState{dsl: {}, head: {}}, alertStates(t, st, ia.ID, dsl, head),
		"a recipient never alerted has the zero state")

	waiting := domain.ReplyAlertState{WindowEndsAt: now.Add(15 * time.Minute), PendingID: "dlv_pending", PendingCount: 3}
	saveAlertStates(t, st, ia.ID, map[string]domain.ReplyAlertState{dsl: waiting, head: {WindowEndsAt: now}})
	assert.Equal(t, map[string]domain.ReplyAlertState{dsl: waiting, head: {WindowEndsAt: now}}, alertStates(t, st, ia.ID, dsl, head))
	assert.Equal(t, waiting, alertStates(t, st, ia.ID, "DSL@Oakfield.example")["DSL@Oakfield.example"],
		"an address is one recipient however it is written")
	assert.Equal(t, domain.ReplyAlertState{}, alertStates(t, st, other.ID, dsl)[dsl], "each interaction has its own")

	went := waiting.PendingWent()
	saveAlertStates(t, st, ia.ID, map[string]domain.ReplyAlertState{dsl: went})
	assert.Equal(t, map[string]domain.ReplyAlertState{dsl: went, head: {WindowEndsAt: now}}, alertStates(t, st, ia.ID, dsl, head),
		"a saved state replaces the last, and only its own")
}

// pendingAlert queues a reply alert about ia due at due.
func pendingAlert(t *testing.T, st ports.Store, f fixture, ia *domain.Interaction, due time.Time) *domain.Delivery {
	t.Helper()
	d := domain.StaffReplyAlert(must(domain.NewDeliveryID(rand.Reader)), ia, f.form, f.inbox, domain.Recipient{Address: "dsl@oakfield.example", Language: domain.English},
		"https://w.example/staff/interactions/x", due, now)
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Outbox().Enqueue(ctx, d) }))
	return d
}

func raise(t *testing.T, st ports.Store, id domain.DeliveryID, count int) bool {
	t.Helper()
	var ok bool
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) (err error) {
		ok, err = tx.Outbox().Raise(ctx, id, count)
		return err
	}))
	return ok
}

func deliveryOf(t *testing.T, st ports.Store, ia *domain.Interaction, id domain.DeliveryID) *domain.Delivery {
	t.Helper()
	var found *domain.Delivery
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		ds, err := tx.Outbox().List(ctx, ports.OutboxFilter{InteractionID: &ia.ID})
		for _, d := range ds {
			if d.ID == id {
				found = d
			}
		}
		return err
	}))
	require.NotNil(t, found, "delivery %s", id)
	return found
}

func testRaiseUnclaimed(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	ia, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	d := pendingAlert(t, st, f, ia, now.Add(15*time.Minute))
	assert.Equal(t, 1, deliveryOf(t, st, ia, d.ID).Count)
	assert.True(t, raise(t, st, d.ID, 2))
	assert.True(t, raise(t, st, d.ID, 3))
	assert.Equal(t, 3, deliveryOf(t, st, ia, d.ID).Count)

	var claimed []*domain.Delivery
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) (err error) {
		claimed, err = tx.Outbox().Claim(ctx, now.Add(15*time.Minute), time.Minute, 10)
		return err
	}))
	require.Len(t, claimed, 1)
	assert.Equal(t, 3, claimed[0].Count, "the claim takes the raised count")
	assert.False(t, raise(t, st, d.ID, 4), "once claimed, a delivery is not raised")
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		return tx.Outbox().Retry(ctx, d.ID, 1, now.Add(20*time.Minute), nil)
	}))
	assert.False(t, raise(t, st, d.ID, 4), "nor once tried and waiting to be tried again: it may have gone")
	assert.Equal(t, 3, deliveryOf(t, st, ia, d.ID).Count)
	assert.False(t, raise(t, st, "dlv_nosuchdelivery00000", 2), "nor what does not exist")
}

func takeLimitNotice(t *testing.T, st ports.Store, id domain.InteractionID, at time.Time) bool {
	t.Helper()
	var ok bool
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) (err error) {
		ok, err = tx.Replies().TakeLimitNotice(ctx, id, at, time.Hour)
		return err
	}))
	return ok
}

func testLimitNotice(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	ia, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	other, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	assert.True(t, takeLimitNotice(t, st, ia.ID, now))
	assert.False(t, takeLimitNotice(t, st, ia.ID, now))
	assert.False(t, takeLimitNotice(t, st, ia.ID, now.Add(59*time.Minute)))
	assert.True(t, takeLimitNotice(t, st, other.ID, now), "each interaction has its own")
	assert.True(t, takeLimitNotice(t, st, ia.ID, now.Add(time.Hour)), "an hour on, the texter is told again")
	assert.False(t, takeLimitNotice(t, st, ia.ID, now.Add(time.Hour)))
}

// errRollBack ends a transaction a test only looks inside.
var errRollBack = errors.New("storetest: roll back")

func testErasureForgetsReplies(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	ia, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	kept, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	for _, x := range []*domain.Interaction{ia, kept} {
		d := pendingAlert(t, st, f, x, now.Add(15*time.Minute))
		saveAlertStates(t, st, x.ID, map[string]domain.ReplyAlertState{"dsl@oakfield.example": {
			WindowEndsAt: now.Add(15 * time.Minute), PendingID: d.ID, PendingCount: 1}})
		require.True(t, takeLimitNotice(t, st, x.ID, now))
	}

	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		_, err := tx.Interactions().Erase(ctx, now.Add(time.Minute), ia.ID)
		return err
	}))
	assert.Equal(t, domain.ReplyAlertState{}, alertStates(t, st, ia.ID, "dsl@oakfield.example")["dsl@oakfield.example"],
		"the recipients' states go with the interaction")
	var queued []*domain.Delivery
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		queued, err = tx.Outbox().List(ctx, ports.OutboxFilter{InteractionID: &ia.ID})
		return err
	}))
	assert.Empty(t, queued, "the trailing alert is dropped")
	err := st.InTx(ctx, func(tx ports.Tx) error {
		told, err := tx.Replies().TakeLimitNotice(ctx, ia.ID, now.Add(time.Minute), time.Hour)
		require.NoError(t, err)
		assert.True(t, told, "when the texter was told is forgotten")
		return errRollBack
	})
	require.ErrorIs(t, err, errRollBack)

	assert.NotZero(t, alertStates(t, st, kept.ID, "dsl@oakfield.example")["dsl@oakfield.example"].PendingCount,
		"another interaction keeps its own")
	assert.False(t, takeLimitNotice(t, st, kept.ID, now.Add(time.Minute)))
}

// A claim returns the count a delivery was raised to, and MarkSent keeps
// it: it is what the message said.
func testRaisedCountClaimed(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	ia, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	d := pendingAlert(t, st, f, ia, now)
	require.True(t, raise(t, st, d.ID, 7))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		claimed, err := tx.Outbox().Claim(ctx, now, time.Minute, 10)
		require.NoError(t, err)
		require.Len(t, claimed, 1)
		assert.Equal(t, 7, claimed[0].Count)
		return tx.Outbox().MarkSent(ctx, d.ID, 1, now)
	}))
	assert.Equal(t, 7, deliveryOf(t, st, ia, d.ID).Count)
}
