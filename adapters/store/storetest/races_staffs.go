package storetest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// staffRaces race staff requests against each other.
var staffRaces = map[string]func(*testing.T, ports.Store){
	"InboxAssignmentsAreNotLost":       raceInboxAssignments,
	"AuthenticatorCodeSignsInOnce":     raceAuthenticatorCode,
	"AuthenticatorStepIsSpentOnce":     raceAuthenticatorStep,
	"RecoveryCodeSignsInOnce":          raceRecoveryCodeSignIn,
	"RecoveryCodeIsSpentOnce":          raceRecoveryCode,
	"ThrottleHoldsAgainstAThrong":      raceThrottle,
	"AnOrganisationKeepsAnAdmin":       raceLastAdmin,
	"OrganisationChangesAreNotLost":    raceOrganisationSettings,
	"AMemberReadEarlyIsNotWrittenBack": raceStaleMember,
	"AuthenticatorSetUpConfirmsOnce":   raceConfirmAuthenticator,
	"SetPasswordLinkWorksOnce":         raceSetPasswordLink,
}

// raceCount is how many requests race for a one-time thing.
const raceCount = 20

// raceIP is the i-th of the racers' addresses, all different, so that no
// address is slowed and every attempt counts against the account alone.
func raceIP(i int) netip.Addr { return netip.AddrFrom4([4]byte{198, 51, 100, byte(i + 1)}) }

// raceAuthenticatorCode signs in many times at once with one account's
// password and one authenticator code: the code works once.
func raceAuthenticatorCode(t *testing.T, st ports.Store) {
	w := newRaceSchool(t, st)
	m := w.withAuthenticator(t, w.member(t, "alex@oakfield.example", domain.RoleStaff))
	code, err := totp.GenerateCodeCustom(raceSecret, w.clock.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	require.NoError(t, err)
	var signedIn atomic.Int32
	race(raceCount, func(i int) {
		_, err := w.svc.Portal.SignIn(ctx, app.SignIn{Email: m.Email, Password: racePassword, Code: code, IP: raceIP(i)})
		if err == nil {
			signedIn.Add(1)
		} else if !errors.Is(err, app.ErrSignInFailed) && !errors.Is(err, app.ErrSignInThrottled) {
			assert.NoError(t, err, "attempt %d", i)
		}
	})
	assert.Equal(t, int32(1), signedIn.Load(), "one authenticator code signed in %d times", signedIn.Load())
}

// raceAuthenticatorStep spends one authenticator time step many times at
// once in the store: one spend finds it unspent.
func raceAuthenticatorStep(t *testing.T, st ports.Store) {
	w := newRaceSchool(t, st)
	m := w.withAuthenticator(t, w.member(t, "alex@oakfield.example", domain.RoleStaff))
	spend := func(step int64) (bool, error) {
		var ok bool
		err := st.InTx(ctx, func(tx ports.Tx) (err error) {
			ok, err = tx.Staff().SpendTOTPStep(ctx, m.ID, step)
			return err
		})
		return ok, err
	}
	var spent atomic.Int32
	race(raceCount, func(i int) {
		ok, err := spend(59000123)
		if assert.NoError(t, err, "spend %d", i) && ok {
			spent.Add(1)
		}
	})
	assert.Equal(t, int32(1), spent.Load(), "one step spent %d times", spent.Load())
	for step, want := range map[int64]bool{59000122: false, 59000123: false, 59000124: true} {
		ok, err := spend(step)
		require.NoError(t, err)
		assert.Equal(t, want, ok, "step %d after 59000123", step)
	}
	assert.Equal(t, int64(59000124), w.stored(t, m.ID).TOTPLastStep)
}

// raceConfirmAuthenticator confirms one authenticator set-up many times at
// once with one code: one confirmation turns it on and gets recovery codes,
// and those are the codes that work.
func raceConfirmAuthenticator(t *testing.T, st ports.Store) {
	w := newRaceSchool(t, st)
	m := w.member(t, "alex@oakfield.example", domain.RoleStaff)
	a := w.actor(t, m)
	key, err := w.svc.Portal.StartTOTP(ctx, a)
	require.NoError(t, err)
	code, err := totp.GenerateCodeCustom(key.Secret, w.clock.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	require.NoError(t, err)
	var (
		mu        sync.Mutex
		confirmed [][]string
	)
	race(raceCount, func(i int) {
		codes, err := w.svc.Portal.ConfirmTOTP(ctx, a, code)
		if err == nil {
			mu.Lock()
			confirmed = append(confirmed, codes)
			mu.Unlock()
		} else if !errors.Is(err, app.ErrTOTPAlreadyOn) && domain.KindOf(err) != domain.KindInvalid {
			assert.NoError(t, err, "confirmation %d", i)
		}
	})
	require.Equal(t, 1, len(confirmed), "one set-up confirmed %d times", len(confirmed))
	_, err = w.svc.Portal.SignIn(ctx, app.SignIn{Email: m.Email, Password: racePassword, Code: confirmed[0][0], IP: raceIP(0)})
	assert.NoError(t, err, "the recovery codes shown are the ones kept")
}

// raceRecoveryCodeSignIn signs in many times at once with one account's
// password and one recovery code: the code works once.
func raceRecoveryCodeSignIn(t *testing.T, st ports.Store) {
	w := newRaceSchool(t, st)
	m := w.withAuthenticator(t, w.member(t, "alex@oakfield.example", domain.RoleStaff))
	codes, err := w.svc.Portal.NewRecoveryCodes(ctx, w.actor(t, m), racePassword)
	require.NoError(t, err)
	var signedIn atomic.Int32
	race(raceCount, func(i int) {
		_, err := w.svc.Portal.SignIn(ctx, app.SignIn{Email: m.Email, Password: racePassword, Code: codes[0], IP: raceIP(i)})
		if err == nil {
			signedIn.Add(1)
		} else if !errors.Is(err, app.ErrSignInFailed) && !errors.Is(err, app.ErrSignInThrottled) {
			assert.NoError(t, err, "attempt %d", i)
		}
	})
	assert.Equal(t, int32(1), signedIn.Load(), "one recovery code signed in %d times", signedIn.Load())
}

// raceRecoveryCode spends one recovery code many times at once in the
// store: one spend finds it unused.
func raceRecoveryCode(t *testing.T, st ports.Store) {
	w := newRaceSchool(t, st)
	m := w.member(t, "alex@oakfield.example", domain.RoleStaff)
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Staff().SetRecoveryCodes(ctx, m.ID, []string{"h1", "h2"}) }))
	var spent atomic.Int32
	race(raceCount, func(i int) {
		var ok bool
		err := st.InTx(ctx, func(tx ports.Tx) (err error) {
			ok, err = tx.Staff().UseRecoveryCode(ctx, m.ID, "h1", now)
			return err
		})
		if assert.NoError(t, err, "spend %d", i) && ok {
			spent.Add(1)
		}
	})
	assert.Equal(t, int32(1), spent.Load(), "one recovery code spent %d times", spent.Load())
}

