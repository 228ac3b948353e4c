package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// IP blocks made before blocks hit the person may silence a whole school
// behind one address, and were made without warning of it: the upgrade
// ends each within domain.IPBlockDays of itself, and leaves the blocks on
// email addresses and phone numbers, and shorter IP blocks, as they were.
func TestLegacyIPBlocksEndWithinAWeekOfTheUpgrade(t *testing.T) {
	for name, open := range textDatabases(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			d := newUpgradeDatabase(t, open)
			st, _ := d.migrate(t)
			now := time.Now()
			in := func(days int) *time.Time {
				at := now.AddDate(0, 0, days)
				return &at
			}
			made := map[string]*domain.Block{
				"ip for ever":   {Kind: domain.BlockIP, Value: "192.0.2.1"},
				"ip for 3 days": {Kind: domain.BlockIP, Value: "192.0.2.2", ExpiresAt: in(3)},
				"ip for a year": {Kind: domain.BlockIP, Value: "192.0.2.3", ExpiresAt: in(365)},
				"email":         {Kind: domain.BlockEmail, Value: "troll@example.org"},
				"phone":         {Kind: domain.BlockPhone, Value: "+447700900123", ExpiresAt: in(365)},
			}
			require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
				for _, b := range made {
					b.ID, b.CreatedAt = mustV(domain.NewBlockID(rand.Reader)), now
					if err := tx.Blocks().Create(ctx, b); err != nil {
						return err
					}
				}
				return nil
			}))
			require.NoError(t, st.Close())

			// The blocks table as it was before migration 20261206000023.
			db, err := sql.Open(d.driver, d.dsn)
			require.NoError(t, err)
			defer db.Close()
			for _, q := range []string{"ALTER TABLE blocks DROP COLUMN ref", "DELETE FROM schema_migrations WHERE name = '20261206000023'"} {
				_, err := db.ExecContext(ctx, q)
				require.NoError(t, err, q)
			}

			st, applied := d.migrate(t)
			defer st.Close()
			assert.Equal(t, []string{"20261206000023"}, applied)
			inForce := func(at time.Time) []string {
				var out []string
				require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
					got, err := tx.Blocks().InForce(ctx, at)
					for _, b := range got {
						for name, m := range made {
							if m.ID == b.ID {
								out = append(out, name)
							}
						}
					}
					return err
				}))
				return out
			}
			assert.ElementsMatch(t, []string{"ip for ever", "ip for 3 days", "ip for a year", "email", "phone"}, inForce(now.AddDate(0, 0, 2)))
			assert.ElementsMatch(t, []string{"ip for ever", "ip for a year", "email", "phone"}, inForce(now.AddDate(0, 0, 6)))
			assert.ElementsMatch(t, []string{"email", "phone"}, inForce(now.AddDate(0, 0, 7).Add(time.Minute)),
				"no IP block outlives the upgrade by more than a week")
		})
	}
}
