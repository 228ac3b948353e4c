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

// protectionTests are the parts of the contract data protection relies on.
var protectionTests = map[string]func(*testing.T, ports.Store){
	"AuditChainAppendsInOrder":   testAuditChain,
	"EraseLeavesOnlyStatistics":  testErase,
	"DueCandidatesAndHolds":      testDueCandidates,
	"OrganisationsToPurge":       testOrganisationsToPurge,
	"WarnedOnce":                 testWarned,
	"FindByContactAndLiftBlocks": testFindByContact,
	"ErasureIsFinal":             testErasureIsFinal,
	"EraseSkipsHolds":            testEraseSkipsHolds,
	"RectifyAndReindex":          testRectify,
}

func testAuditChain(t *testing.T, st ports.Store) {
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Go(func() {
			assert.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
				return tx.Audit().Append(ctx, &domain.AuditEntry{
					At: now.Add(time.Duration(i) * time.Second), Actor: "os:alice", Action: domain.AuditDisclose,
					OrgID: "org_x", Ref: "WSP-AAAA-BBBB", Reason: fmt.Sprintf("request %d", i),
					Details: map[string]string{"basis": "court-order", "authority": "Bristol Crown Court"},
				})
			}))
		})
	}
	wg.Wait()
	var all []*domain.AuditEntry
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		all, err = tx.Audit().List(ctx, 0, 0)
		return err
	}))
	require.Len(t, all, 12)
	var check domain.AuditCheck
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		check, err = tx.Audit().Verify(ctx)
		return err
	}))
	assert.Nil(t, check.Broken, "concurrent appends never fork the chain")
	assert.Equal(t, 12, check.Checked)
	assert.Equal(t, domain.HeadOf(all[11]), check.Head)
	assert.Equal(t, "court-order", all[0].Details["basis"])
	var page []*domain.AuditEntry
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		page, err = tx.Audit().List(ctx, 10, 5)
		return err
	}))
	require.Len(t, page, 2)
	assert.Equal(t, int64(11), page[0].Seq)
}

func testErase(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	contact := domain.Contact{Email: "erase.me@example.org"}
	meta := domain.Meta{IP: "203.0.113.4", Location: "Bristol, England, GB", Region: "England, GB", Network: "Example Broadband"}
	ia, msg, token := createReport(t, st, f, now, contact, meta)
	link := domain.ReporterLink(must(domain.NewDeliveryID(rand.Reader)), ia, contact.Email, "https://w.example/t/"+string(token), domain.English, now)
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Outbox().Enqueue(ctx, link) }))

	erasedAt := now.Add(time.Hour)
	for range 2 {
		require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { _, err := tx.Interactions().Erase(ctx, erasedAt, ia.ID); return err }))
		erasedAt = erasedAt.Add(time.Hour) // the second erasure keeps the first time
	}
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		got, err := tx.Interactions().Get(ctx, ia.ID)
		require.NoError(t, err)
		assert.Empty(t, got.ReporterName)
		require.NotNil(t, got.ErasedAt)
		assert.Equal(t, now.Add(time.Hour), *got.ErasedAt)
		assert.Equal(t, ia.Channel, got.Channel, "kept for statistics")
		assert.Equal(t, ia.InboxID, got.InboxID)
		c, err := tx.Interactions().Contact(ctx, ia.ID)
		require.NoError(t, err)
		assert.Equal(t, domain.Contact{}, c)
		_, err = tx.Interactions().GetByToken(ctx, token)
		assert.Equal(t, domain.KindNotFound, domain.KindOf(err), "the link opens nothing")
		msgs, err := tx.Messages().List(ctx, ia.ID)
		require.NoError(t, err)
		require.Len(t, msgs, 1)
		assert.Empty(t, msgs[0].Body)
		m, err := tx.Messages().Meta(ctx, msg.ID)
		require.NoError(t, err)
		assert.Equal(t, domain.Meta{Region: "England, GB", Network: "Example Broadband"}, m)
		queued, err := tx.Outbox().List(ctx, ports.OutboxFilter{InteractionID: &ia.ID})
		require.NoError(t, err)
		assert.Empty(t, queued, "no address or link waits to be sent")
		found, err := tx.Interactions().FindByContact(ctx, contact)
		require.NoError(t, err)
		assert.Empty(t, found, "no blind index is left to find it by")
		return nil
	}))
	err := st.InTx(ctx, func(tx ports.Tx) error { _, err := tx.Interactions().Erase(ctx, now, "int_missing"); return err })
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err))
}

