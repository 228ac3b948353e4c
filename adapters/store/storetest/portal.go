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

// portalTests are the parts of the contract the staff portal relies on.
var portalTests = map[string]func(*testing.T, ports.Store){
	"CasesStayInScope":          testStaffViewScope,
	"CasesFilterAndPage":        testStaffViewFilter,
	"CasesUnreadAndMessages":    testStaffViewUnread,
	"CaseStatsByMonthAndInbox":  testStaffViewStats,
	"SessionsRoundTrip":         testSessions,
	"SignInFailuresCount":       testSignInFailures,
	"PasswordLinksWorkOnce":     testPasswordLinks,
	"RecoveryCodesWorkOnce":     testRecoveryCodes,
	"StaffAuthenticatorRemoval": testStaffTOTPAndRemoval,
}

func viewOf(t *testing.T, st ports.Store, v domain.Viewer, f ports.StaffViewFilter) []domain.Reference {
	t.Helper()
	var refs []domain.Reference
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		list, err := tx.StaffView().List(ctx, v, f)
		for _, c := range list {
			refs = append(refs, c.Ref)
		}
		return err
	}))
	return refs
}

func testStaffViewScope(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	other := newFixture(t, st)
	second := must(domain.NewInbox(must(domain.NewInboxID(rand.Reader)), f.form, "Second", nil, 1, now))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Inboxes().Create(ctx, second) }))
	inFirst, _, _ := createReport(t, st, f, now, domain.Contact{Email: "a@example.org"}, domain.Meta{IP: "192.0.2.1"})
	inSecond, _, token := newReport(t, fixture{org: f.org, form: f.form, inbox: second}, "", "second inbox", now.Add(time.Minute))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Interactions().Create(ctx, inSecond, token, domain.Contact{}) }))
	elsewhere, _, _ := createReport(t, st, other, now, domain.Contact{}, domain.Meta{})

	admin := domain.Viewer{StaffID: "stf_admin", OrgID: f.org.ID}
	staff := domain.Viewer{StaffID: "stf_staff", OrgID: f.org.ID, InboxIDs: []domain.InboxID{f.inbox.ID}}
	unassigned := domain.Viewer{StaffID: "stf_none", OrgID: f.org.ID, InboxIDs: []domain.InboxID{}}
	assert.Equal(t, []domain.Reference{inSecond.Ref, inFirst.Ref}, viewOf(t, st, admin, ports.StaffViewFilter{}))
	assert.Equal(t, []domain.Reference{inFirst.Ref}, viewOf(t, st, staff, ports.StaffViewFilter{}))
	assert.Empty(t, viewOf(t, st, unassigned, ports.StaffViewFilter{}))

	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		for name, c := range map[string]struct {
			v   domain.Viewer
			ref domain.Reference
		}{
			"another organisation's case": {admin, elsewhere.Ref},
			"an unassigned inbox's case":  {staff, inSecond.Ref},
			"no assignments":              {unassigned, inFirst.Ref},
		} {
			_, err := tx.StaffView().Get(ctx, c.v, c.ref)
			assert.Equal(t, domain.KindNotFound, domain.KindOf(err), name)
			_, err = tx.StaffView().Messages(ctx, c.v, c.ref)
			assert.Equal(t, domain.KindNotFound, domain.KindOf(err), name)
		}
		n, err := tx.StaffView().Count(ctx, staff, ports.StaffViewFilter{})
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		return nil
	}))

	// Erased interactions are no longer cases.
	erased := now.Add(time.Hour)
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { _, err := tx.Interactions().Erase(ctx, erased, inFirst.ID); return err }))
	assert.Equal(t, []domain.Reference{inSecond.Ref}, viewOf(t, st, admin, ports.StaffViewFilter{}))
}

func testStaffViewFilter(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	var refs []domain.Reference
	for i := range 5 {
		ia, _, _ := createReport(t, st, f, now.Add(time.Duration(i)*24*time.Hour), domain.Contact{}, domain.Meta{})
		refs = append([]domain.Reference{ia.Ref}, refs...) // newest first
		if i == 1 {
			ia.Close(now.Add(48 * time.Hour))
			require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return saveChanges(tx, ia) }))
		}
	}
	admin := domain.Viewer{StaffID: "stf_admin", OrgID: f.org.ID}
	closed := domain.StatusClosed
	from, to := now.Add(24*time.Hour), now.Add(3*24*time.Hour)
	assert.Equal(t, refs[1:3], viewOf(t, st, admin, ports.StaffViewFilter{Limit: 2, Offset: 1}))
	assert.Equal(t, []domain.Reference{refs[3]}, viewOf(t, st, admin, ports.StaffViewFilter{Status: &closed}))
	assert.Equal(t, []domain.Reference{refs[2], refs[3]}, viewOf(t, st, admin, ports.StaffViewFilter{From: &from, To: &to}))
	assert.Equal(t, refs, viewOf(t, st, admin, ports.StaffViewFilter{InboxID: &f.inbox.ID}))
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		n, err := tx.StaffView().Count(ctx, admin, ports.StaffViewFilter{From: &from, Limit: 1})
		require.NoError(t, err)
		assert.Equal(t, 4, n, "paging does not change the count")
		return nil
	}))
}

