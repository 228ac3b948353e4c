package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
)

// Ready reports whether the service can serve: its database answers and
// its schema is the one this release knows, neither with migrations
// pending nor migrated by a newer release. Whatever the reason, not ready
// is KindUnavailable, so /readyz answers 503 for each.
func (s *Operations) Ready(ctx context.Context) error {
	if err := s.store.Ping(ctx); err != nil {
		return err
	}
	if err := s.store.CheckSchema(ctx); err != nil {
		return &domain.Error{Op: "app.Ready", Kind: domain.KindUnavailable, Safe: domain.SafeWords(err), Err: err}
	}
	return nil
}
