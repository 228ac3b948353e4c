package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// A database from before inbox names were unique may hold two inboxes of
// one form with one name. The upgrade does not fail on them: it renames
// the later ones, by position, "Name (2)", "Name (3)"…, and marks each
// form's first inbox as the one texts land in, as they did before.
func TestDuplicateInboxNamesSurviveTheUpgrade(t *testing.T) {
	for name, open := range textDatabases(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			d := newUpgradeDatabase(t, open)
			st, _ := d.migrate(t)
			org, form, general := storetest.Parents(t, st)
			require.NoError(t, st.Close())

			// The inboxes table as it was before migration 20261205000017,
			// with names that clash.
			db, err := sql.Open(d.driver, d.dsn)
			require.NoError(t, err)
			defer db.Close()
			undo := []string{
				"DROP INDEX inboxes_form_name_key", "DROP INDEX inboxes_form_texts",
				"DROP TRIGGER interactions_inbox_takes_reports",
				"ALTER TABLE inboxes DROP COLUMN name_key", "ALTER TABLE inboxes DROP COLUMN receives_texts",
				"ALTER TABLE inboxes DROP COLUMN archived_at",
				"DELETE FROM schema_migrations WHERE name IN ('20261205000017', '20261205000022')",
			}
			if name == "PostgreSQL" {
				undo[2] = "DROP TRIGGER interactions_inbox_takes_reports ON interactions"
			}
			for _, q := range undo {
				_, err := db.ExecContext(ctx, q)
				require.NoError(t, err, q)
			}
			ids := map[string]domain.InboxID{}
			for i, n := range []string{"general", "Bullying", " bullying ", "BULLYING", "General (2)"} {
				id, err := domain.NewInboxID(rand.Reader)
				require.NoError(t, err)
				ids[n] = id
				_, err = db.ExecContext(ctx, rebind(d.driver, "INSERT INTO inboxes (id, form_id, org_id, name, position, created_at) VALUES (?, ?, ?, ?, ?, CURRENT_TIMESTAMP)"),
					string(id), string(form), string(org), n, i+1)
				require.NoError(t, err)
			}

			st, _ = d.migrate(t)
			defer st.Close()
			got := map[domain.InboxID]*domain.Inbox{}
			require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
				list, err := tx.Inboxes().List(ctx, ports.InboxFilter{FormID: &form})
				for _, ib := range list {
					got[ib.ID] = ib
				}
				return err
			}))
			assert.Equal(t, "General", got[general].Name)
			assert.True(t, got[general].Texts, "texts land where they did: the first inbox")
			assert.Equal(t, "general (2)", got[ids["general"]].Name)
			assert.Equal(t, "Bullying", got[ids["Bullying"]].Name)
			assert.Equal(t, " bullying  (2)", got[ids[" bullying "]].Name)
			assert.Equal(t, "BULLYING (3)", got[ids["BULLYING"]].Name)
			assert.Equal(t, "General (2) (2)", got[ids["General (2)"]].Name)
			for id, ib := range got {
				assert.Equal(t, id == general, ib.Texts, "%s", ib.Name)
			}
			err = st.InTx(ctx, func(tx ports.Tx) error {
				ib := *got[general]
				ib.Name = "bullying"
				return tx.Inboxes().Update(ctx, &ib)
			})
			assert.Equal(t, domain.KindConflict, domain.KindOf(err), "the rule holds from now on")
		})
	}
}

// rebind writes a query's placeholders as the driver reads them.
func rebind(driver, q string) string {
	if driver != "pgx" {
		return q
	}
	out, n := []byte{}, 0
	for i := range len(q) {
		if q[i] == '?' {
			n++
			out = append(out, '$', byte('0'+n))
			continue
		}
		out = append(out, q[i])
	}
	return string(out)
}