func testStaffViewUnread(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	ia, first, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	m := newStaff(t, f, "unread@oakfield.example", f.inbox)
	m.LastName = "Jones"
	v := domain.ViewerOf(m)
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Staff().Create(ctx, m) }))

	get := func() *domain.StaffInteraction {
		var c *domain.StaffInteraction
		require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
			c, err = tx.StaffView().Get(ctx, v, ia.Ref)
			return err
		}))
		return c
	}
	c := get()
	assert.True(t, c.Unread, "never seen")
	assert.Equal(t, domain.AnonymousName, (&domain.StaffInteraction{}).DisplayName())
	assert.Equal(t, "Sam", c.DisplayName())
	assert.Equal(t, f.inbox.Name, c.InboxName)
	assert.Equal(t, f.form.Name, c.FormName)

	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.StaffView().MarkRead(ctx, v, ia.ID, now.Add(time.Minute)) }))
	assert.False(t, get().Unread)

	reply := &domain.Message{ID: must(domain.NewMessageID(rand.Reader)), InteractionID: ia.ID, Author: domain.AuthorStaff,
		StaffID: m.ID, Body: "We are looking into it.", CreatedAt: now.Add(2 * time.Minute)}
	ia.LastActivityAt = reply.CreatedAt
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		if err := tx.Messages().Add(ctx, reply, domain.Meta{IP: "198.51.100.1"}); err != nil {
			return err
		}
		return saveChanges(tx, ia)
	}))
	assert.True(t, get().Unread, "new activity since it was read")
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.StaffView().MarkRead(ctx, v, ia.ID, now.Add(3*time.Minute)) }))
	assert.False(t, get().Unread, "marking again moves the marker")

	var msgs []*domain.StaffMessage
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		msgs, err = tx.StaffView().Messages(ctx, v, ia.Ref)
		return err
	}))
	require.Len(t, msgs, 2)
	assert.Equal(t, &domain.StaffMessage{ID: first.ID, FromReporter: true, Body: first.Body, CreatedAt: first.CreatedAt}, msgs[0])
	assert.Equal(t, "Alex Jones", msgs[1].StaffName)
	assert.False(t, msgs[1].FromReporter)
}

func testStaffViewStats(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	second := must(domain.NewInbox(must(domain.NewInboxID(rand.Reader)), f.form, "Online", nil, 1, now))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Inboxes().Create(ctx, second) }))
	jan := time.Date(2026, 1, 31, 23, 59, 0, 0, time.UTC)
	feb := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	for _, at := range []time.Time{jan, jan, feb} {
		createReport(t, st, f, at, domain.Contact{}, domain.Meta{})
	}
	online, _, token := newReport(t, fixture{org: f.org, form: f.form, inbox: second}, "", "x", feb)
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Interactions().Create(ctx, online, token, domain.Contact{}) }))
	erasedAt := feb.Add(time.Hour)
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { _, err := tx.Interactions().Erase(ctx, erasedAt, online.ID); return err }))

	var counts []domain.InteractionCount
	utc := domain.NewZone(time.UTC)
	admin := domain.Viewer{OrgID: f.org.ID}
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		counts, err = tx.StaffView().Stats(ctx, admin, utc.Months(jan, feb))
		return err
	}))
	assert.Equal(t, []domain.InteractionCount{
		{Month: "2026-01", InboxID: f.inbox.ID, InboxName: f.inbox.Name, Count: 2},
		{Month: "2026-02", InboxID: f.inbox.ID, InboxName: f.inbox.Name, Count: 1},
		{Month: "2026-02", InboxID: second.ID, InboxName: "Online", Count: 1},
	}, counts, "erased interactions still count")

	staff := domain.Viewer{OrgID: f.org.ID, InboxIDs: []domain.InboxID{second.ID}}
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		counts, err = tx.StaffView().Stats(ctx, staff, utc.Months(jan.AddDate(0, -1, 0), feb.AddDate(0, 1, 0)))
		return err
	}))
	assert.Equal(t, []domain.InteractionCount{{Month: "2026-02", InboxID: second.ID, InboxName: "Online", Count: 1}}, counts)
}