// raceThrottle makes many wrong guesses at one account at the same instant,
// each from an address of its own: the password may be checked no more
// often than the throttle allows guesses made one at a time.
func raceThrottle(t *testing.T, st ports.Store) {
	hasher := &countingHasher{PasswordHasher: testHasher{}}
	w := newRaceSchoolWith(t, st, hasher)
	guess := func(m *domain.Staff, i int) {
		_, err := w.svc.Portal.SignIn(ctx, app.SignIn{Email: m.Email, Password: "wrong guess number", IP: raceIP(i)})
		if !errors.Is(err, app.ErrSignInFailed) && !errors.Is(err, app.ErrSignInThrottled) {
			assert.NoError(t, err, "guess %d", i)
		}
	}
	const n = 50
	calm := w.member(t, "calm@oakfield.example", domain.RoleStaff)
	for i := range n {
		guess(calm, i)
	}
	allowed := hasher.verified.Swap(0)
	require.Positive(t, allowed)

	m := w.member(t, "alex@oakfield.example", domain.RoleStaff)
	race(n, func(i int) { guess(m, i) })
	assert.LessOrEqual(t, hasher.verified.Load(), allowed,
		"%d guesses at once had their password checked %d times; one at a time, %d", n, hasher.verified.Load(), allowed)
}

// countingHasher counts the passwords it checks.
type countingHasher struct {
	ports.PasswordHasher
	verified atomic.Int32
}

func (h *countingHasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	h.verified.Add(1)
	return h.PasswordHasher.Verify(ctx, password, encoded)
}

