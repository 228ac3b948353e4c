package app

import "context"

// CreateForm adds a form with one inbox named General to an organisation.
// A code the operator chose is refused when taken (KindConflict); a
// suggested one is redrawn.
func (s *Operations) CreateForm(ctx context.Context, in CreateForm) (FormCreated, error) {
	return s.addForm(ctx, in)
}
