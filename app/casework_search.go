package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// FilterSearch is the list's search box (?q=).
const FilterSearch = "q"

// searchProblems checks what was typed in the list's search box.
func searchProblems(q string) (domain.Search, domain.Problems) {
	var problems domain.Problems
	s, err := domain.ParseSearch(q)
	problems.Add(FilterSearch, err)
	return s, problems
}

// searchFilter narrows f to the actor's interactions that match s — by
// reference, or by the words of their messages and notes — when anything
// is searched for. Texts are sealed, so the store opens and matches them
// inside the process (ports.SearchRepo); the query goes nowhere else, and
// is never logged.
func searchFilter(ctx context.Context, tx ports.Tx, a *Actor, f *ports.StaffViewFilter, s domain.Search) error {
	if s.IsZero() {
		return nil
	}
	ids, err := tx.Search().Find(ctx, a.Viewer, *f, s)
	if err != nil {
		return err
	}
	f.IDs = ids
	return nil
}