// raceLastAdmin has every admin of a school demote or remove another at
// the same instant, and one promote a staff member, round after round:
// however the requests interleave, the school keeps an admin.
func raceLastAdmin(t *testing.T, st ports.Store) {
	const rounds, admins = 10, 4
	for round := range rounds {
		w := newRaceSchool(t, st)
		members := make([]*domain.Staff, admins)
		actors := make([]*app.Actor, admins)
		for i := range members {
			// No password: sessions are opened directly, and hashing would
			// only slow the rounds.
			out, err := w.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: w.org.ID, Email: fmt.Sprintf("head%d-%d@oakfield.example", i, round), FirstName: "Head", Role: domain.RoleAdmin})
			require.NoError(t, err)
			members[i] = out.Staff
			actors[i] = w.actor(t, members[i])
		}
		// A staff member is promoted meanwhile, while other admins, whose
		// pages still show them as staff, save their settings unchanged.
		out, err := w.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: w.org.ID, Email: fmt.Sprintf("deputy-%d@oakfield.example", round), FirstName: "Dee"})
		require.NoError(t, err)
		promoted := out.Staff
		race(3*admins, func(i int) {
			actor, target := actors[i%admins], members[(i+1+i/admins)%admins]
			var err error
			switch {
			case i == 2*admins:
				_, err = w.svc.Admin.UpdateMember(ctx, actor, promoted.ID, app.MemberSettings{Role: "admin"})
			case i > 2*admins:
				_, err = w.svc.Admin.UpdateMember(ctx, actor, promoted.ID, app.MemberSettings{Role: "staff"})
			case i%2 == 0:
				_, err = w.svc.Admin.UpdateMember(ctx, actor, target.ID, app.MemberSettings{Role: "staff"})
			default:
				err = w.svc.Admin.RemoveMember(ctx, actor, target.ID)
			}
			// Refusals are expected: the last admin, or an actor or
			// target no longer an admin or no longer there.
			if k := domain.KindOf(err); err != nil && k != domain.KindInvalid && k != domain.KindNotFound {
				assert.NoError(t, err, "round %d, request %d", round, i)
			}
		})
		var left int
		require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
			list, err := tx.Staff().List(ctx, ports.StaffFilter{OrgID: &w.org.ID})
			for _, m := range list {
				if m.Role == domain.RoleAdmin {
					left++
				}
			}
			return err
		}))
		assert.Positive(t, left, "round %d left the school without an admin", round)
	}
}

// raceOrganisationSettings has an operator suspend a school while its
// admins save its settings: the suspension, which no admin's page showed,
// must not be undone by them.
func raceOrganisationSettings(t *testing.T, st ports.Store) {
	for round := range 5 {
		w := newRaceSchool(t, st)
		admin := w.actor(t, w.member(t, fmt.Sprintf("head%d@oakfield.example", round), domain.RoleAdmin))
		race(raceCount, func(i int) {
			var err error
			if i == raceCount/2 {
				_, err = w.svc.Operations.SetOrganisationStatus(ctx, app.Operator{Name: "test"}, w.org.ID, domain.OrgSuspended, "race")
			} else {
				_, err = w.svc.Admin.UpdateOrgSettings(ctx, admin, app.OrgSettings{RetentionMonths: "24", SwearWords: fmt.Sprintf("word%d", i)})
			}
			assert.NoError(t, err, "round %d, request %d", round, i)
		})
		var org *domain.Organisation
		require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
			org, err = tx.Organisations().Get(ctx, w.org.ID)
			return err
		}))
		assert.Equal(t, domain.OrgSuspended, org.Status, "round %d: an admin's save undid the suspension", round)
		assert.Equal(t, domain.Retention24, org.Retention)
	}
}

