package store_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// On PostgreSQL a failed statement fails its whole transaction, and a
// COMMIT sent afterwards rolls it back without an error. A transaction
// whose fn goes on after such a failure must end in an error, never in a
// silent loss of what it wrote before.
func TestPostgresTransactionThatWentOnAfterAFailureIsNotReportedCommitted(t *testing.T) {
	st := storetest.OpenPostgres(t)
	ctx := context.Background()
	org, err := domain.NewOrganisation(must(domain.NewOrgID(rand.Reader)), "Oakfield Primary", domain.Retention12, 30, time.Now())
	require.NoError(t, err)
	err = st.InTx(ctx, func(tx ports.Tx) error {
		require.NoError(t, tx.Organisations().Create(ctx, org))
		assert.Error(t, tx.Organisations().Create(ctx, org), "the same organisation twice")
		return nil // and on, regardless
	})
	require.Error(t, err)
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		_, err := tx.Organisations().Get(ctx, org.ID)
		assert.Equal(t, domain.KindNotFound, domain.KindOf(err), "nothing was kept, and InTx said so")
		return nil
	}))

	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Organisations().Create(ctx, org) }),
		"the store is usable afterwards")
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
