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
func (s *Casework) IndexForSearch(ctx context.Context) (prepared int, err error) {
	defer domain.Wrap(&err, "app.Casework.IndexForSearch")
	for {
		var n int
		err := s.store.InTx(ctx, func(tx ports.Tx) (err error) {
			n, err = tx.Search().IndexMissing(ctx, searchIndexBatch)
			return err
		})
		if err != nil {
			return prepared, err
		}
		if prepared += n; n < searchIndexBatch {
			return prepared, nil
		}
	}
}
