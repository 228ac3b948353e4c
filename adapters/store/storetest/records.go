package storetest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

var ctx = context.Background()

func testOrganisationRoundTrip(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	var got *domain.Organisation
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		got, err = tx.Organisations().Get(ctx, f.org.ID)
		return err
	}))
	assert.Equal(t, f.org, got)

	f.org.Status, f.org.Retention, f.org.TrialEndsAt = domain.OrgActive, domain.Retention36, nil
	f.org.SwearWords = []string{"numpty", "wally"}
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return saveOrg(tx, f.org) }))
	second := newFixtureAt(t, st, now.Add(time.Second))
	var list []*domain.Organisation
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		list, err = tx.Organisations().List(ctx)
		return err
	}))
	require.Len(t, list, 2)
	assert.Equal(t, f.org, list[0], "updated, and oldest first")
	assert.Equal(t, second.org.ID, list[1].ID)
}

func testNotFound(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	ia, msg, token := newReport(t, f, "", "never stored", now)
	missing := map[string]func(tx ports.Tx) error{
		"organisation": func(tx ports.Tx) error { _, err := tx.Organisations().Get(ctx, "org_missing"); return err },
		"form":         func(tx ports.Tx) error { _, err := tx.Forms().Get(ctx, "frm_missing"); return err },
		"form code":    func(tx ports.Tx) error { _, err := tx.Forms().GetByCode(ctx, "NOSUCH1"); return err },
		"inbox":        func(tx ports.Tx) error { _, err := tx.Inboxes().Get(ctx, "inb_missing"); return err },
		"staff":        func(tx ports.Tx) error { _, err := tx.Staff().Get(ctx, "stf_missing"); return err },
		"staff email":  func(tx ports.Tx) error { _, err := tx.Staff().GetByEmail(ctx, "nobody@example.org"); return err },
		"interaction":  func(tx ports.Tx) error { _, err := tx.Interactions().Get(ctx, ia.ID); return err },
		"reference":    func(tx ports.Tx) error { _, err := tx.Interactions().GetByRef(ctx, ia.Ref); return err },
		"token":        func(tx ports.Tx) error { _, err := tx.Interactions().GetByToken(ctx, token); return err },
		"contact":      func(tx ports.Tx) error { _, err := tx.Interactions().Contact(ctx, ia.ID); return err },
		"meta":         func(tx ports.Tx) error { _, err := tx.Messages().Meta(ctx, msg.ID); return err },
	}
	for what, get := range missing {
		err := st.View(ctx, get)
		assert.Equal(t, domain.KindNotFound, domain.KindOf(err), "%s: %v", what, err)
	}
}

func testUpdateMissing(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	ghostOrg := *f.org
	ghostOrg.ID = must(domain.NewOrgID(rand.Reader))
	ghostForm := *f.form
	ghostForm.ID = must(domain.NewFormID(rand.Reader))
	ghostInbox := *f.inbox
	ghostInbox.ID = must(domain.NewInboxID(rand.Reader))
	ia, _, _ := newReport(t, f, "", "never stored", now)
	updates := map[string]func(tx ports.Tx) error{
		"organisation": func(tx ports.Tx) error { return saveOrg(tx, &ghostOrg) },
		"form":         func(tx ports.Tx) error { return SaveForm(tx, &ghostForm) },
		"inbox":        func(tx ports.Tx) error { return tx.Inboxes().Update(ctx, &ghostInbox) },
		"interaction":  func(tx ports.Tx) error { return saveChanges(tx, ia) },
		"lock":         func(tx ports.Tx) error { return tx.Organisations().Lock(ctx, ghostOrg.ID) },
		"staff": func(tx ports.Tx) error {
			_, err := tx.Staff().Change(ctx, must(domain.NewStaffID(rand.Reader)), func(*domain.Staff) error { return nil })
			return err
		},
	}
	for what, update := range updates {
		err := st.InTx(ctx, update)
		assert.Equal(t, domain.KindNotFound, domain.KindOf(err), "%s: %v", what, err)
	}
	assert.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Organisations().Lock(ctx, f.org.ID) }), "an organisation that exists")
}