// raceStaleMember interleaves requests at the worst moment, by hand: Hana,
// an admin, saves a staff member's settings unchanged, and just after her
// request has read the member, Bea promotes them, and the new admin demotes
// Bea and then Hana. Had Hana's request written the member as it read them,
// the school would have no admin left. Her request waits at most a second
// for the others: if they cannot go ahead meanwhile, they go after it.
func raceStaleMember(t *testing.T, st ports.Store) {
	w := newRaceSchool(t, st)
	hana, bea := w.member(t, "hana@oakfield.example", domain.RoleAdmin), w.member(t, "bea@oakfield.example", domain.RoleAdmin)
	deputy := w.member(t, "dee@oakfield.example", domain.RoleStaff)
	asHana, asBea := w.actor(t, hana), w.actor(t, bea)
	others := make(chan struct{})
	hooked := &hookedStore{Store: st, target: deputy.ID, hook: func() {
		go func() {
			defer close(others)
			_, err := w.svc.Admin.UpdateMember(ctx, asBea, deputy.ID, app.MemberSettings{Role: "admin"})
			if !assert.NoError(t, err, "Bea promotes") {
				return
			}
			asDeputy := w.actor(t, deputy)
			for _, m := range []*domain.Staff{bea, hana} {
				_, err := w.svc.Admin.UpdateMember(ctx, asDeputy, m.ID, app.MemberSettings{Role: "staff"})
				assert.NoError(t, err, "the new admin demotes %s", m.Email)
			}
		}()
		select {
		case <-others:
		case <-time.After(time.Second):
		}
	}}
	svc := app.New(app.Deps{Store: hooked, Clock: w.clock, Random: rand.Reader, Hasher: testHasher{}, PublicURL: "https://whisper.example.org/"})
	_, err := svc.Admin.UpdateMember(ctx, asHana, deputy.ID, app.MemberSettings{Role: "staff"})
	if err != nil {
		assert.ErrorIs(t, err, app.ErrAdminOnly, "refused only for no longer being an admin")
	}
	<-others
	var admins []string
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		list, err := tx.Staff().List(ctx, ports.StaffFilter{OrgID: &w.org.ID})
		for _, m := range list {
			if m.Role == domain.RoleAdmin {
				admins = append(admins, m.Email)
			}
		}
		return err
	}))
	assert.NotEmpty(t, admins, "the school was left without an admin")
}

// hookedStore is st whose write transactions run hook, once, just after
// reading the staff member target.
type hookedStore struct {
	ports.Store
	target domain.StaffID
	hook   func()
	once   sync.Once
}

func (s *hookedStore) InTx(ctx context.Context, fn func(tx ports.Tx) error) error {
	return s.Store.InTx(ctx, func(tx ports.Tx) error { return fn(hookedTx{tx, s}) })
}

type hookedTx struct {
	ports.Tx
	s *hookedStore
}

func (t hookedTx) Staff() ports.StaffRepo { return hookedStaff{t.Tx.Staff(), t.s} }

type hookedStaff struct {
	ports.StaffRepo
	s *hookedStore
}

func (r hookedStaff) Get(ctx context.Context, id domain.StaffID) (*domain.Staff, error) {
	m, err := r.StaffRepo.Get(ctx, id)
	if id == r.s.target {
		r.s.once.Do(r.s.hook)
	}
	return m, err
}

func (r hookedStaff) Change(ctx context.Context, id domain.StaffID, change func(*domain.Staff) error) (*domain.Staff, error) {
	m, err := r.StaffRepo.Change(ctx, id, change)
	if id == r.s.target {
		r.s.once.Do(r.s.hook)
	}
	return m, err
}

// raceSetPasswordLink sets a password through one set-password link many
// times at once: the link works once, and the others are told so.
func raceSetPasswordLink(t *testing.T, st ports.Store) {
	w := newRaceSchool(t, st)
	out, err := w.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: w.org.ID, Email: "new@oakfield.example", FirstName: "Nia"})
	require.NoError(t, err)
	token := out.SetPasswordURL[strings.LastIndex(out.SetPasswordURL, "/")+1:]
	var set atomic.Int32
	race(raceCount, func(i int) {
		password := fmt.Sprintf("%s %d", racePassword, i)
		err := w.svc.Portal.SetPassword(ctx, token, password, password)
		switch {
		case err == nil:
			set.Add(1)
		case domain.KindOf(err) != domain.KindConflict && !errors.Is(err, app.ErrPasswordLinkDead):
			assert.NoError(t, err, "use %d", i)
		}
	})
	assert.Equal(t, int32(1), set.Load(), "one link set a password %d times", set.Load())
}

