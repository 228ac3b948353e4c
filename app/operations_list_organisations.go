package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// ListOrganisations returns every organisation, oldest first.
func (s *Operations) ListOrganisations(ctx context.Context) (orgs []*domain.Organisation, err error) {
	defer domain.Wrap(&err, "app.Operations.ListOrganisations")
	err = s.store.View(ctx, func(tx ports.Tx) error {
		orgs, err = tx.Organisations().List(ctx)
		return err
	})
	return orgs, err
}
