package storetest

import (
	"crypto/rand"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// replyColumnTests hold the store to keeping each interaction's first
// staff reply and whether it awaits a reply with every message added,
// whichever path adds it (issue #23: the statistics and the awaiting
// filter read them from the interaction, not its messages).
var replyColumnTests = map[string]func(*testing.T, ports.Store){
	"ReplyColumnsFollowEachPath": testReplyColumnsFollowEachPath,
	"Race/ReplyColumnsAtOnce":    raceReplyColumns,
	"ReplyColumnsOutOfTimeOrder": testReplyColumnsOutOfOrder,
}

// replyColumnsSchool is a new organisation with a member of its inbox,
// who sees its list.
func replyColumnsSchool(t *testing.T, st ports.Store, email string) (fixture, *domain.Staff, domain.Viewer) {
	t.Helper()
	f := newFixture(t, st)
	m := newStaff(t, f, email, f.inbox)
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Staff().Create(ctx, m) }))
	return f, m, domain.ViewerOf(m)
}

// awaitingAndFirst returns which of the viewer's interactions await a
// reply (the list's filter) and each one's first staff reply
// (FirstReplies, zero for none), by creation time.
func awaitingAndFirst(t *testing.T, st ports.Store, v domain.Viewer, from, to time.Time) (map[domain.Reference]bool, map[time.Time]time.Time) {
	t.Helper()
	awaiting := map[domain.Reference]bool{}
	first := map[time.Time]time.Time{}
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		list, err := tx.StaffView().List(ctx, v, ports.StaffViewFilter{TriageFilter: ports.TriageFilter{Awaiting: true}})
		if err != nil {
			return err
		}
		for _, c := range list {
			awaiting[c.Ref] = true
		}
		replies, err := tx.StaffView().FirstReplies(ctx, v, from, to)
		for _, r := range replies {
			first[r.CreatedAt] = r.RepliedAt
		}
		return err
	}))
	return awaiting, first
}

// Web report, SMS intake, staff replies and reporter replies each keep
// the columns: the first staff reply is set once, by the earliest staff
// message; a reporter's message after staff's awaits; staff's clears it.
func testReplyColumnsFollowEachPath(t *testing.T, st ports.Store) {
	f, m, v := replyColumnsSchool(t, st, "columns@oakfield.example")
	from, to := now.Add(-time.Hour), now.Add(24*time.Hour)

	web, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	texted, msg, token := newReport(t, f, "", "The lunch queue.", now.Add(time.Minute))
	require.NoError(t, st.AcceptInteraction(ctx, ports.NewInteraction{Interaction: texted, Token: token, Message: msg}))
	awaiting, first := awaitingAndFirst(t, st, v, from, to)
	assert.Equal(t, map[domain.Reference]bool{web.Ref: true, texted.Ref: true}, awaiting, "a new report awaits a reply, by either path")
	assert.Equal(t, map[time.Time]time.Time{web.CreatedAt: {}, texted.CreatedAt: {}}, first, "no reply yet")

	addTriageMessage(t, st, web, domain.AuthorStaff, m.ID, "Thank you.", now.Add(time.Hour))
	addTriageMessage(t, st, texted, domain.AuthorStaff, m.ID, "Thank you.", now.Add(2*time.Hour))
	awaiting, first = awaitingAndFirst(t, st, v, from, to)
	assert.Empty(t, awaiting, "answered")
	assert.Equal(t, map[time.Time]time.Time{web.CreatedAt: now.Add(time.Hour), texted.CreatedAt: now.Add(2 * time.Hour)}, first)

	addTriageMessage(t, st, web, domain.AuthorReporter, "", "It happened again.", now.Add(3*time.Hour))
	awaiting, _ = awaitingAndFirst(t, st, v, from, to)
	assert.Equal(t, map[domain.Reference]bool{web.Ref: true}, awaiting, "the reporter wrote after staff")

	addTriageMessage(t, st, web, domain.AuthorStaff, m.ID, "We are on it.", now.Add(4*time.Hour))
	awaiting, first = awaitingAndFirst(t, st, v, from, to)
	assert.Empty(t, awaiting, "staff answered again")
	assert.Equal(t, now.Add(time.Hour), first[web.CreatedAt], "the first reply is set once")
}

// Messages need not arrive in time order (a text delayed in transit): the
// columns follow the messages' times, not the order they were added in.
func testReplyColumnsOutOfOrder(t *testing.T, st ports.Store) {
	f, m, v := replyColumnsSchool(t, st, "order@oakfield.example")
	ia, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	addTriageMessage(t, st, ia, domain.AuthorStaff, m.ID, "Later reply.", now.Add(3*time.Hour))
	addTriageMessage(t, st, ia, domain.AuthorReporter, "", "Sent earlier.", now.Add(2*time.Hour))
	addTriageMessage(t, st, ia, domain.AuthorStaff, m.ID, "Earlier reply.", now.Add(time.Hour))
	awaiting, first := awaitingAndFirst(t, st, v, now.Add(-time.Hour), now.Add(time.Hour))
	assert.Empty(t, awaiting, "the latest message by time is staff's")
	assert.Equal(t, now.Add(time.Hour), first[ia.CreatedAt], "the earliest staff message by time")
}

// Messages added to one interaction at once, by both sides and at times
// in no order, leave the columns as the messages define them.
func raceReplyColumns(t *testing.T, st ports.Store) {
	f, m, v := replyColumnsSchool(t, st, "racing@oakfield.example")
	for round := range 4 {
		ia, _, _ := createReport(t, st, f, now.Add(time.Duration(round)*time.Minute), domain.Contact{}, domain.Meta{})
		const writers = 12
		msgs := make([]*domain.Message, writers)
		for i := range msgs {
			author, staff := domain.AuthorReporter, domain.StaffID("")
			if (i+round)%2 == 0 {
				author, staff = domain.AuthorStaff, m.ID
			}
			// Times in no order, some equal, so that ids break ties.
			at := now.Add(time.Hour + time.Duration((i*7+round*3)%writers/2)*time.Minute)
			msgs[i] = &domain.Message{ID: must(domain.NewMessageID(rand.Reader)), InteractionID: ia.ID, Author: author, StaffID: staff,
				Body: fmt.Sprintf("message %d", i), CreatedAt: at}
		}
		var wg sync.WaitGroup
		for _, msg := range msgs {
			wg.Go(func() {
				assert.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Messages().Add(ctx, msg, domain.Meta{}) }))
			})
		}
		wg.Wait()
		latest, firstStaff := msgs[0], time.Time{}
		for _, msg := range msgs {
			if msg.CreatedAt.After(latest.CreatedAt) || (msg.CreatedAt.Equal(latest.CreatedAt) && msg.ID > latest.ID) {
				latest = msg
			}
			if msg.Author == domain.AuthorStaff && (firstStaff.IsZero() || msg.CreatedAt.Before(firstStaff)) {
				firstStaff = msg.CreatedAt
			}
		}
		awaiting, first := awaitingAndFirst(t, st, v, ia.CreatedAt, ia.CreatedAt.Add(time.Second))
		assert.Equal(t, latest.Author == domain.AuthorReporter, awaiting[ia.Ref], "round %d: awaiting follows the latest message", round)
		assert.Equal(t, firstStaff, first[ia.CreatedAt], "round %d: the earliest staff message", round)
	}
}
