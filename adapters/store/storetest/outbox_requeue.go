package storetest

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// outboxDiagnosticTests are what the operator's outbox commands rely on:
// the server's last answer kept with each delivery, and a retry that
// never hands a held delivery to a second worker.
var outboxDiagnosticTests = map[string]func(*testing.T, ports.Store){
	"OutboxKeepsTheLastAnswer":         testOutboxKeepsTheLastAnswer,
	"OutboxRequeue":                    testOutboxRequeue,
	"Race/OutboxRequeueAgainstClaims":  testRaceRequeueAgainstClaims,
	"OutboxFailedContentIsForgotLater": testOutboxFailedContentForgotten,
}

func listOutbox(t *testing.T, st ports.Store, f ports.OutboxFilter) []*domain.Delivery {
	t.Helper()
	var list []*domain.Delivery
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		list, err = tx.Outbox().List(ctx, f)
		return err
	}))
	return list
}

func outboxRecord(t *testing.T, st ports.Store, fn func(o ports.OutboxRepo) error) error {
	t.Helper()
	return st.InTx(ctx, func(tx ports.Tx) error { return fn(tx.Outbox()) })
}

func testOutboxKeepsTheLastAnswer(t *testing.T, st ports.Store) {
	d := queue(t, st, 1, now)[0]
	got := claim(t, st, now, time.Minute, 1)
	require.Len(t, got, 1)
	assert.Nil(t, got[0].LastError, "nothing failed yet")
	busy := &domain.DeliveryFailure{Code: 451, Text: "4.3.0 Try again later"}
	require.NoError(t, outboxRecord(t, st, func(o ports.OutboxRepo) error { return o.Retry(ctx, d.ID, 1, now.Add(time.Minute), busy) }))
	list := listOutbox(t, st, ports.OutboxFilter{Unsent: true, InteractionID: &d.InteractionID})
	require.Len(t, list, 1)
	require.NotNil(t, list[0].LastError)
	assert.Equal(t, 451, list[0].LastError.Code)
	assert.Equal(t, "4.3.0 Try again later", list[0].LastError.Text)
	assert.False(t, list[0].LastError.Permanent)

	got = claim(t, st, now.Add(time.Minute), time.Minute, 1)
	require.Len(t, got, 1)
	assert.Equal(t, 451, got[0].LastError.Code, "a claim returns the last answer too")
	refused := &domain.DeliveryFailure{Code: 550, Text: "5.7.1 <redacted>: Relaying denied", Permanent: true}
	require.NoError(t, outboxRecord(t, st, func(o ports.OutboxRepo) error { return o.MarkFailed(ctx, d.ID, 2, now.Add(time.Minute), refused) }))
	failed := domain.DeliveryFailed
	list = listOutbox(t, st, ports.OutboxFilter{Status: &failed, InteractionID: &d.InteractionID})
	require.Len(t, list, 1)
	assert.Equal(t, *refused, *list[0].LastError)
	assert.Equal(t, "r@example.org", list[0].To, "a failed delivery keeps what it needs to be sent again")

	// A failure with no answer (the server was down) keeps no code.
	d2 := queue(t, st, 1, now)[0]
	claim(t, st, now.Add(time.Minute), time.Minute, 1)
	down := &domain.DeliveryFailure{Text: "dial tcp 127.0.0.1:25: connect: connection refused"}
	require.NoError(t, outboxRecord(t, st, func(o ports.OutboxRepo) error { return o.Retry(ctx, d2.ID, 1, now.Add(time.Hour), down) }))
	list = listOutbox(t, st, ports.OutboxFilter{InteractionID: &d2.InteractionID})
	require.Len(t, list, 1)
	assert.Equal(t, *down, *list[0].LastError)
	assert.Len(t, listOutbox(t, st, ports.OutboxFilter{Unsent: true}), 2, "Unsent lists the pending and the failed")
}

