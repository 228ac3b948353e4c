package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
)

// CreateForm adds a form with one inbox named General to an organisation.
// A code the operator chose is refused when taken (KindConflict); a
// suggested one is redrawn.
func (s *Operations) CreateForm(ctx context.Context, in CreateForm) (FormCreated, error) {
	return s.addForm(ctx, in)
}

// CreateInbox adds an inbox after the form's existing ones.
func (s *Operations) CreateInbox(ctx context.Context, in CreateInbox) (*domain.Inbox, error) {
	return s.addInbox(ctx, in)
}
