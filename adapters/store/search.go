package store

import (
	"context"
	"runtime"
	"sync"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Search opens texts inside the process: they are sealed, so the database
// cannot match them. See ports.SearchRepo.
type search struct{ *tx }

// Search returns the transaction's search.
func (t *tx) Search() ports.SearchRepo { return search{t} }

// IndexMissing builds the word indexes that interactions written before
// there were any lack (search_words.go).
func (s search) IndexMissing(ctx context.Context, limit int) (int, error) {
	return s.indexMissing(ctx, limit)
}

// searchBatch is how many texts a worker takes at a time: enough that
// handing them over costs little, few enough that memory stays bounded
// (workers × 2 batches in flight).
const searchBatch = 256

// sealedText is one sealed text — a message, a note, or an interaction's
// word index — with where it lives.
type sealedText struct {
	interaction string
	id          string // the row's id, for its aad
	column      string // "messages.body", "notes.body" or wordsColumn
	sealed      []byte
}

// candidate is an interaction the search may find.
type candidate struct{ id, ref string }

// Find streams the candidates — the viewer's interactions that f keeps —
// with their word indexes in one query, and matches each index on a
// worker per CPU as it arrives. A candidate with no index yet (written
// before there were any) has its messages and notes read and matched
// instead. Nothing opened is kept beyond its batch, and none is logged.
func (s search) Find(ctx context.Context, v domain.Viewer, f ports.StaffViewFilter, q domain.Search) ([]domain.InteractionID, error) {
	f.IDs, f.Limit, f.Offset = nil, 0, 0
	query := filtered(staffView(s).scoped(v), f).ColumnExpr("i.id, i.ref")
	words := q.Words() > 0
	if words {
		query = query.ColumnExpr("w.interaction_id IS NOT NULL, w.words_sealed").
			Join("LEFT JOIN interaction_words AS w ON w.interaction_id = i.id")
	}
	var cands []candidate
	var unindexed []string
	masks, err := s.matchSealed(ctx, q, func(send func(sealedText) error) error {
		rows, err := query.Rows(ctx)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c candidate
			var indexed bool
			var sealed []byte
			dest := []any{&c.id, &c.ref}
			if words {
				dest = append(dest, &indexed, &sealed)
			}
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			cands = append(cands, c)
			switch {
			case !words: // a reference alone reads no text
			case !indexed:
				unindexed = append(unindexed, c.id)
			default:
				if err := send(sealedText{interaction: c.id, id: c.id, column: wordsColumn, sealed: sealed}); err != nil {
					return err
				}
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	if len(unindexed) > 0 {
		more, err := s.matchSealed(ctx, q, func(send func(sealedText) error) error { return s.eachText(ctx, unindexed, send) })
		if err != nil {
			return nil, err
		}
		for id, m := range more {
			masks[id] |= m
		}
	}
	out := []domain.InteractionID{}
	for _, c := range cands { // in a stable order
		if q.MatchesRef(domain.Reference(c.ref)) || (words && masks[c.id] == q.All()) {
			out = append(out, domain.InteractionID(c.id))
		}
	}
	return out, nil
}

// eachTextChunk is how many interactions' texts one query of eachText
// reads.
const eachTextChunk = 500

// eachText hands fn the sealed messages and notes of the interactions
// ids, reading a chunk of interactions at a time.
func (s search) eachText(ctx context.Context, ids []string, fn func(sealedText) error) error {
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), eachTextChunk)]
		ids = ids[len(chunk):]
		in := bun.List(chunk)
		rows, err := s.db.QueryContext(ctx,
			"SELECT m.interaction_id, m.id, 'messages.body', m.body_sealed FROM messages AS m"+
				" WHERE m.body_sealed IS NOT NULL AND m.interaction_id IN (?)"+
				" UNION ALL SELECT n.interaction_id, n.id, 'notes.body', n.body_sealed FROM notes AS n"+
				" WHERE n.interaction_id IN (?)", in, in)
		if err != nil {
			return translate(err)
		}
		err = func() error {
			defer rows.Close()
			for rows.Next() {
				var t sealedText
				if err := rows.Scan(&t.interaction, &t.id, &t.column, &t.sealed); err != nil {
					return err
				}
				if err := fn(t); err != nil {
					return err
				}
			}
			return rows.Err()
		}()
		if err != nil {
			return translate(err)
		}
	}
	return nil
}

// matchSealed runs read on this goroutine, opening and matching each text
// it sends on a worker per CPU, and returns, for each interaction sent,
// the mask of q's words its texts hold. A text that cannot be opened
// stops the search with its error.
func (s search) matchSealed(ctx context.Context, q domain.Search, read func(send func(sealedText) error) error) (map[string]uint64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := runtime.GOMAXPROCS(0)
	work := make(chan []sealedText, workers)
	results := make([]map[string]uint64, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		results[w] = map[string]uint64{}
		wg.Go(func() {
			for batch := range work {
				if errs[w] != nil {
					continue // drain, so the reader never blocks
				}
				for _, t := range batch {
					text, err := s.keys.Open(t.sealed, aad(t.column, t.id))
					if err != nil {
						errs[w] = err
						cancel()
						break
					}
					if m := q.Match(text); m != 0 {
						results[w][t.interaction] |= m
					}
				}
			}
		})
	}
	readErr := func() error {
		defer close(work)
		batch := make([]sealedText, 0, searchBatch)
		flush := func() error {
			select {
			case work <- batch:
			case <-ctx.Done():
				return ctx.Err()
			}
			batch = make([]sealedText, 0, searchBatch)
			return nil
		}
		err := read(func(t sealedText) error {
			if batch = append(batch, t); len(batch) == searchBatch {
				return flush()
			}
			return nil
		})
		if err == nil && len(batch) > 0 {
			err = flush()
		}
		return err
	}()
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if readErr != nil {
		return nil, translate(readErr)
	}
	masks := results[0]
	for _, r := range results[1:] {
		for id, m := range r {
			masks[id] |= m
		}
	}
	return masks, nil
}