func testDueCandidates(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	old, _, _ := createReport(t, st, f, now.AddDate(-2, 0, 0), domain.Contact{}, domain.Meta{})
	held, _, _ := createReport(t, st, f, now.AddDate(-2, 0, 0), domain.Contact{}, domain.Meta{})
	recent, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	closedOld, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	held.LegalHold = true
	closedAt := now.AddDate(-2, 0, 0)
	closedOld.Status, closedOld.ClosedAt = domain.StatusClosed, &closedAt
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		if err := saveChanges(tx, held); err != nil {
			return err
		}
		return saveChanges(tx, closedOld)
	}))
	cutoff := now.AddDate(-1, 0, 0)
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		due, err := tx.Interactions().DueCandidates(ctx, ports.DueQuery{Org: f.org.ID, Cutoff: cutoff, Limit: 10})
		require.NoError(t, err)
		assert.ElementsMatch(t, []domain.InteractionID{old.ID, closedOld.ID}, interactionIDs(due),
			"a hold is skipped, a recent one is not due, a closed one counts from its closing")
		n, err := tx.Interactions().CountHeld(ctx, []domain.OrgID{f.org.ID}, cutoff)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		limited, err := tx.Interactions().DueCandidates(ctx, ports.DueQuery{Org: f.org.ID, Cutoff: now.Add(time.Hour), Limit: 2})
		require.NoError(t, err)
		assert.Len(t, limited, 2, "bounded batches")
		rest, err := tx.Interactions().DueCandidates(ctx, ports.DueQuery{Org: f.org.ID, Cutoff: now.Add(time.Hour), After: ports.DuePositionOf(limited[1]), Limit: 2})
		require.NoError(t, err)
		require.Len(t, rest, 1, "the next batch starts after the last one")
		assert.Equal(t, recent.ID, rest[0].ID, "the one whose retention started last comes last")
		assertDueOrder(t, append(limited, rest...))
		return nil
	}))

	// Many at one instant: a walk in batches smaller than they are finds
	// each once.
	var same []domain.InteractionID
	for range 5 {
		ia, _, _ := createReport(t, st, f, now.AddDate(-3, 0, 0), domain.Contact{}, domain.Meta{})
		same = append(same, ia.ID)
	}
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		q := ports.DueQuery{Org: f.org.ID, Cutoff: now.AddDate(-2, 0, -1), Limit: 2}
		var walked []*domain.Interaction
		for {
			batch, err := tx.Interactions().DueCandidates(ctx, q)
			require.NoError(t, err)
			if len(batch) == 0 {
				break
			}
			walked = append(walked, batch...)
			q.After = ports.DuePositionOf(batch[len(batch)-1])
		}
		assert.ElementsMatch(t, same, interactionIDs(walked))
		assertDueOrder(t, walked)
		return nil
	}))

	// Organisation by organisation: another's due one is found only when
	// its organisation is asked for, and what was warned of is left out
	// only when asked.
	g := newFixture(t, st)
	other, _, _ := createReport(t, st, g, now.AddDate(-2, 0, 0), domain.Contact{}, domain.Meta{})
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		_, err := tx.Interactions().MarkWarned(ctx, now, old.ID)
		return err
	}))
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		ours, err := tx.Interactions().DueCandidates(ctx, ports.DueQuery{Org: f.org.ID, Cutoff: cutoff, Limit: 10})
		require.NoError(t, err)
		assert.ElementsMatch(t, append([]domain.InteractionID{old.ID, closedOld.ID}, same...), interactionIDs(ours))
		unwarned, err := tx.Interactions().DueCandidates(ctx, ports.DueQuery{Org: f.org.ID, Cutoff: cutoff, Limit: 10, Unwarned: true})
		require.NoError(t, err)
		assert.ElementsMatch(t, append([]domain.InteractionID{closedOld.ID}, same...), interactionIDs(unwarned))
		theirs, err := tx.Interactions().DueCandidates(ctx, ports.DueQuery{Org: g.org.ID, Cutoff: cutoff, Limit: 10})
		require.NoError(t, err)
		assert.Equal(t, []domain.InteractionID{other.ID}, interactionIDs(theirs))
		none, err := tx.Interactions().DueCandidates(ctx, ports.DueQuery{Cutoff: cutoff, Limit: 10})
		require.NoError(t, err)
		assert.Empty(t, none, "no organisation, nothing")
		n, err := tx.Interactions().CountHeld(ctx, []domain.OrgID{f.org.ID, g.org.ID}, cutoff)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		return nil
	}))
}

// assertDueOrder checks that walked is in the order its interactions fall
// due: by the start of their retention, then by id.
func assertDueOrder(t *testing.T, walked []*domain.Interaction) {
	t.Helper()
	for n := 1; n < len(walked); n++ {
		a, b := ports.DuePositionOf(walked[n-1]), ports.DuePositionOf(walked[n])
		assert.True(t, a.From.Before(b.From) || a.From.Equal(b.From) && a.ID < b.ID, "in the order they fall due: %v then %v", a, b)
	}
}

func interactionIDs(ias []*domain.Interaction) []domain.InteractionID {
	out := make([]domain.InteractionID, len(ias))
	for n, ia := range ias {
		out[n] = ia.ID
	}
	return out
}

func testWarned(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	ia, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	mark := func(id domain.InteractionID) (marked bool, err error) {
		err = st.InTx(ctx, func(tx ports.Tx) (err error) {
			ids, err := tx.Interactions().MarkWarned(ctx, now, id)
			marked = len(ids) == 1
			return err
		})
		return marked, err
	}
	marked, err := mark(ia.ID)
	require.NoError(t, err)
	assert.True(t, marked, "the first mark")
	marked, err = mark(ia.ID)
	require.NoError(t, err)
	assert.False(t, marked, "warned already")
	_, err = mark(must(domain.NewInteractionID(rand.Reader)))
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err))
}