func testFormCodeUnique(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	clash := must(domain.NewForm(must(domain.NewFormID(rand.Reader)), f.org.ID, "Another", f.form.Code, now))
	err := st.InTx(ctx, func(tx ports.Tx) error { return tx.Forms().Create(ctx, clash) })
	require.Equal(t, domain.KindConflict, domain.KindOf(err), "%v", err)
	assert.Contains(t, domain.SafeMessage(err), string(f.form.Code))

	// Renaming another form onto a taken code is a conflict too.
	other := newFixture(t, st)
	other.form.Code = f.form.Code
	err = st.InTx(ctx, func(tx ports.Tx) error { return SaveForm(tx, other.form) })
	assert.Equal(t, domain.KindConflict, domain.KindOf(err), "%v", err)
}

func testFormsAndInboxes(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	second := must(domain.NewInbox(must(domain.NewInboxID(rand.Reader)), f.form, "Online worries", nil, 1, now))
	f.form.Intro, f.form.Open, f.form.Language, f.form.SwearPolicy = "Tell us what is wrong.", false, domain.Welsh, domain.SwearBlock
	f.form.PrivacyURL = "https://oakfield.example/privacy"
	f.form.IntroCy, f.form.ResponseTimeCy, f.form.OutOfHoursCy = "Dywedwch wrthym.", "Ar ddiwrnodau ysgol.", "Ar gau."
	second.NameCy = "Pryderon ar-lein"
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		if err := tx.Inboxes().Create(ctx, second); err != nil {
			return err
		}
		return SaveForm(tx, f.form)
	}))
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		got, err := tx.Forms().GetByCode(ctx, f.form.Code)
		require.NoError(t, err)
		assert.Equal(t, f.form, got)
		list, err := tx.Forms().List(ctx, ports.FormFilter{OrgID: &f.org.ID})
		require.NoError(t, err)
		assert.Equal(t, []*domain.Form{f.form}, list)
		inboxes, err := tx.Inboxes().List(ctx, ports.InboxFilter{FormID: &f.form.ID})
		require.NoError(t, err)
		assert.Equal(t, []*domain.Inbox{f.inbox, second}, inboxes, "by position")
		return nil
	}))

	f.inbox.Name, f.inbox.Notify = "Bullying", nil
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Inboxes().Update(ctx, f.inbox) }))
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		got, err := tx.Inboxes().Get(ctx, f.inbox.ID)
		require.NoError(t, err)
		assert.Equal(t, "Bullying", got.Name)
		assert.Empty(t, got.Notify)
		return nil
	}))

	// A Welsh name is another inbox's of the form in Welsh: a conflict
	// of its own. An English name may be another's Welsh one.
	f.inbox.NameCy = " pryderon  AR-LEIN "
	err := st.InTx(ctx, func(tx ports.Tx) error { return tx.Inboxes().Update(ctx, f.inbox) })
	assert.Equal(t, domain.KindConflict, domain.KindOf(err), "%v", err)
	assert.Equal(t, domain.SafeWords(domain.InboxWelshNameTaken("", nil)).Key, domain.SafeWords(err).Key)
	f.inbox.Name, f.inbox.NameCy = "Pryderon ar-lein", "Bwlio"
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Inboxes().Update(ctx, f.inbox) }))
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		got, err := tx.Inboxes().Get(ctx, f.inbox.ID)
		require.NoError(t, err)
		assert.Equal(t, f.inbox, got)
		return nil
	}))
}

func newStaff(t *testing.T, f fixture, email string, inboxes ...*domain.Inbox) *domain.Staff {
	t.Helper()
	return must(domain.NewStaff(must(domain.NewStaffID(rand.Reader)), f.org.ID, email, "Alex", "Jones", domain.RoleStaff, inboxes, now))
}

// saveOrg changes the stored organisation to be org in every way a change
// may.
func saveOrg(tx ports.Tx, org *domain.Organisation) error {
	_, err := tx.Organisations().Change(ctx, org.ID, func(cur *domain.Organisation) error {
		*cur = *org
		cur.SwearWords = slices.Clone(org.SwearWords)
		return nil
	})
	return err
}

// SaveForm changes the stored form to be form in every way a change may,
// for tests that set a form up by hand.
func SaveForm(tx ports.Tx, form *domain.Form) error {
	_, err := tx.Forms().Change(ctx, form.ID, func(cur *domain.Form) error {
		*cur = *form
		return nil
	})
	return err
}

