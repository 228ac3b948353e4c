package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
)

// CreateInbox adds an inbox after the form's existing ones.
func (s *Operations) CreateInbox(ctx context.Context, in CreateInbox) (*domain.Inbox, error) {
	return s.addInbox(ctx, in)
}
