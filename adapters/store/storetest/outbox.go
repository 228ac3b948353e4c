package storetest

import (
	"crypto/rand"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// outboxTests are the parts of the contract the delivery worker relies on.
var outboxTests = map[string]func(*testing.T, ports.Store){
	"OutboxClaimIsExclusive":  testOutboxClaimExclusive,
	"OutboxLeaseAndOutcomes":  testOutboxLease,
	"OutboxHealthSummarises":  testOutboxHealth,
	"OutboxOutcomeNeedsClaim": testOutboxOutcomeNeedsClaim,
	"OutboxListIsBounded":     testOutboxListBounded,
}

// testOutboxListBounded reads the oldest deliveries with a limit, in the
// order of the whole list, and counts them all whatever the limit.
func testOutboxListBounded(t *testing.T, st ports.Store) {
	queued := queue(t, st, 5, now)
	id := queued[0].InteractionID
	list := func(f ports.OutboxFilter) (got []domain.DeliveryID, n int) {
		t.Helper()
		require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
			ds, err := tx.Outbox().List(ctx, f)
			if err != nil {
				return err
			}
			for _, d := range ds {
				got = append(got, d.ID)
			}
			n, err = tx.Outbox().Count(ctx, f)
			return err
		}))
		return got, n
	}
	all, n := list(ports.OutboxFilter{InteractionID: &id, Unsent: true})
	require.Len(t, all, 5)
	assert.Equal(t, 5, n)
	some, n := list(ports.OutboxFilter{InteractionID: &id, Unsent: true, Limit: 3})
	assert.Equal(t, all[:3], some, "the oldest, in the same order")
	assert.Equal(t, 5, n, "the count ignores the limit")
	failed := domain.DeliveryFailed
	none, n := list(ports.OutboxFilter{InteractionID: &id, Status: &failed, Limit: 3})
	assert.Empty(t, none)
	assert.Zero(t, n)
}

// queue adds n pending alerts for one report, due at the given time.
func queue(t *testing.T, st ports.Store, n int, due time.Time) []*domain.Delivery {
	t.Helper()
	f := newFixture(t, st)
	ia, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	var ds []*domain.Delivery
	for range n {
		d := domain.ReporterLink(must(domain.NewDeliveryID(rand.Reader)), ia, "r@example.org", "https://w.example/t/x", domain.English, due)
		ds = append(ds, d)
	}
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Outbox().Enqueue(ctx, ds...) }))
	return ds
}

func claim(t *testing.T, st ports.Store, at time.Time, lease time.Duration, limit int) []*domain.Delivery {
	t.Helper()
	var got []*domain.Delivery
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) (err error) {
		got, err = tx.Outbox().Claim(ctx, at, lease, limit)
		return err
	}))
	return got
}

// testOutboxClaimExclusive races 20 workers over 60 deliveries: every
// delivery is claimed by exactly one of them.
func testOutboxClaimExclusive(t *testing.T, st ports.Store) {
	queued := queue(t, st, 60, now)
	var mu sync.Mutex
	seen := map[domain.DeliveryID]int{}
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				var got []*domain.Delivery
				err := st.InTx(ctx, func(tx ports.Tx) (err error) {
					got, err = tx.Outbox().Claim(ctx, now, time.Hour, 4)
					return err
				})
				if !assert.NoError(t, err) || len(got) == 0 {
					return
				}
				mu.Lock()
				for _, d := range got {
					seen[d.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	require.Len(t, seen, len(queued))
	for id, n := range seen {
		assert.Equal(t, 1, n, "delivery %s claimed %d times", id, n)
	}
}

func testOutboxLease(t *testing.T, st ports.Store) {
	queued := queue(t, st, 3, now)
	assert.Empty(t, claim(t, st, now.Add(-time.Second), time.Minute, 10), "nothing is due before its time")

	first := claim(t, st, now, time.Minute, 2)
	require.Len(t, first, 2)
	assert.Equal(t, 1, first[0].Attempts, "a claim counts an attempt")
	assert.Equal(t, "https://w.example/t/x", first[0].Link, "sealed fields come back opened")
	rest := claim(t, st, now, time.Minute, 10)
	require.Len(t, rest, 1, "claimed rows are hidden from other workers")
	assert.Empty(t, claim(t, st, now.Add(30*time.Second), time.Minute, 10), "until the lease ends")

	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		if err := tx.Outbox().MarkSent(ctx, first[0].ID, first[0].Attempts, now); err != nil {
			return err
		}
		if err := tx.Outbox().Retry(ctx, first[1].ID, first[1].Attempts, now.Add(10*time.Minute), nil); err != nil {
			return err
		}
		return tx.Outbox().MarkFailed(ctx, rest[0].ID, rest[0].Attempts, now, nil)
	}))
	// The worker that held first[1] retries it later; the sent and failed
	// ones are never claimed again.
	assert.Empty(t, claim(t, st, now.Add(5*time.Minute), time.Minute, 10))
	again := claim(t, st, now.Add(10*time.Minute), time.Minute, 10)
	require.Len(t, again, 1)
	assert.Equal(t, first[1].ID, again[0].ID)
	assert.Equal(t, 2, again[0].Attempts)

	// A worker that died: its lease runs out and the row comes back.
	lost := claim(t, st, now.Add(20*time.Minute), time.Minute, 10)
	require.Len(t, lost, 1)
	assert.Equal(t, 3, lost[0].Attempts)

	var sent []*domain.Delivery
	status := domain.DeliverySent
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		sent, err = tx.Outbox().List(ctx, ports.OutboxFilter{Status: &status, InteractionID: &queued[0].InteractionID})
		return err
	}))
	require.Len(t, sent, 1)
	require.NotNil(t, sent[0].SentAt)
	assert.Equal(t, now, *sent[0].SentAt)
	assert.Empty(t, sent[0].To, "a sent delivery forgets its recipient")
	assert.Empty(t, sent[0].Link, "and its link")
}

