package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// idsTests are the part of the contract exports rely on to go through an
// organisation a batch at a time.
var idsTests = map[string]func(*testing.T, ports.Store){
	"StaffViewIDsInListOrder": testStaffViewIDsInListOrder,
}

// IDs lists what List lists, in its order (an urgent one first, then by
// latest activity), leaving out erased interactions, another
// organisation's and, for a member of no inbox, everything; it ignores
// paging.
func testStaffViewIDsInListOrder(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	var made []*domain.Interaction
	for i := range 6 {
		ia, _, _ := createReport(t, st, f, now.Add(time.Duration(i)*time.Minute), domain.Contact{}, domain.Meta{})
		made = append(made, ia)
	}
	createReport(t, st, newFixture(t, st), now, domain.Contact{}, domain.Meta{})
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		if _, err := tx.Triage().SetUrgent(ctx, made[1].ID, true); err != nil {
			return err
		}
		_, err := tx.Interactions().Erase(ctx, now, made[3].ID)
		return err
	}))
	v := domain.Viewer{OrgID: f.org.ID}
	var list []*domain.StaffInteraction
	var ids []domain.InteractionID
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		if list, err = tx.StaffView().List(ctx, v, ports.StaffViewFilter{}); err != nil {
			return err
		}
		ids, err = tx.StaffView().IDs(ctx, v, ports.StaffViewFilter{Limit: 2, Offset: 1})
		return err
	}))
	want := make([]domain.InteractionID, len(list))
	for i, cs := range list {
		want[i] = cs.ID
	}
	assert.Equal(t, []domain.InteractionID{made[1].ID, made[5].ID, made[4].ID, made[2].ID, made[0].ID}, want)
	assert.Equal(t, want, ids)

	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		ids, err = tx.StaffView().IDs(ctx, domain.Viewer{OrgID: f.org.ID, InboxIDs: []domain.InboxID{}}, ports.StaffViewFilter{})
		return err
	}))
	assert.Empty(t, ids, "a member of no inbox sees nothing")
}