func testSessions(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	m := newStaff(t, f, "session@oakfield.example")
	s1 := &domain.Session{IDHash: must(domain.NewToken(rand.Reader)).Hash(), StaffID: m.ID, CreatedAt: now, LastSeenAt: now}
	s2 := &domain.Session{IDHash: must(domain.NewToken(rand.Reader)).Hash(), StaffID: m.ID, CreatedAt: now, LastSeenAt: now}
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		if err := tx.Staff().Create(ctx, m); err != nil {
			return err
		}
		if err := tx.Sessions().Create(ctx, s1); err != nil {
			return err
		}
		return tx.Sessions().Create(ctx, s2)
	}))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Sessions().Touch(ctx, s1.IDHash, now.Add(time.Minute)) }))
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		got, err := tx.Sessions().Get(ctx, s1.IDHash)
		require.NoError(t, err)
		assert.Equal(t, now.Add(time.Minute), got.LastSeenAt)
		assert.Equal(t, m.ID, got.StaffID)
		return nil
	}))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Sessions().Delete(ctx, s1.IDHash) }))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Sessions().Delete(ctx, s1.IDHash) }), "ending twice is fine")
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		_, err := tx.Sessions().Get(ctx, s1.IDHash)
		assert.Equal(t, domain.KindNotFound, domain.KindOf(err))
		_, err = tx.Sessions().Get(ctx, s2.IDHash)
		assert.NoError(t, err)
		return nil
	}))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Sessions().DeleteForStaff(ctx, m.ID) }))
	err := st.View(ctx, func(tx ports.Tx) error { _, err := tx.Sessions().Get(ctx, s2.IDHash); return err })
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err))
	err = st.InTx(ctx, func(tx ports.Tx) error { return tx.Sessions().Touch(ctx, s2.IDHash, now) })
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err))
}

func testSignInFailures(t *testing.T, st ports.Store) {
	key := "email:" + randomDigits(t, 8) + "@example.org"
	get := func(key string) (int, time.Time) {
		var (
			n    int
			last time.Time
		)
		require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
			n, last, err = tx.SignInFailures().Get(ctx, key)
			return err
		}))
		return n, last
	}
	write := func(fn func(f ports.SignInFailureRepo) error) {
		t.Helper()
		require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return fn(tx.SignInFailures()) }))
	}
	write(func(f ports.SignInFailureRepo) error {
		n, last, err := f.Lock(ctx, key)
		assert.Zero(t, n, "a key never seen has no failures")
		assert.True(t, last.IsZero())
		if err != nil {
			return err
		}
		return f.Set(ctx, key, 3, now.Add(2*time.Second))
	})
	n, last := get(key)
	assert.Equal(t, 3, n)
	assert.Equal(t, now.Add(2*time.Second), last)
	n, _ = get(key + "x")
	assert.Zero(t, n)
	write(func(f ports.SignInFailureRepo) error {
		n, last, err := f.Lock(ctx, key)
		assert.Equal(t, 3, n, "a lock reads the count")
		assert.Equal(t, now.Add(2*time.Second), last)
		return err
	})

	// An attempt counted and given back leaves the count as it was.
	write(func(f ports.SignInFailureRepo) error { return f.Set(ctx, key, 4, now.Add(3*time.Second)) })
	write(func(f ports.SignInFailureRepo) error {
		return f.GiveBack(ctx, key, 4, now.Add(3*time.Second), now.Add(2*time.Second))
	})
	n, last = get(key)
	assert.Equal(t, 3, n)
	assert.Equal(t, now.Add(2*time.Second), last, "the last failure is the one before again")
	// One given back after another was counted leaves that one's time.
	write(func(f ports.SignInFailureRepo) error { return f.Set(ctx, key, 4, now.Add(4*time.Second)) })
	write(func(f ports.SignInFailureRepo) error { return f.Set(ctx, key, 5, now.Add(4*time.Second)) })
	write(func(f ports.SignInFailureRepo) error {
		return f.GiveBack(ctx, key, 4, now.Add(4*time.Second), now.Add(2*time.Second))
	})
	n, last = get(key)
	assert.Equal(t, 4, n)
	assert.Equal(t, now.Add(4*time.Second), last, "the other attempt's time stays")

	write(func(f ports.SignInFailureRepo) error { return f.Clear(ctx, key) })
	n, _ = get(key)
	assert.Zero(t, n)
	// A key's first attempt given back leaves it as if never seen.
	write(func(f ports.SignInFailureRepo) error {
		if _, _, err := f.Lock(ctx, key); err != nil {
			return err
		}
		return f.Set(ctx, key, 1, now)
	})
	write(func(f ports.SignInFailureRepo) error { return f.GiveBack(ctx, key, 1, now, time.Time{}) })
	n, last = get(key)
	assert.Zero(t, n)
	assert.True(t, last.IsZero(), "%v", last)
	write(func(f ports.SignInFailureRepo) error { return f.GiveBack(ctx, key, 1, now, now) })
	n, _ = get(key)
	assert.Zero(t, n, "nothing to give back is no error, and no negative count")
}

