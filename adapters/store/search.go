package store

import (
	"context"
	"runtime"
	"sync"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Search opens texts inside the process: they are sealed, so the database
// cannot match them. See ports.SearchRepo.
type search struct{ *tx }

// Search returns the transaction's search.
func (t *tx) Search() ports.SearchRepo { return search{t} }

// searchBatch is how many texts a worker takes at a time: enough that
// handing them over costs little, few enough that memory stays bounded
// (workers × 2 batches in flight).
const searchBatch = 256

// sealedText is one message's or note's sealed text, with where it lives.
type sealedText struct {
	interaction string
	id          string
	column      string // "messages.body" or "notes.body", for its aad
	sealed      []byte
}

// Find reads the candidates' references, then streams their messages' and
// notes' sealed texts in one query, reading on this goroutine while a
// worker per CPU opens and matches them. Each worker keeps the words each
// interaction's texts held; the masks are joined at the end. No text is
// kept beyond its batch, and none is logged.
func (s search) Find(ctx context.Context, v domain.Viewer, f ports.StaffViewFilter, q domain.Search) ([]domain.InteractionID, error) {
	f.IDs, f.Limit, f.Offset = nil, 0, 0
	sv := staffView(s)
	var cands []struct {
		ID  string `bun:"id"`
		Ref string `bun:"ref"`
	}
	if err := filtered(sv.scoped(v), f).ColumnExpr("i.id, i.ref").Scan(ctx, &cands); err != nil {
		return nil, translate(err)
	}
	found := map[string]bool{}
	for _, c := range cands {
		if q.MatchesRef(domain.Reference(c.Ref)) {
			found[c.ID] = true
		}
	}
	if q.Words() > 0 && len(cands) > len(found) {
		masks, err := s.matchTexts(ctx, filtered(sv.scoped(v), f).ColumnExpr("i.id").String(), q)
		if err != nil {
			return nil, err
		}
		for id, m := range masks {
			if m == q.All() {
				found[id] = true
			}
		}
	}
	out := make([]domain.InteractionID, 0, len(found))
	for _, c := range cands { // in a stable order
		if found[c.ID] {
			out = append(out, domain.InteractionID(c.ID))
		}
	}
	return out, nil
}

// matchTexts returns, for each interaction among those candidates selects
// (a query of their ids), the mask of q's words its texts hold.
func (s search) matchTexts(ctx context.Context, candidates string, q domain.Search) (map[string]uint64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rows, err := s.db.QueryContext(ctx,
		"SELECT m.interaction_id, m.id, 'messages.body', m.body_sealed FROM messages AS m"+
			" WHERE m.body_sealed IS NOT NULL AND m.interaction_id IN ("+candidates+")"+
			" UNION ALL SELECT n.interaction_id, n.id, 'notes.body', n.body_sealed FROM notes AS n"+
			" WHERE n.interaction_id IN ("+candidates+")")
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()

	workers := runtime.GOMAXPROCS(0)
	work := make(chan []sealedText, workers)
	results := make([]map[string]uint64, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		results[w] = map[string]uint64{}
		wg.Add(1)
		go func() {
			defer wg.Done()
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
		}()
	}
	readErr := func() error {
		defer close(work)
		batch := make([]sealedText, 0, searchBatch)
		for rows.Next() {
			var t sealedText
			if err := rows.Scan(&t.interaction, &t.id, &t.column, &t.sealed); err != nil {
				return err
			}
			if batch = append(batch, t); len(batch) == searchBatch {
				select {
				case work <- batch:
				case <-ctx.Done():
					return ctx.Err()
				}
				batch = make([]sealedText, 0, searchBatch)
			}
		}
		if len(batch) > 0 {
			work <- batch
		}
		return rows.Err()
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
