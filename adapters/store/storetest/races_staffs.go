package storetest

import (
	"crypto/rand"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/passhash"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// staffRaces race staff requests against each other.
var staffRaces = map[string]func(*testing.T, ports.Store){
	"InboxAssignmentsAreNotLost": raceInboxAssignments,
}

// raceInboxAssignments assigns one member to ten inboxes at once, one
// admin request per inbox: each request changes the member's assignments,
// and none may undo another's.
func raceInboxAssignments(t *testing.T, st ports.Store) {
	w := newStaffWorld(t, st)
	admin := w.actor(t, w.member(t, "head@oakfield.example", domain.RoleAdmin))
	member := w.member(t, "alex@oakfield.example", domain.RoleStaff)
	const n = 10
	inboxes := make([]*domain.Inbox, n)
	for i := range inboxes {
		ib, err := w.svc.CreateInbox(ctx, app.CreateInbox{FormID: w.form.ID, Name: fmt.Sprintf("Inbox %d", i)})
		require.NoError(t, err)
		inboxes[i] = ib
	}
	race(n, func(i int) {
		_, err := w.svc.UpdateInbox(ctx, admin, inboxes[i].ID, app.InboxSettings{Name: inboxes[i].Name, StaffIDs: []domain.StaffID{member.ID}})
		assert.NoError(t, err, "inbox %d", i)
	})
	got := w.stored(t, member.ID)
	for i, ib := range inboxes {
		assert.True(t, slices.Contains(got.InboxIDs, ib.ID), "inbox %d's assignment was lost", i)
	}
}

// race runs fn(0) … fn(n-1) on n goroutines released at the same moment,
// and waits for them all.
func race(n int, fn func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			fn(i)
		})
	}
	close(start)
	wg.Wait()
}

// staffWorld is an organisation with one form, driven through the app.
type staffWorld struct {
	st    ports.Store
	svc   *app.Service
	clock *raceClock
	org   *domain.Organisation
	form  *domain.Form
}

// raceClock is a clock set by hand between races, never during one.
type raceClock struct{ t time.Time }

func (c *raceClock) Now() time.Time { return c.t }

func newStaffWorld(t *testing.T, st ports.Store) staffWorld {
	t.Helper()
	return newStaffWorldWith(t, st, passhash.New(passhash.TestParams(), 2))
}

// newStaffWorldWith is a staffWorld whose service hashes with hasher.
func newStaffWorldWith(t *testing.T, st ports.Store, hasher ports.PasswordHasher) staffWorld {
	t.Helper()
	w := staffWorld{st: st, clock: &raceClock{now}}
	w.svc = app.New(app.Deps{Store: st, Clock: w.clock, Random: rand.Reader, Hasher: hasher, PublicURL: "https://whisper.example.org/"})
	var err error
	w.org, err = w.svc.CreateOrganisation(ctx, app.CreateOrganisation{Name: "Oakfield Primary"})
	require.NoError(t, err)
	out, err := w.svc.CreateForm(ctx, app.CreateForm{OrgID: w.org.ID, Name: "Oakfield", Code: "T" + randomDigits(t, 10)})
	require.NoError(t, err)
	w.form = out.Form
	return w
}

// racePassword is every race member's password.
const racePassword = "plum tractor lantern 47"

// member adds a member of the organisation with racePassword.
func (w staffWorld) member(t *testing.T, email string, role domain.Role) *domain.Staff {
	t.Helper()
	out, err := w.svc.CreateStaff(ctx, app.CreateStaff{OrgID: w.org.ID, Email: email, FirstName: "Alex", Role: role, Password: racePassword})
	require.NoError(t, err)
	return out.Staff
}

// actor opens a session for m, without signing in, and returns its actor.
func (w staffWorld) actor(t *testing.T, m *domain.Staff) *app.Actor {
	t.Helper()
	token := must(domain.NewToken(rand.Reader))
	require.NoError(t, w.st.InTx(ctx, func(tx ports.Tx) error {
		return tx.Sessions().Create(ctx, &domain.Session{IDHash: token.Hash(), StaffID: m.ID, CreatedAt: w.clock.t, LastSeenAt: w.clock.t})
	}))
	a, err := w.svc.Authenticate(ctx, string(token))
	require.NoError(t, err)
	return a
}

// stored reads a staff member as the store has them.
func (w staffWorld) stored(t *testing.T, id domain.StaffID) *domain.Staff {
	t.Helper()
	var m *domain.Staff
	require.NoError(t, w.st.View(ctx, func(tx ports.Tx) (err error) {
		m, err = tx.Staff().Get(ctx, id)
		return err
	}))
	return m
}
