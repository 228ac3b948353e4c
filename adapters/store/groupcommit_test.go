package store_test

import (
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// On SQLite a write transaction that panics, alone or in a group commit,
// ends with an error and undoes only its own writes; the writer's turn
// passes on, so later transactions still run.
func TestSQLiteGroupCommitSurvivesFailuresAndPanics(t *testing.T) {
	st := storetest.OpenSQLite(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	create := func(name string, then func()) func(tx ports.Tx) error {
		return func(tx ports.Tx) error {
			id, err := domain.NewOrgID(rand.Reader)
			if err != nil {
				return err
			}
			org, err := domain.NewOrganisation(id, name, domain.Retention12, 30, at)
			if err != nil {
				return err
			}
			if err := tx.Organisations().Create(ctx, org); err != nil {
				return err
			}
			then()
			return nil
		}
	}
	names := func() []string {
		var out []string
		require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
			orgs, err := tx.Organisations().List(ctx)
			for _, o := range orgs {
				out = append(out, o.Name)
			}
			return err
		}))
		return out
	}

	err := st.InTx(ctx, create("Alone and panicking", func() { panic("boom") }))
	assert.Equal(t, domain.KindInternal, domain.KindOf(err))
	require.NoError(t, st.InTx(ctx, create("After the panic", func() {})))
	assert.Equal(t, []string{"After the panic"}, names())

	// Many at once, so that most run in groups: every third fails, every
	// third panics, the rest commit.
	const n = 60
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			then := func() {}
			switch i % 3 {
			case 1:
				then = func() { panic("boom") }
			}
			fn := create("School "+string(rune('A'+i%26))+string(rune('a'+i/26)), then)
			if i%3 == 2 {
				inner := fn
				fn = func(tx ports.Tx) error {
					if err := inner(tx); err != nil {
						return err
					}
					return errors.New("changed its mind")
				}
			}
			errs[i] = st.InTx(ctx, fn)
		})
	}
	wg.Wait()
	for i, err := range errs {
		switch i % 3 {
		case 0:
			assert.NoError(t, err, "transaction %d", i)
		case 1:
			assert.Equal(t, domain.KindInternal, domain.KindOf(err), "transaction %d panicked", i)
		case 2:
			assert.Error(t, err, "transaction %d failed", i)
		}
	}
	assert.Len(t, names(), 1+n/3, "only the transactions that succeeded left rows")
}
