package storetest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

var elsewhereTests = map[string]func(*testing.T, ports.Store){
	"StaffSigningInElsewhere": testStaffSigningInElsewhere,
}

// A member invited with an address that signs in to another
// organisation's account is kept, listed and removed like any other, and
// sign-in still finds the one account.
func testStaffSigningInElsewhere(t *testing.T, st ports.Store) {
	home, away := newFixture(t, st), newFixture(t, st)
	owner := newStaff(t, home, "shared@oakfield.example")
	invitee := newStaff(t, away, "Shared@Oakfield.example")
	invitee.SignsInElsewhere = true
	second := newStaff(t, newFixture(t, st), "shared@oakfield.example")
	second.SignsInElsewhere = true
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		for _, m := range []*domain.Staff{owner, invitee, second} {
			if err := tx.Staff().Create(ctx, m); err != nil {
				return err
			}
		}
		return nil
	}))
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		got, err := tx.Staff().GetByEmail(ctx, "SHARED@oakfield.example")
		require.NoError(t, err)
		assert.Equal(t, owner.ID, got.ID, "sign-in finds the one account")
		got, err = tx.Staff().Get(ctx, invitee.ID)
		require.NoError(t, err)
		assert.Equal(t, invitee, got)
		list, err := tx.Staff().List(ctx, ports.StaffFilter{OrgID: &away.org.ID})
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.True(t, list[0].SignsInElsewhere)
		return nil
	}))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		_, err := tx.Staff().Change(ctx, invitee.ID, func(m *domain.Staff) error {
			m.RemovedAt = &now
			return nil
		})
		return err
	}))
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		got, err := tx.Staff().Get(ctx, invitee.ID)
		require.NoError(t, err)
		assert.NotNil(t, got.RemovedAt)
		got, err = tx.Staff().GetByEmail(ctx, owner.Email)
		require.NoError(t, err)
		assert.Equal(t, owner.ID, got.ID)
		return nil
	}))
}