// saveStaff changes the stored member to be m in every way a change may.
func saveStaff(tx ports.Tx, m *domain.Staff) error {
	_, err := tx.Staff().Change(ctx, m.ID, func(cur *domain.Staff) error {
		*cur = *m
		cur.InboxIDs = slices.Clone(m.InboxIDs)
		return nil
	})
	return err
}

func testStaffRoundTrip(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	second := must(domain.NewInbox(must(domain.NewInboxID(rand.Reader)), f.form, "Second", nil, 1, now))
	m := newStaff(t, f, "Alex.Jones@Oakfield.example", f.inbox)
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		if err := tx.Inboxes().Create(ctx, second); err != nil {
			return err
		}
		if err := tx.Staff().Create(ctx, m); err != nil {
			return err
		}
		return tx.Staff().AddPasswordLink(ctx, &domain.PasswordLink{
			TokenHash: must(domain.NewToken(rand.Reader)).Hash(), StaffID: m.ID,
			ExpiresAt: now.Add(domain.PasswordLinkLifetime), CreatedAt: now,
		})
	}))
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		got, err := tx.Staff().GetByEmail(ctx, "alex.jones@oakfield.example")
		require.NoError(t, err, "found whatever the case")
		assert.Equal(t, m, got)
		return nil
	}))

	m.Role, m.InboxIDs, m.PasswordHash = domain.RoleAdmin, []domain.InboxID{second.ID}, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"
	m.Language = domain.Welsh
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return saveStaff(tx, m) }))
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		list, err := tx.Staff().List(ctx, ports.StaffFilter{OrgID: &f.org.ID})
		require.NoError(t, err)
		assert.Equal(t, []*domain.Staff{m}, list, "assignments replaced, not added")
		return nil
	}))
}

func testStaffEmailUnique(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		return tx.Staff().Create(ctx, newStaff(t, f, "head@oakfield.example"))
	}))
	err := st.InTx(ctx, func(tx ports.Tx) error {
		return tx.Staff().Create(ctx, newStaff(t, f, "HEAD@oakfield.example"))
	})
	assert.Equal(t, domain.KindConflict, domain.KindOf(err), "%v", err)
}

func testInteractionRoundTrip(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	contact := domain.Contact{Email: "worried.parent@example.org"}
	meta := domain.Meta{IP: "203.0.113.9", Location: "Bristol, England, GB", Region: "England, GB", Network: "Example Broadband"}
	ia, first, token := createReport(t, st, f, now, contact, meta)

	m := newStaff(t, f, "dsl@oakfield.example", f.inbox)
	reply := &domain.Message{
		ID: must(domain.NewMessageID(rand.Reader)), InteractionID: ia.ID, Author: domain.AuthorStaff,
		StaffID: m.ID, Body: "Thank you for telling us.", CreatedAt: now.Add(time.Minute),
	}
	ia.LastActivityAt = reply.CreatedAt
	ia.Flagged = true
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		if err := tx.Staff().Create(ctx, m); err != nil {
			return err
		}
		if err := tx.Messages().Add(ctx, reply, domain.Meta{IP: "198.51.100.7"}); err != nil {
			return err
		}
		return saveChanges(tx, ia)
	}))

	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		for name, get := range map[string]func() (*domain.Interaction, error){
			"id":    func() (*domain.Interaction, error) { return tx.Interactions().Get(ctx, ia.ID) },
			"ref":   func() (*domain.Interaction, error) { return tx.Interactions().GetByRef(ctx, ia.Ref) },
			"token": func() (*domain.Interaction, error) { return tx.Interactions().GetByToken(ctx, token) },
		} {
			got, err := get()
			require.NoError(t, err, name)
			assert.Equal(t, ia, got, name)
		}
		gotContact, err := tx.Interactions().Contact(ctx, ia.ID)
		require.NoError(t, err)
		assert.Equal(t, contact, gotContact)

		msgs, err := tx.Messages().List(ctx, ia.ID)
		require.NoError(t, err)
		assert.Equal(t, []*domain.Message{first, reply}, msgs, "oldest first")
		gotMeta, err := tx.Messages().Meta(ctx, first.ID)
		require.NoError(t, err)
		assert.Equal(t, meta, gotMeta)
		return nil
	}))

	// A token that differs from the real one opens nothing.
	other := must(domain.NewToken(rand.Reader))
	err := st.View(ctx, func(tx ports.Tx) error { _, err := tx.Interactions().GetByToken(ctx, other); return err })
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err))
}

