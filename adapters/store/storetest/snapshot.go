package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// AdminState is everything an admin may change — organisations, forms,
// inboxes, staff (removed ones too) and the outbox — read straight from
// the store, so that a refused request can be shown to have changed
// nothing.
type AdminState struct {
	Orgs       []*domain.Organisation
	Forms      []*domain.Form
	Inboxes    []*domain.Inbox
	Staff      []*domain.Staff
	Deliveries []*domain.Delivery
}

// ReadAdminState reads st's AdminState.
func ReadAdminState(t testing.TB, st ports.Store) AdminState {
	t.Helper()
	ctx := context.Background()
	var s AdminState
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		if s.Orgs, err = tx.Organisations().List(ctx); err != nil {
			return err
		}
		if s.Forms, err = tx.Forms().List(ctx, ports.FormFilter{}); err != nil {
			return err
		}
		if s.Inboxes, err = tx.Inboxes().List(ctx, ports.InboxFilter{}); err != nil {
			return err
		}
		if s.Staff, err = tx.Staff().List(ctx, ports.StaffFilter{IncludeRemoved: true}); err != nil {
			return err
		}
		s.Deliveries, err = tx.Outbox().List(ctx, ports.OutboxFilter{})
		return err
	}))
	return s
}