// raceInboxAssignments assigns one member to ten inboxes at once, one
// admin request per inbox: each request changes the member's assignments,
// and none may undo another's.
func raceInboxAssignments(t *testing.T, st ports.Store) {
	w := newRaceSchool(t, st)
	admin := w.actor(t, w.member(t, "head@oakfield.example", domain.RoleAdmin))
	member := w.member(t, "alex@oakfield.example", domain.RoleStaff)
	const n = 10
	inboxes := make([]*domain.Inbox, n)
	for i := range inboxes {
		ib, err := w.svc.Operations.CreateInbox(ctx, app.CreateInbox{FormID: w.form.ID, Name: fmt.Sprintf("Inbox %d", i)})
		require.NoError(t, err)
		inboxes[i] = ib
	}
	race(n, func(i int) {
		_, err := w.svc.Admin.UpdateInbox(ctx, admin, inboxes[i].ID, app.InboxSettings{Name: inboxes[i].Name, StaffIDs: []domain.StaffID{member.ID}})
		assert.NoError(t, err, "inbox %d", i)
	})
	got := w.stored(t, member.ID)
	for i, ib := range inboxes {
		assert.True(t, slices.Contains(got.InboxIDs, ib.ID), "inbox %d's assignment was lost", i)
	}
}

// raceSchool is an organisation with one form, driven through the app:
// the staff, form and purge races build on it.
type raceSchool struct {
	st    ports.Store
	svc   *app.App
	clock *raceClock
	org   *domain.Organisation
	form  *domain.Form
}

func newRaceSchool(t *testing.T, st ports.Store) raceSchool {
	t.Helper()
	return newRaceSchoolWith(t, st, testHasher{})
}

// newRaceSchoolWith is a raceSchool whose service hashes with hasher.
func newRaceSchoolWith(t *testing.T, st ports.Store, hasher ports.PasswordHasher) raceSchool {
	t.Helper()
	w := raceSchool{st: st, clock: &raceClock{t: now}}
	w.svc = app.New(app.Deps{Store: st, Clock: w.clock, Random: rand.Reader, Hasher: hasher, PublicURL: "https://whisper.example.org/"})
	var err error
	w.org, err = w.svc.Operations.CreateOrganisation(ctx, app.CreateOrganisation{Name: "Oakfield Primary"})
	require.NoError(t, err)
	out, err := w.svc.Operations.CreateForm(ctx, app.CreateForm{OrgID: w.org.ID, Name: "Oakfield", Code: "T" + randomDigits(t, 10)})
	require.NoError(t, err)
	w.form = out.Form
	return w
}

// racePassword is every race member's password.
const racePassword = "plum tractor lantern 47"

// member adds a member of the organisation with racePassword.
func (w raceSchool) member(t *testing.T, email string, role domain.Role) *domain.Staff {
	t.Helper()
	out, err := w.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: w.org.ID, Email: email, FirstName: "Alex", Role: role, Password: racePassword})
	require.NoError(t, err)
	return out.Staff
}

// actor opens a session for m, without signing in, and returns its actor.
func (w raceSchool) actor(t *testing.T, m *domain.Staff) *app.Actor {
	t.Helper()
	token := must(domain.NewToken(rand.Reader))
	require.NoError(t, w.st.InTx(ctx, func(tx ports.Tx) error {
		return tx.Sessions().Create(ctx, &domain.Session{IDHash: token.Hash(), StaffID: m.ID, CreatedAt: w.clock.Now(), LastSeenAt: w.clock.Now()})
	}))
	a, err := w.svc.Portal.Authenticate(ctx, string(token))
	require.NoError(t, err)
	return a
}

// raceSecret is the authenticator secret of every race member who has one.
const raceSecret = "JBSWY3DPEHPK3PXP"

// withAuthenticator gives m an authenticator app with raceSecret, no step
// of which has been used.
func (w raceSchool) withAuthenticator(t *testing.T, m *domain.Staff) *domain.Staff {
	t.Helper()
	require.NoError(t, w.st.InTx(ctx, func(tx ports.Tx) (err error) {
		m, err = tx.Staff().Change(ctx, m.ID, func(cur *domain.Staff) error {
			cur.TOTPSecret, cur.TOTPEnabled, cur.TOTPLastStep = raceSecret, true, 0
			return nil
		})
		return err
	}))
	return m
}

// stored reads a staff member as the store has them.
func (w raceSchool) stored(t *testing.T, id domain.StaffID) *domain.Staff {
	t.Helper()
	var m *domain.Staff
	require.NoError(t, w.st.View(ctx, func(tx ports.Tx) (err error) {
		m, err = tx.Staff().Get(ctx, id)
		return err
	}))
	return m
}