func testInteractionLists(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	other := newFixture(t, st)
	older, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	newer, _, _ := createReport(t, st, f, now.Add(time.Hour), domain.Contact{}, domain.Meta{})
	elsewhere, _, _ := createReport(t, st, other, now.Add(2*time.Hour), domain.Contact{}, domain.Meta{})
	newer.Close(now.Add(90 * time.Minute))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return saveChanges(tx, newer) }))

	closed := domain.StatusClosed
	cases := map[string]struct {
		filter ports.InteractionFilter
		want   []*domain.Interaction
	}{
		"organisation, newest activity first": {ports.InteractionFilter{OrgID: &f.org.ID}, []*domain.Interaction{newer, older}},
		"every organisation":                  {ports.InteractionFilter{}, []*domain.Interaction{elsewhere, newer, older}},
		"by inbox":                            {ports.InteractionFilter{InboxIDs: []domain.InboxID{other.inbox.ID}}, []*domain.Interaction{elsewhere}},
		"no inboxes means none":               {ports.InteractionFilter{InboxIDs: []domain.InboxID{}}, nil},
		"by status":                           {ports.InteractionFilter{OrgID: &f.org.ID, Status: &closed}, []*domain.Interaction{newer}},
		"limited":                             {ports.InteractionFilter{OrgID: &f.org.ID, Limit: 1}, []*domain.Interaction{newer}},
	}
	for name, c := range cases {
		var got []*domain.Interaction
		require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
			got, err = tx.Interactions().List(ctx, c.filter)
			return err
		}))
		if c.want == nil {
			assert.Empty(t, got, name)
			continue
		}
		assert.Equal(t, c.want, got, name)
	}
}

func testReferenceUnique(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	first, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	clash, _, token := newReport(t, f, "", "a second report", now)
	clash.Ref = first.Ref
	err := st.InTx(ctx, func(tx ports.Tx) error { return tx.Interactions().Create(ctx, clash, token, domain.Contact{}) })
	assert.Equal(t, domain.KindConflict, domain.KindOf(err), "%v", err)
}

// A statement's error comes from that statement, and a transaction that
// ends with an error keeps nothing, not even what came before the failure.
func testFailureKeepsNothing(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	first, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	fresh, msg, token := newReport(t, f, "", "this must vanish", now)
	clash, _, clashToken := newReport(t, f, "", "a second report", now)
	clash.Ref = first.Ref
	var clashed error
	err := st.InTx(ctx, func(tx ports.Tx) error {
		if err := tx.Interactions().Create(ctx, fresh, token, domain.Contact{}); err != nil {
			return err
		}
		if err := tx.Messages().Add(ctx, msg, domain.Meta{}); err != nil {
			return err
		}
		clashed = tx.Interactions().Create(ctx, clash, clashToken, domain.Contact{})
		return clashed
	})
	assert.Equal(t, domain.KindConflict, domain.KindOf(clashed), "the clashing insert itself says so: %v", clashed)
	assert.Equal(t, domain.KindConflict, domain.KindOf(err), "%v", err)
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		_, err := tx.Interactions().Get(ctx, fresh.ID)
		assert.Equal(t, domain.KindNotFound, domain.KindOf(err), "the report before the clash is gone too")
		msgs, err := tx.Messages().List(ctx, fresh.ID)
		assert.Empty(t, msgs)
		return err
	}))
}

