package store

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/whisper-schools/whisper/ports"
)

// AcceptInteraction is intake's one hot write, kept narrow so that it can be
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
	report ports.NewInteraction
	done   chan error
	taken  bool // in a batch being written; guarded by intake.mu
}

// intake holds the reports waiting for a turn to be written.
type intake struct {
	mu      sync.Mutex
	waiting []*acceptance
	turns   chan struct{} // one slot per batch that may be written at once
}

// AcceptInteraction stores a new report. See ports.Store.
func (s *Store) AcceptInteraction(ctx context.Context, r ports.NewInteraction) error {
	a := &acceptance{report: r, done: make(chan error, 1)}
	in := &s.intake
	in.mu.Lock()
	in.waiting = append(in.waiting, a)
	in.mu.Unlock()
	turns := in.turns
	for {
		select {
		case err := <-a.done:
			return err
		case turns <- struct{}{}:
			if batch := in.take(); len(batch) > 0 {
				s.writeBatch(batch)
			}
			<-in.turns
			if in.isTaken(a) {
				turns = nil // in a batch: only its outcome is awaited now
			}
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

// isTaken reports whether a is in a batch.
func (in *intake) isTaken(a *acceptance) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return a.taken
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
	reports := make([]ports.NewInteraction, len(batch))
	for i, a := range batch {
		reports[i] = a.report
	}
	err := s.insertBatch(ctx, reports)
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

// insertBatch writes reports in one transaction: on PostgreSQL one
// statement, whose INSERTs of the other tables are data-modifying WITH
// queries (one round trip, committed on its own); on SQLite, which has no
// round trips to save, one INSERT per table in a transaction.
func (s *Store) insertBatch(ctx context.Context, reports []ports.NewInteraction) error {
	t := &tx{db: s.db, keys: s.keys, postgres: s.postgres}
	rows := t.rowsOf(reports)
	if !s.postgres {
		return s.InTx(ctx, func(ptx ports.Tx) error { return rows.insertEach(ctx, ptx.(*tx)) })
	}
	q := s.db.NewInsert().Model(&rows.interactions)
	with := func(name string, n int, model any) {
		if n > 0 {
			q = q.With(name, s.db.NewInsert().Model(model))
		}
	}
	with("nonces", len(rows.nonces), &rows.nonces)
	with("texted", len(rows.texted), &rows.texted)
	with("messages", len(rows.messages), &rows.messages)
	with("words", len(rows.words), &rows.words)
	with("deliveries", len(rows.deliveries), &rows.deliveries)
	_, err := q.Exec(ctx)
	return translate(err)
}

// acceptAlone writes one report, claiming its text, if any, the exact way.
func (t *tx) acceptAlone(ctx context.Context, r ports.NewInteraction) error {
	if r.Text != nil {
		if err := (texts{t}).Claim(ctx, *r.Text); err != nil {
			return err
		}
	}
	r.Text = nil
	return t.rowsOf([]ports.NewInteraction{r}).insertEach(ctx, t)
}

// reportRows are the rows of new reports, by table.
type reportRows struct {
	nonces       []*nonceRow
	texted       []*inboundRow
	interactions []*interactionRow
	messages     []*messageRow
	words        []*wordsRow
	deliveries   []*deliveryRow
}

// rowsOf turns reports into rows. A text's nonce and message id become
// plain rows: one seen before fails their INSERT, and acceptAlone then
// tells which.
func (t *tx) rowsOf(reports []ports.NewInteraction) reportRows {
	rows := reportRows{
		interactions: make([]*interactionRow, 0, len(reports)),
		messages:     make([]*messageRow, 0, len(reports)),
		words:        make([]*wordsRow, 0, len(reports)),
	}
	for _, r := range reports {
		if c := r.Text; c != nil {
			if c.Nonce != "" {
				rows.nonces = append(rows.nonces, texts{t}.nonceRow(c.Nonce))
			}
			rows.texted = append(rows.texted, texts{t}.inboundRow(c.MessageUUID))
		}
		ia, msg := t.newInteractionRow(r.Interaction, r.Token, r.Contact), t.newMessageRow(r.Message, r.Meta)
		t.setRegion(ia, r.Meta.Region)
		setReplyColumns(ia, msg)
		rows.interactions = append(rows.interactions, ia)
		rows.messages = append(rows.messages, msg)
		rows.words = append(rows.words, t.newWordsRow(r.Interaction.ID, r.Message.Body))
		for _, d := range r.Deliveries {
			rows.deliveries = append(rows.deliveries, outbox{t}.toRow(d))
		}
	}
	return rows
}

// insertEach inserts the rows in t, one INSERT per table.
func (rows reportRows) insertEach(ctx context.Context, t *tx) error {
	if err := insertRows(ctx, t, rows.nonces); err != nil {
		return err
	}
	if err := insertRows(ctx, t, rows.texted); err != nil {
		return err
	}
	if err := insertRows(ctx, t, rows.interactions); err != nil {
		return err
	}
	if err := insertRows(ctx, t, rows.messages); err != nil {
		return err
	}
	if err := insertRows(ctx, t, rows.words); err != nil {
		return err
	}
	return insertRows(ctx, t, rows.deliveries)
}

// insertRows inserts rows in one statement, unless there are none.
func insertRows[R any](ctx context.Context, t *tx, rows []*R) error {
	if len(rows) == 0 {
		return nil
	}
	return t.insert(ctx, &rows)
}
