package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// SearchIndexLock names the ports.Leadership lock under which one
// instance at a time runs IndexForSearch.
const SearchIndexLock = "search-index"

// searchIndexBatch is how many interactions one transaction of
// IndexForSearch prepares: their rows stay locked until it commits, so a
// batch is kept short, and replies to them wait no longer than it takes.
const searchIndexBatch = 200

// IndexForSearch prepares for fast search every interaction written
// before the store kept word indexes (ports.SearchRepo.IndexMissing), a
// batch to a transaction, and returns how many it prepared. Search finds
// them either way; whisperd's sweep runs this after it starts serving.
//
// Nearly always there is nothing to prepare, and saying so reads every
// interaction (seconds at national scale): it is asked first in a View,
// so that it locks nothing and, on SQLite, keeps reports waiting for no
// write lock.
func (s *Casework) IndexForSearch(ctx context.Context) (prepared int, err error) {
	defer domain.Wrap(&err, "app.Casework.IndexForSearch")
	var missing bool
	err = s.store.View(ctx, func(tx ports.Tx) (err error) {
		missing, err = tx.Search().AnyMissing(ctx)
		return err
	})
	if err != nil || !missing {
		return 0, err
	}
	return inBatches(ctx, s.store, searchIndexBatch, func(tx ports.Tx) (int, error) {
		return tx.Search().IndexMissing(ctx, searchIndexBatch)
	})
}

// statsRegionBatch is how many interactions one transaction of
// FillRegions prepares; their rows stay locked until it commits.
const statsRegionBatch = 500

// FillRegions prepares for fast statistics every interaction written
// before the store kept each one's region (ports.InteractionRepo's
// FillRegions), a batch to a transaction, and returns how many it
// prepared. Statistics count them either way; whisperd's sweep runs this
// with IndexForSearch, after it starts serving.
func (s *Casework) FillRegions(ctx context.Context) (prepared int, err error) {
	defer domain.Wrap(&err, "app.Casework.FillRegions")
	return inBatches(ctx, s.store, statsRegionBatch, func(tx ports.Tx) (int, error) {
		return tx.Interactions().FillRegions(ctx, statsRegionBatch)
	})
}

// inBatches runs step in a transaction of its own until it does fewer
// than batch, and returns how many it did in all.
func inBatches(ctx context.Context, st ports.Store, batch int, step func(ports.Tx) (int, error)) (done int, err error) {
	for {
		var n int
		err := st.InTx(ctx, func(tx ports.Tx) (err error) {
			n, err = step(tx)
			return err
		})
		if err != nil {
			return done, err
		}
		if done += n; n < batch {
			return done, nil
		}
	}
}
