package store

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/whisper-schools/whisper/ports"
)

// AcceptReport is intake's one hot write, kept narrow so that it can be
// fast without making InTx harder to explain. It takes data, never code:
// reports accepted while a batch is being written wait, and the next free
// turn writes all of them in one transaction, one INSERT per table, so
// that they share a commit (one disk sync on SQLite; one round trip per
// table and one WAL flush on PostgreSQL). If that transaction fails — a
// reference or a text seen before, a lost connection — each report of the
// batch is written again alone, in a transaction of its own, so that each
// gets its own statement's answer and none fails because of another.

// pgIntakeBatches is how many batches may be written to PostgreSQL at
// once: enough to keep a few backends busy, few enough that reports
// arriving meanwhile gather.
const pgIntakeBatches = 4

// batchTimeout bounds the writing of a batch: it is written on behalf of
// many requests, so no one request's context governs it.
const batchTimeout = 30 * time.Second

// acceptance is one report waiting for its outcome.
type acceptance struct {
	report ports.NewReport
	done   chan error
	taken  bool // in a batch being written; guarded by intake.mu
}

// intake holds the reports waiting for a turn to be written.
type intake struct {
	mu      sync.Mutex
	waiting []*acceptance
	turns   chan struct{} // one slot per batch that may be written at once
}

// AcceptReport stores a new report. See ports.Store.
func (s *Store) AcceptReport(ctx context.Context, r ports.NewReport) error {
	a := &acceptance{report: r, done: make(chan error, 1)}
	in := &s.intake
	in.mu.Lock()
	in.waiting = append(in.waiting, a)
	in.mu.Unlock()
	for {
		select {
		case err := <-a.done:
			return err
		case in.turns <- struct{}{}:
			if batch := in.take(); len(batch) > 0 {
				s.writeBatch(batch)
			}
			<-in.turns
		case <-ctx.Done():
			in.mu.Lock()
			taken := a.taken
			if !taken {
				in.waiting = slices.DeleteFunc(in.waiting, func(b *acceptance) bool { return b == a })
			}
			in.mu.Unlock()
			if !taken {
				return translate(ctx.Err())
			}
			// Its batch is being written: the caller learns the truth,
			// committed or not, rather than a guess.
			return <-a.done
		}
	}
}

// take returns the reports waiting now, and marks them taken.
func (in *intake) take() []*acceptance {
	in.mu.Lock()
	defer in.mu.Unlock()
	batch := in.waiting
	in.waiting = nil
	for _, a := range batch {
		a.taken = true
	}
	return batch
}

// writeBatch writes the batch in one transaction, or, when that fails,
// each report alone, and tells each its outcome.
func (s *Store) writeBatch(batch []*acceptance) {
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	reports := make([]ports.NewReport, len(batch))
	for i, a := range batch {
		reports[i] = a.report
	}
	err := s.InTx(ctx, func(ptx ports.Tx) error { return ptx.(*tx).insertReports(ctx, reports...) })
	if err == nil {
		for _, a := range batch {
			a.done <- nil
		}
		return
	}
	for _, a := range batch {
		a.done <- s.InTx(ctx, func(ptx ports.Tx) error { return ptx.(*tx).acceptAlone(ctx, a.report) })
	}
}

// acceptAlone writes one report, claiming its text, if any, the exact way.
func (t *tx) acceptAlone(ctx context.Context, r ports.NewReport) error {
	if r.Text != nil {
		if err := (texts{t}).claim(ctx, *r.Text); err != nil {
			return err
		}
	}
	return t.insertReports(ctx, withoutText(r))
}

// withoutText is r with its text already claimed.
func withoutText(r ports.NewReport) ports.NewReport {
	r.Text = nil
	return r
}

// insertReports inserts the rows of reports, one INSERT per table. A
// text's nonce and message id go in as plain rows: one seen before fails
// the INSERT, and acceptAlone then tells which.
func (t *tx) insertReports(ctx context.Context, reports ...ports.NewReport) error {
	var (
		nonces       []*nonceRow
		texted       []*inboundRow
		interactions = make([]*interactionRow, 0, len(reports))
		messages     = make([]*messageRow, 0, len(reports))
		deliveries   []*deliveryRow
	)
	for _, r := range reports {
		if c := r.Text; c != nil {
			if c.Nonce != "" {
				nonces = append(nonces, &nonceRow{Nonce: c.Nonce, SeenAt: c.At})
			}
			texted = append(texted, &inboundRow{MessageUUID: c.MessageUUID, ReceivedAt: c.At})
		}
		interactions = append(interactions, t.newInteractionRow(r.Interaction, r.Token, r.Contact))
		messages = append(messages, t.newMessageRow(r.Message, r.Meta))
		for _, d := range r.Deliveries {
			deliveries = append(deliveries, outbox{t}.toRow(d))
		}
	}
	if err := insertRows(ctx, t, nonces); err != nil {
		return err
	}
	if err := insertRows(ctx, t, texted); err != nil {
		return err
	}
	if err := insertRows(ctx, t, interactions); err != nil {
		return err
	}
	if err := insertRows(ctx, t, messages); err != nil {
		return err
	}
	return insertRows(ctx, t, deliveries)
}

// insertRows inserts rows in one statement, unless there are none.
func insertRows[R any](ctx context.Context, t *tx, rows []*R) error {
	if len(rows) == 0 {
		return nil
	}
	return t.insert(ctx, &rows)
}