func testOutboxRequeue(t *testing.T, st ports.Store) {
	ds := queue(t, st, 3, now)
	requeue := func(id domain.DeliveryID, at time.Time) error {
		return outboxRecord(t, st, func(o ports.OutboxRepo) error { return o.Requeue(ctx, id, at) })
	}
	assert.Equal(t, domain.KindNotFound, domain.KindOf(requeue("dlv_nosuchdeliveryxxxx", now)))

	held := claim(t, st, now, time.Hour, 3)
	require.Len(t, held, 3)
	assert.Equal(t, domain.KindConflict, domain.KindOf(requeue(held[0].ID, now.Add(time.Minute))), "a delivery being sent is left alone")

	require.NoError(t, outboxRecord(t, st, func(o ports.OutboxRepo) error {
		if err := o.MarkSent(ctx, held[0].ID, 1, now); err != nil {
			return err
		}
		if err := o.Retry(ctx, held[1].ID, 1, now.Add(time.Hour), nil); err != nil {
			return err
		}
		return o.MarkFailed(ctx, held[2].ID, 1, now, &domain.DeliveryFailure{Code: 550, Text: "no", Permanent: true})
	}))
	assert.Equal(t, domain.KindConflict, domain.KindOf(requeue(held[0].ID, now.Add(time.Minute))), "a sent delivery is not sent again")

	at := now.Add(time.Minute)
	require.NoError(t, requeue(held[1].ID, at), "a waiting delivery is made due now")
	require.NoError(t, requeue(held[2].ID, at), "a failed one too")
	again := claim(t, st, at, time.Minute, 10)
	require.Len(t, again, 2)
	for _, d := range again {
		assert.Equal(t, domain.DeliveryPending, d.Status)
		assert.Equal(t, 2, d.Attempts, "attempts go on counting")
		assert.Equal(t, "https://w.example/t/x", d.Link)
	}
	_ = ds
}

// testRaceRequeueAgainstClaims races operators retrying every delivery
// against workers claiming them: however they meet, no delivery is
// claimed a second time while its first claim holds it.
func testRaceRequeueAgainstClaims(t *testing.T, st ports.Store) {
	ds := queue(t, st, 12, now)
	var (
		mu      sync.Mutex
		claimed = map[domain.DeliveryID]int{}
		done    atomic.Bool
		wg      sync.WaitGroup
	)
	for range 4 {
		wg.Go(func() {
			for range 3 {
				for _, d := range ds {
					err := outboxRecord(t, st, func(o ports.OutboxRepo) error { return o.Requeue(ctx, d.ID, now) })
					if err != nil && !assert.Equal(t, domain.KindConflict, domain.KindOf(err), "%v", err) {
						return
					}
				}
			}
		})
	}
	var claimers sync.WaitGroup
	for range 4 {
		claimers.Go(func() {
			for {
				stopping := done.Load()
				var got []*domain.Delivery
				err := st.InTx(ctx, func(tx ports.Tx) (err error) {
					got, err = tx.Outbox().Claim(ctx, now, time.Hour, 1)
					return err
				})
				if !assert.NoError(t, err) {
					return
				}
				mu.Lock()
				for _, d := range got {
					claimed[d.ID]++
				}
				mu.Unlock()
				if stopping && len(got) == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	done.Store(true)
	claimers.Wait()
	require.Len(t, claimed, len(ds), "every delivery was claimed")
	for id, n := range claimed {
		assert.Equal(t, 1, n, "delivery %s claimed %d times under one lease", id, n)
	}
}

func testOutboxFailedContentForgotten(t *testing.T, st ports.Store) {
	ds := queue(t, st, 2, now)
	got := claim(t, st, now, time.Minute, 2)
	require.Len(t, got, 2)
	require.NoError(t, outboxRecord(t, st, func(o ports.OutboxRepo) error {
		if err := o.MarkFailed(ctx, got[0].ID, 1, now, nil); err != nil {
			return err
		}
		return o.MarkFailed(ctx, got[1].ID, 1, now.Add(48*time.Hour), nil)
	}))
	var n int
	require.NoError(t, outboxRecord(t, st, func(o ports.OutboxRepo) (err error) {
		n, err = o.ForgetFailedBefore(ctx, now.Add(24*time.Hour))
		return err
	}))
	assert.Equal(t, 1, n, "only the one that failed before")
	byID := map[domain.DeliveryID]*domain.Delivery{}
	for _, d := range listOutbox(t, st, ports.OutboxFilter{InteractionID: &ds[0].InteractionID}) {
		byID[d.ID] = d
	}
	assert.Empty(t, byID[got[0].ID].To)
	assert.Empty(t, byID[got[0].ID].Link)
	assert.Equal(t, "r@example.org", byID[got[1].ID].To)
	err := outboxRecord(t, st, func(o ports.OutboxRepo) error { return o.Requeue(ctx, got[0].ID, now.Add(72*time.Hour)) })
	assert.Equal(t, domain.KindConflict, domain.KindOf(err), "what is forgotten cannot be sent")
	require.NoError(t, outboxRecord(t, st, func(o ports.OutboxRepo) (err error) {
		n, err = o.ForgetFailedBefore(ctx, now.Add(24*time.Hour))
		return err
	}))
	assert.Zero(t, n, "forgetting twice forgets nothing more")
}
