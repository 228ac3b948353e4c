package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// ListStaff returns an organisation's current members, oldest first, or
// KindNotFound when there is no such organisation.
func (s *Operations) ListStaff(ctx context.Context, org domain.OrgID) (out []*domain.Staff, err error) {
	defer domain.Wrap(&err, "app.Operations.ListStaff")
	err = s.store.View(ctx, func(tx ports.Tx) error {
		if _, err := tx.Organisations().Get(ctx, org); err != nil {
			return err
		}
		out, err = tx.Staff().List(ctx, ports.StaffFilter{OrgID: &org})
		return err
	})
	return out, err
}