// A transaction reads its own writes.
func testTransactionReadsItsWrites(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	ia, msg, token := newReport(t, f, "", "seen at once", now)
	alert := &domain.Delivery{ID: must(domain.NewDeliveryID(rand.Reader)), Kind: domain.DeliveryStaffNewReport, Channel: domain.DeliveryEmail,
		To: "dsl@oakfield.example", Language: domain.English, OrgID: f.org.ID, InteractionID: ia.ID, Status: domain.DeliveryPending,
		NextAttemptAt: now, CreatedAt: now}
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		if err := tx.Interactions().Create(ctx, ia, token, domain.Contact{}); err != nil {
			return err
		}
		got, err := tx.Interactions().Get(ctx, ia.ID)
		require.NoError(t, err)
		assert.Equal(t, ia.Ref, got.Ref)
		if err := tx.Messages().Add(ctx, msg, domain.Meta{}); err != nil {
			return err
		}
		if err := tx.Outbox().Enqueue(ctx, alert); err != nil {
			return err
		}
		msgs, err := tx.Messages().List(ctx, ia.ID)
		require.NoError(t, err)
		assert.Len(t, msgs, 1)
		queued, err := tx.Outbox().List(ctx, ports.OutboxFilter{InteractionID: &ia.ID})
		require.NoError(t, err)
		assert.Len(t, queued, 1)
		return nil
	}))
}

func testRollback(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	ia, msg, token := newReport(t, f, "Kim", "this must vanish", now)
	boom := errors.New("boom")
	err := st.InTx(ctx, func(tx ports.Tx) error {
		if err := tx.Interactions().Create(ctx, ia, token, domain.Contact{Phone: "+447700900123"}); err != nil {
			return err
		}
		if err := tx.Messages().Add(ctx, msg, domain.Meta{}); err != nil {
			return err
		}
		f.org.Status = domain.OrgSuspended
		if err := saveOrg(tx, f.org); err != nil {
			return err
		}
		return boom
	})
	require.ErrorIs(t, err, boom)
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		_, err := tx.Interactions().Get(ctx, ia.ID)
		assert.Equal(t, domain.KindNotFound, domain.KindOf(err))
		msgs, err := tx.Messages().List(ctx, ia.ID)
		require.NoError(t, err)
		assert.Empty(t, msgs)
		org, err := tx.Organisations().Get(ctx, f.org.ID)
		require.NoError(t, err)
		assert.Equal(t, domain.OrgTrial, org.Status)
		return nil
	}))
}

func testViewCannotWrite(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	f.org.Status = domain.OrgEnded
	err := st.View(ctx, func(tx ports.Tx) error { return saveOrg(tx, f.org) })
	require.Error(t, err)
	// And the connection it used still writes afterwards.
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return saveOrg(tx, f.org) }))
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		org, err := tx.Organisations().Get(ctx, f.org.ID)
		require.NoError(t, err)
		assert.Equal(t, domain.OrgEnded, org.Status)
		return nil
	}))
}

// testConcurrentWriters has many goroutines each add a report and read
// another's at once: every write lands, none is lost or doubled.
func testConcurrentWriters(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	const writers = 20
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ia, msg, token := newReport(t, f, "", fmt.Sprintf("report %d", i), now.Add(time.Duration(i)*time.Second))
			errs <- st.InTx(ctx, func(tx ports.Tx) error {
				if err := tx.Interactions().Create(ctx, ia, token, domain.Contact{}); err != nil {
					return err
				}
				if err := tx.Messages().Add(ctx, msg, domain.Meta{}); err != nil {
					return err
				}
				_, err := tx.Interactions().List(ctx, ports.InteractionFilter{OrgID: &f.org.ID, Limit: 5})
				return err
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	var list []*domain.Interaction
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		list, err = tx.Interactions().List(ctx, ports.InteractionFilter{OrgID: &f.org.ID})
		return err
	}))
	assert.Len(t, list, writers)
}

// testConcurrentConflicts races writers for one form code: exactly one wins
// and every other gets KindConflict, never another error.
func testConcurrentConflicts(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	code := must(domain.ParseFormCode("R" + randomDigits(t, 8)))
	const racers = 20
	var wg sync.WaitGroup
	kinds := make(chan domain.Kind, racers)
	for range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			form := must(domain.NewForm(must(domain.NewFormID(rand.Reader)), f.org.ID, "Race", code, now))
			err := st.InTx(ctx, func(tx ports.Tx) error { return tx.Forms().Create(ctx, form) })
			if err == nil {
				kinds <- 255
				return
			}
			kinds <- domain.KindOf(err)
		}()
	}
	wg.Wait()
	close(kinds)
	won := 0
	for k := range kinds {
		if k == 255 {
			won++
			continue
		}
		assert.Equal(t, domain.KindConflict, k)
	}
	assert.Equal(t, 1, won)
}