func testFindByContact(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	byEmail, _, _ := createReport(t, st, f, now, domain.Contact{Email: "Parent@Example.org"}, domain.Meta{})
	byPhone, _, _ := createReport(t, st, f, now.Add(time.Minute), domain.Contact{Phone: "+447700900321"}, domain.Meta{})
	createReport(t, st, f, now, domain.Contact{Email: "someone.else@example.org"}, domain.Meta{})
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		found, err := tx.Interactions().FindByContact(ctx, domain.Contact{Email: "parent@example.org"})
		require.NoError(t, err)
		require.Len(t, found, 1)
		assert.Equal(t, byEmail.ID, found[0].ID)
		found, err = tx.Interactions().FindByContact(ctx, domain.Contact{Email: "parent@example.org", Phone: "+447700900321"})
		require.NoError(t, err)
		assert.Len(t, found, 2)
		found, err = tx.Interactions().FindByContact(ctx, domain.Contact{})
		require.NoError(t, err)
		assert.Empty(t, found)
		return nil
	}))
	_ = byPhone

	sender := domain.Sender{Email: "parent@example.org", IP: "198.51.100.9"}
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		for _, b := range []*domain.Block{{Kind: domain.BlockEmail, Value: sender.Email}, {Kind: domain.BlockIP, Value: sender.IP}} {
			b.ID, b.CreatedAt = must(domain.NewBlockID(rand.Reader)), now
			if err := tx.Blocks().Create(ctx, b); err != nil {
				return err
			}
		}
		return nil
	}))
	var lifted int
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) (err error) {
		lifted, err = tx.Blocks().Lift(ctx, sender)
		return err
	}))
	assert.Equal(t, 2, lifted)
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		blocked, err := tx.Blocks().Blocked(ctx, sender, now)
		require.NoError(t, err)
		assert.False(t, blocked)
		return nil
	}))
}

// testOrganisationsToPurge gives each organisation one shape of
// interaction, and asks which of them a purge has anything to do in: an
// organisation with nothing due is not returned, each kind of due or
// warning is.
func testOrganisationsToPurge(t *testing.T, st ports.Store) {
	old, recent := now.AddDate(-2, 0, 0), now
	scope := ports.PurgeScope{Retention: domain.Retention12, Erase: now.AddDate(-1, 0, 0), Warn: now.AddDate(-1, 0, 14)}
	soon := now.AddDate(-1, 0, 7) // due within the warning's notice
	type shape struct {
		activity  time.Time
		closed    *time.Time
		held      bool
		warned    bool
		erased    bool
		returned  bool
		rationale string
	}
	shapes := []shape{
		{activity: recent, rationale: "nothing due"},
		{activity: old, closed: &recent, rationale: "closed recently after long quiet: due from its closing"},
		{activity: old, returned: true, rationale: "open and due"},
		{activity: recent, closed: &old, returned: true, rationale: "closed long ago, replied to since: due from its closing"},
		{activity: old, held: true, returned: true, rationale: "held past retention: counted"},
		{activity: soon, returned: true, rationale: "due soon and not warned of"},
		{activity: soon, warned: true, rationale: "due soon and warned of already"},
		{activity: soon, held: true, rationale: "due soon but held: no warning"},
		{activity: old, erased: true, rationale: "erased already"},
	}
	orgs := make([]domain.OrgID, len(shapes))
	for n, s := range shapes {
		f := newFixture(t, st)
		orgs[n] = f.org.ID
		createReport(t, st, f, recent, domain.Contact{}, domain.Meta{}) // every organisation has something current
		ia, _, _ := createReport(t, st, f, s.activity, domain.Contact{}, domain.Meta{})
		ia.LastActivityAt, ia.LegalHold = s.activity, s.held
		if s.closed != nil {
			ia.Status, ia.ClosedAt = domain.StatusClosed, s.closed
		}
		require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
			if err := saveChanges(tx, ia); err != nil {
				return err
			}
			if s.warned {
				if _, err := tx.Interactions().MarkWarned(ctx, now, ia.ID); err != nil {
					return err
				}
			}
			if s.erased {
				_, err := tx.Interactions().Erase(ctx, now, ia.ID)
				return err
			}
			return nil
		}))
	}
	var found, otherRetention []domain.OrgID
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		if found, err = tx.Interactions().OrganisationsToPurge(ctx, scope); err != nil {
			return err
		}
		other := scope
		other.Retention = domain.Retention6
		otherRetention, err = tx.Interactions().OrganisationsToPurge(ctx, other)
		return err
	}))
	for n, s := range shapes {
		if s.returned {
			assert.Contains(t, found, orgs[n], s.rationale)
		} else {
			assert.NotContains(t, found, orgs[n], s.rationale)
		}
		assert.NotContains(t, otherRetention, orgs[n], "only the organisations of the scope's retention")
	}
}
