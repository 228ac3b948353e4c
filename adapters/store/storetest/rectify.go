package storetest

import (
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// testRectify corrects each field of a reporter's data in turn: the new
// value is what the interaction holds and what finds it, the old one finds
// it no more, and nothing else changes. An erased interaction and one that
// does not exist are refused, each as itself.
func testRectify(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	ia, _, _ := createReport(t, st, f, now, domain.Contact{Email: "old@example.org", Phone: "+447700900001"}, domain.Meta{})
	other, _, _ := createReport(t, st, f, now, domain.Contact{Email: "old@example.org"}, domain.Meta{})
	rectify := func(id domain.InteractionID, c domain.Correction) error {
		return st.InTx(ctx, func(tx ports.Tx) error { return tx.Interactions().Rectify(ctx, id, c) })
	}
	find := func(c domain.Contact) []domain.InteractionID {
		var ids []domain.InteractionID
		require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
			found, err := tx.Interactions().FindByContact(ctx, c)
			for _, ia := range found {
				ids = append(ids, ia.ID)
			}
			return err
		}))
		return ids
	}
	require.NoError(t, rectify(ia.ID, domain.Correction{Email: "New@Example.org"}))
	require.NoError(t, rectify(ia.ID, domain.Correction{Phone: "+447700900002"}))
	require.NoError(t, rectify(ia.ID, domain.Correction{Name: "Jo Bloggs"}))

	assert.Equal(t, []domain.InteractionID{other.ID}, find(domain.Contact{Email: "old@example.org"}), "the old address finds only the other")
	assert.Empty(t, find(domain.Contact{Phone: "+447700900001"}), "the old number finds nothing")
	assert.Equal(t, []domain.InteractionID{ia.ID}, find(domain.Contact{Email: "new@example.org"}), "the new address, in any case")
	assert.Equal(t, []domain.InteractionID{ia.ID}, find(domain.Contact{Phone: "+447700900002"}))
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		c, err := tx.Interactions().Contact(ctx, ia.ID)
		require.NoError(t, err)
		assert.Equal(t, domain.Contact{Email: "New@Example.org", Phone: "+447700900002"}, c)
		got, err := tx.Interactions().Get(ctx, ia.ID)
		require.NoError(t, err)
		assert.Equal(t, "Jo Bloggs", got.ReporterName)
		assert.Equal(t, ia.LastActivityAt, got.LastActivityAt, "a correction is not activity")
		c, err = tx.Interactions().Contact(ctx, other.ID)
		require.NoError(t, err)
		assert.Equal(t, domain.Contact{Email: "old@example.org"}, c, "the other is untouched")
		return nil
	}))

	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		_, err := tx.Interactions().Erase(ctx, now.Add(time.Hour), ia.ID)
		return err
	}))
	err := rectify(ia.ID, domain.Correction{Email: "again@example.org"})
	assert.True(t, errors.Is(err, domain.ErrErased), "%v", err)
	assert.Empty(t, find(domain.Contact{Email: "again@example.org"}))
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		c, err := tx.Interactions().Contact(ctx, ia.ID)
		require.NoError(t, err)
		assert.Equal(t, domain.Contact{}, c, "nothing written back")
		return nil
	}))

	err = rectify(must(domain.NewInteractionID(rand.Reader)), domain.Correction{Name: "Jo"})
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err))
}