func testTimes(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	// Times before and after a second boundary, with and without fractions,
	// must come back exactly and order correctly.
	at := []time.Time{
		time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 100000, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 120000, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC),
	}
	var want []*domain.Interaction
	for i := len(at) - 1; i >= 0; i-- {
		ia, _, _ := createReport(t, st, f, at[i].In(time.FixedZone("BST", 3600)), domain.Contact{}, domain.Meta{})
		ia.CreatedAt, ia.LastActivityAt = at[i], at[i]
		want = append(want, ia)
	}
	var got []*domain.Interaction
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		got, err = tx.Interactions().List(ctx, ports.InteractionFilter{OrgID: &f.org.ID})
		return err
	}))
	assert.Equal(t, want, got)
}

func testOutbox(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	ia, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	ids := func() (domain.DeliveryID, error) { return domain.NewDeliveryID(rand.Reader) }
	alerts, err := domain.NewReportAlerts(ids, ia, f.form, f.inbox, []domain.Recipient{{Address: "dsl@oakfield.example", Language: domain.Welsh}, {Address: "dsl@oakfield.example"}, {Address: "head@oakfield.example", Language: domain.English}},
		"https://whisper.example.org/staff/interactions/"+string(ia.Ref), now)
	require.NoError(t, err)
	require.Len(t, alerts, 2, "one alert per distinct address")
	link := domain.ReporterLink(must(ids()), ia, "kid@example.org", "https://whisper.example.org/t/secret", domain.Welsh, now.Add(time.Second))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Outbox().Enqueue(ctx, append(alerts, link)...) }))

	pending := domain.DeliveryPending
	var got []*domain.Delivery
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		got, err = tx.Outbox().List(ctx, ports.OutboxFilter{InteractionID: &ia.ID, Status: &pending})
		return err
	}))
	require.Len(t, got, 3)
	assert.ElementsMatch(t, alerts, got[:2])
	assert.Equal(t, link, got[2], "oldest first")

	other, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		got, err = tx.Outbox().List(ctx, ports.OutboxFilter{InteractionID: &other.ID})
		return err
	}))
	assert.Empty(t, got)
}

func testBlocks(t *testing.T, st ports.Store) {
	anyInForce := func(at time.Time) bool {
		var found bool
		require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
			found, err = tx.Blocks().AnyInForce(ctx, at)
			return err
		}))
		return found
	}
	expired := now.Add(-time.Hour)
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		return tx.Blocks().Create(ctx, &domain.Block{ID: must(domain.NewBlockID(rand.Reader)), Kind: domain.BlockPhone,
			Value: "+447700900999", ExpiresAt: &expired, CreatedAt: now.Add(-2 * time.Hour)})
	}))
	assert.True(t, anyInForce(expired.Add(-time.Minute)), "a block is in force until it expires")
	assert.False(t, anyInForce(now), "an expired block is not in force")
	blocks := []*domain.Block{
		{Kind: domain.BlockEmail, Value: "Troll@Example.org", Reason: "abuse", Ref: "WSP-7K3D-9QXM"},
		{Kind: domain.BlockIP, Value: "198.51.100.23"},
	}
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		for _, b := range blocks {
			b.ID, b.CreatedAt = must(domain.NewBlockID(rand.Reader)), now.Add(-2*time.Hour)
			if err := tx.Blocks().Create(ctx, b); err != nil {
				return err
			}
		}
		return nil
	}))
	cases := map[string]struct {
		sender domain.Sender
		want   bool
	}{
		"email, whatever its case":   {domain.Sender{Email: "troll@example.ORG"}, true},
		"ip":                         {domain.Sender{IP: "198.51.100.23"}, true},
		"ip written as IPv6-mapped":  {domain.Sender{IP: "::ffff:198.51.100.23"}, true},
		"one blocked part is enough": {domain.Sender{Email: "fine@example.org", IP: "198.51.100.23"}, true},
		"expired block":              {domain.Sender{Phone: "+447700900999"}, false},
		"someone else":               {domain.Sender{Email: "fine@example.org", IP: "198.51.100.24"}, false},
		"nothing known":              {domain.Sender{}, false},
	}
	for name, c := range cases {
		var got bool
		require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
			got, err = tx.Blocks().Blocked(ctx, c.sender, now)
			return err
		}))
		assert.Equal(t, c.want, got, name)
	}
	assert.True(t, anyInForce(now), "a block without an end is in force")
	err := st.InTx(ctx, func(tx ports.Tx) error {
		return tx.Blocks().Create(ctx, &domain.Block{ID: must(domain.NewBlockID(rand.Reader)), Kind: domain.BlockIP, Value: "not an ip", CreatedAt: now})
	})
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err))

	inForce := func(at time.Time) (out []domain.Block) {
		require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
			got, err := tx.Blocks().InForce(ctx, at)
			for _, b := range got {
				out = append(out, *b)
			}
			return err
		}))
		return out
	}
	got := map[domain.BlockID]domain.Block{}
	for _, b := range inForce(now) {
		got[b.ID] = b
	}
	require.Len(t, got, 2, "the expired block is not in force")
	for _, want := range blocks {
		b := got[want.ID]
		assert.Equal(t, want.Kind, b.Kind)
		assert.Equal(t, want.Ref, b.Ref)
		assert.Equal(t, want.Reason, b.Reason)
		assert.Empty(t, b.Value, "the store has only the blind index")
		assert.Nil(t, b.ExpiresAt)
		assert.WithinDuration(t, now.Add(-2*time.Hour), b.CreatedAt, time.Millisecond)
	}
	assert.Len(t, inForce(expired.Add(-time.Minute)), 3)
}

