package store_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// A write transaction that panics is rolled back and its panic goes on up;
// SQLite's write slot passes on, so later transactions still run, many at
// once among them.
func TestPanickingTransactionKeepsNothingAndFreesTheWriter(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *store.Store{"SQLite": storetest.OpenSQLite, "PostgreSQL": storetest.OpenPostgres} {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			ctx := context.Background()
			at := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
			create := func(name string) func(tx ports.Tx) error {
				return func(tx ports.Tx) error {
					id, err := domain.NewOrgID(rand.Reader)
					if err != nil {
						return err
					}
					org, err := domain.NewOrganisation(id, name, domain.Retention12, 30, at)
					if err != nil {
						return err
					}
					return tx.Organisations().Create(ctx, org)
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

			assert.PanicsWithValue(t, "boom", func() {
				st.InTx(ctx, func(tx ports.Tx) error {
					if err := create("Panicking")(tx); err != nil {
						return err
					}
					panic("boom")
				})
			})
			require.NoError(t, st.InTx(ctx, create("After the panic")))
			assert.Equal(t, []string{"After the panic"}, names())

			// Many at once: every other one fails after writing, the rest commit.
			const n = 40
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					errs[i] = st.InTx(ctx, func(tx ports.Tx) error {
						if err := create(fmt.Sprintf("School %d", i))(tx); err != nil {
							return err
						}
						if i%2 == 1 {
							return errors.New("changed its mind")
						}
						return nil
					})
				})
			}
			wg.Wait()
			for i, err := range errs {
				if i%2 == 1 {
					assert.Error(t, err, "transaction %d failed", i)
				} else {
					assert.NoError(t, err, "transaction %d", i)
				}
			}
			assert.Len(t, names(), 1+n/2, "only the transactions that succeeded left rows")
		})
	}
}