func testPasswordLinks(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	m := newStaff(t, f, "link@oakfield.example")
	link := &domain.PasswordLink{TokenHash: must(domain.NewToken(rand.Reader)).Hash(), StaffID: m.ID, ExpiresAt: now.Add(time.Hour), CreatedAt: now}
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		if err := tx.Staff().Create(ctx, m); err != nil {
			return err
		}
		return tx.Staff().AddPasswordLink(ctx, link)
	}))
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		got, err := tx.Staff().GetPasswordLink(ctx, link.TokenHash)
		require.NoError(t, err)
		assert.Equal(t, link, got)
		assert.True(t, got.Usable(now))
		assert.False(t, got.Usable(now.Add(time.Hour)))
		return nil
	}))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Staff().UsePasswordLink(ctx, link.TokenHash, now) }))
	err := st.InTx(ctx, func(tx ports.Tx) error { return tx.Staff().UsePasswordLink(ctx, link.TokenHash, now) })
	assert.Equal(t, domain.KindConflict, domain.KindOf(err), "a link works once")
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		got, err := tx.Staff().GetPasswordLink(ctx, link.TokenHash)
		require.NoError(t, err)
		assert.False(t, got.Usable(now))
		_, err = tx.Staff().GetPasswordLink(ctx, "nope")
		assert.Equal(t, domain.KindNotFound, domain.KindOf(err))
		return nil
	}))
}

func testRecoveryCodes(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	m := newStaff(t, f, "codes@oakfield.example")
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		if err := tx.Staff().Create(ctx, m); err != nil {
			return err
		}
		return tx.Staff().SetRecoveryCodes(ctx, m.ID, []string{"h1", "h2", "h3"})
	}))
	use := func(h string) bool {
		var ok bool
		require.NoError(t, st.InTx(ctx, func(tx ports.Tx) (err error) {
			ok, err = tx.Staff().UseRecoveryCode(ctx, m.ID, h, now)
			return err
		}))
		return ok
	}
	assert.True(t, use("h2"))
	assert.False(t, use("h2"), "a code works once")
	assert.False(t, use("nope"))
	left := func() int {
		var n int
		require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
			n, err = tx.Staff().RecoveryCodesLeft(ctx, m.ID)
			return err
		}))
		return n
	}
	assert.Equal(t, 2, left())
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Staff().SetRecoveryCodes(ctx, m.ID, []string{"n1"}) }))
	assert.Equal(t, 1, left(), "new codes replace the old")
	assert.False(t, use("h1"))
}

func testStaffTOTPAndRemoval(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	m := newStaff(t, f, "totp@oakfield.example", f.inbox)
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Staff().Create(ctx, m) }))
	m.TOTPSecret, m.TOTPEnabled, m.TOTPLastStep = "JBSWY3DPEHPK3PXP", true, 59000123
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return saveStaff(tx, m) }))
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		got, err := tx.Staff().Get(ctx, m.ID)
		require.NoError(t, err)
		assert.Equal(t, m, got)
		return nil
	}))

	removed := now.Add(time.Hour)
	m.RemovedAt = &removed
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return saveStaff(tx, m) }))
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		_, err := tx.Staff().GetByEmail(ctx, "totp@oakfield.example")
		assert.Equal(t, domain.KindNotFound, domain.KindOf(err), "a removed account cannot be found to sign in")
		list, err := tx.Staff().List(ctx, ports.StaffFilter{OrgID: &f.org.ID})
		require.NoError(t, err)
		assert.Empty(t, list)
		list, err = tx.Staff().List(ctx, ports.StaffFilter{OrgID: &f.org.ID, IncludeRemoved: true})
		require.NoError(t, err)
		assert.Len(t, list, 1)
		got, err := tx.Staff().Get(ctx, m.ID)
		require.NoError(t, err)
		assert.Equal(t, "totp@oakfield.example", got.Email, "the record keeps its address")
		return nil
	}))
	// The address is free for a new account.
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		return tx.Staff().Create(ctx, newStaff(t, f, "totp@oakfield.example"))
	}))
}