func testOutboxHealth(t *testing.T, st ports.Store) {
	health := func() ports.OutboxHealth {
		var h ports.OutboxHealth
		require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
			h, err = tx.Outbox().Health(ctx)
			return err
		}))
		return h
	}
	assert.Equal(t, ports.OutboxHealth{}, health())
	queue(t, st, 2, now)
	got := claim(t, st, now, time.Minute, 1)
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Outbox().MarkFailed(ctx, got[0].ID, got[0].Attempts, now, nil) }))
	h := health()
	assert.Equal(t, 1, h.Pending)
	assert.Equal(t, 1, h.Failed)
	require.NotNil(t, h.OldestPending)
	assert.Equal(t, now, *h.OldestPending)
}

// testOutboxOutcomeNeedsClaim: a worker whose lease ran out, and whose
// delivery another worker claimed since, cannot record an outcome over the
// other's.
func testOutboxOutcomeNeedsClaim(t *testing.T, st ports.Store) {
	queue(t, st, 1, now)
	late := claim(t, st, now, time.Minute, 1)
	require.Len(t, late, 1)
	taken := claim(t, st, now.Add(2*time.Minute), time.Minute, 1)
	require.Len(t, taken, 1, "the first lease ran out")
	id := taken[0].ID
	require.Equal(t, late[0].ID, id)
	require.Equal(t, 2, taken[0].Attempts)

	outcome := func(record func(ports.OutboxRepo) error) error {
		return st.InTx(ctx, func(tx ports.Tx) error { return record(tx.Outbox()) })
	}
	stored := func() *domain.Delivery {
		var list []*domain.Delivery
		require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
			list, err = tx.Outbox().List(ctx, ports.OutboxFilter{InteractionID: &taken[0].InteractionID})
			return err
		}))
		require.Len(t, list, 1)
		return list[0]
	}
	stale := map[string]func(ports.OutboxRepo) error{
		"MarkSent":   func(o ports.OutboxRepo) error { return o.MarkSent(ctx, id, 1, now) },
		"Retry":      func(o ports.OutboxRepo) error { return o.Retry(ctx, id, 1, now.Add(time.Hour), nil) },
		"MarkFailed": func(o ports.OutboxRepo) error { return o.MarkFailed(ctx, id, 1, now, nil) },
	}
	for name, record := range stale {
		assert.Equal(t, domain.KindConflict, domain.KindOf(outcome(record)), "%s under a claim taken over", name)
	}
	d := stored()
	assert.Equal(t, domain.DeliveryPending, d.Status, "the late worker changed nothing")
	assert.Equal(t, 2, d.Attempts)
	assert.Equal(t, now.Add(3*time.Minute), d.NextAttemptAt, "the second lease holds")
	assert.Equal(t, "https://w.example/t/x", d.Link)

	// The worker that holds the claim records its outcomes; once one is
	// final, nothing overwrites it.
	require.NoError(t, outcome(func(o ports.OutboxRepo) error { return o.Retry(ctx, id, 2, now.Add(time.Hour), nil) }))
	assert.Equal(t, now.Add(time.Hour), stored().NextAttemptAt)
	again := claim(t, st, now.Add(time.Hour), time.Minute, 1)
	require.Len(t, again, 1)
	require.NoError(t, outcome(func(o ports.OutboxRepo) error { return o.MarkSent(ctx, id, 3, now.Add(time.Hour)) }))
	assert.Equal(t, domain.KindConflict, domain.KindOf(outcome(func(o ports.OutboxRepo) error {
		return o.MarkFailed(ctx, id, 3, now.Add(time.Hour), nil)
	})), "a sent delivery stays sent")
	d = stored()
	assert.Equal(t, domain.DeliverySent, d.Status)
	assert.Empty(t, d.Link)
}
