package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Organisation returns the actor's organisation as it is now.
func (s *Admin) Organisation(ctx context.Context, a *Actor) (org *domain.Organisation, err error) {
	defer domain.Wrap(&err, "app.Admin.Organisation")
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	err = s.store.View(ctx, func(tx ports.Tx) error {
		org, err = tx.Organisations().Get(ctx, a.Org.ID)
		return err
	})
	return org, err
}
