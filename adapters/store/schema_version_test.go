package store_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/adapters/store/pgtest"
	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/domain"
)

// emptyDatabases are a new database of each kind with no schema yet: the
// store's URL and the database/sql driver and data source.
func emptyDatabases() map[string]func(t *testing.T) (url, driver, dsn string) {
	return map[string]func(t *testing.T) (string, string, string){
		"SQLite": func(t *testing.T) (string, string, string) {
			path := filepath.Join(t.TempDir(), "whisper.db")
			return "sqlite:" + path, "sqlite", path
		},
		"PostgreSQL": func(t *testing.T) (string, string, string) {
			url := pgtest.NewEmptyDatabase(t)
			return url, "pgx", url
		},
	}
}

// futureMigration is a migration no release knows yet.
const futureMigration = "20991231000099"

func TestSchemaStatusBeforeAndAfterMigrating(t *testing.T) {
	for name, open := range emptyDatabases() {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			url, _, _ := open(t)
			st, err := store.Open(ctx, url, storetest.Keys(t))
			require.NoError(t, err)
			defer st.Close()

			before, err := st.SchemaStatus(ctx)
			require.NoError(t, err)
			assert.Empty(t, before.Applied)
			assert.Empty(t, before.Unknown)
			require.NotEmpty(t, before.Pending)
			assert.Equal(t, before.Latest, before.Pending[len(before.Pending)-1].Name)
			assert.Equal(t, "", before.LatestApplied())
			assert.Equal(t, domain.KindUnavailable, domain.KindOf(st.CheckSchema(ctx)), "not ready before migrating")

			applied, err := st.Migrate(ctx)
			require.NoError(t, err)
			after, err := st.SchemaStatus(ctx)
			require.NoError(t, err)
			assert.Empty(t, after.Pending)
			assert.Len(t, after.Applied, len(before.Pending))
			assert.Len(t, applied, len(before.Pending))
			assert.Equal(t, after.Latest, after.LatestApplied())
			for _, m := range after.Applied {
				assert.WithinDuration(t, time.Now(), m.AppliedAt, time.Hour, m.Name)
			}
			assert.NoError(t, st.CheckSchema(ctx))
		})
	}
}

// An old binary must not run on a schema a newer release migrated: the
// error names both versions.
func TestRefusesASchemaNewerThanItKnows(t *testing.T) {
	for name, open := range textDatabases(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			url, driver, dsn := open(t)
			st := storetest.OpenURL(t, url)
			db, err := sql.Open(driver, dsn)
			require.NoError(t, err)
			defer db.Close()
			_, err = db.ExecContext(ctx, "INSERT INTO schema_migrations (name, group_id, migrated_at) VALUES ('"+futureMigration+"', 999, CURRENT_TIMESTAMP)")
			require.NoError(t, err)

			status, err := st.SchemaStatus(ctx)
			require.NoError(t, err)
			require.Len(t, status.Unknown, 1)
			assert.Equal(t, futureMigration, status.Unknown[0].Name)
			assert.Equal(t, futureMigration, status.LatestApplied())
			for what, err := range map[string]error{"check": st.CheckSchema(ctx), "migrate": second(st.Migrate(ctx))} {
				require.Error(t, err, what)
				assert.Equal(t, domain.KindConflict, domain.KindOf(err), what)
				msg := domain.SafeWords(err).String()
				assert.Contains(t, msg, futureMigration, what)
				assert.Contains(t, msg, status.Latest, what)
			}
		})
	}
}

func second[T any](_ T, err error) error { return err }

// A file that was there before but holds no schema (here, an empty one, as
// a plain copy of a running database can be) is not migrated into an empty
// database that would pass for the restored one.
func TestRefusesToMigrateAnEmbeddedFileWithNoSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "copy.db")
	require.NoError(t, os.WriteFile(path, nil, 0o600))
	st, err := store.Open(ctx, "sqlite:"+path, storetest.Keys(t))
	require.NoError(t, err)
	defer st.Close()
	_, err = st.Migrate(ctx)
	require.Error(t, err)
	assert.Equal(t, domain.KindConflict, domain.KindOf(err))
	msg := domain.SafeWords(err).String()
	assert.Contains(t, msg, "holds no Whisper schema")
	assert.Contains(t, msg, "whisperctl backup")
	assert.Equal(t, domain.KindConflict, domain.KindOf(st.CheckSchema(ctx)))

	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	var tables int
	require.NoError(t, db.QueryRow("SELECT count(*) FROM sqlite_master").Scan(&tables))
	assert.Zero(t, tables, "nothing was written into it")
}