func testLegalHoldsListed(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	held, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	unexplained, _, _ := createReport(t, st, f, now.Add(time.Minute), domain.Contact{}, domain.Meta{})
	createReport(t, st, f, now.Add(2*time.Minute), domain.Contact{}, domain.Meta{})
	listed := func() (out []ports.LegalHold) {
		require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
			out, err = tx.Interactions().Held(ctx)
			return err
		}))
		return out
	}
	assert.Empty(t, listed())
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		for i, reason := range []string{"first claim", "county court claim"} {
			e := &domain.AuditEntry{At: now.Add(time.Duration(i) * time.Hour), Actor: "os:alice", Action: domain.AuditHoldSet, Ref: held.Ref, OrgID: f.org.ID, Reason: reason}
			if err := tx.Audit().Append(ctx, e); err != nil {
				return err
			}
		}
		for _, ia := range []*domain.Interaction{held, unexplained} {
			if _, err := tx.Interactions().Change(ctx, ia.ID, func(ia *domain.Interaction) error {
				ia.LegalHold = true
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	}))
	got := listed()
	require.Len(t, got, 2)
	assert.Equal(t, held.Ref, got[0].Ref)
	assert.Equal(t, f.org.ID, got[0].OrgID)
	assert.Equal(t, f.org.Name, got[0].Organisation)
	assert.Equal(t, "county court claim", got[0].Reason, "the latest hold.set says why")
	assert.WithinDuration(t, now.Add(time.Hour), got[0].Since, time.Millisecond)
	assert.Equal(t, ports.LegalHold{Ref: unexplained.Ref, OrgID: f.org.ID, Organisation: f.org.Name}, got[1],
		"a hold the audit log does not explain is listed all the same")
}

func testStaffOfInbox(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	second := must(domain.NewInbox(must(domain.NewInboxID(rand.Reader)), f.form, "Second", nil, 1, now))
	assigned := newStaff(t, f, "assigned@oakfield.example", f.inbox, second)
	elsewhere := newStaff(t, f, "elsewhere@oakfield.example", second)
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		if err := tx.Inboxes().Create(ctx, second); err != nil {
			return err
		}
		if err := tx.Staff().Create(ctx, assigned); err != nil {
			return err
		}
		return tx.Staff().Create(ctx, elsewhere)
	}))
	var got []*domain.Staff
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		got, err = tx.Staff().List(ctx, ports.StaffFilter{InboxID: &f.inbox.ID})
		return err
	}))
	require.Len(t, got, 1)
	assert.Equal(t, assigned.ID, got[0].ID)
	assert.Len(t, got[0].InboxIDs, 2, "with all of its assignments")
}
