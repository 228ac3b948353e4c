package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"

	"github.com/whisper-schools/whisper/domain"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// dialectTypes fills the type names that differ between the dialects into
// the migration templates, so one set of SQL files serves both. Postgres
// picks the few statements that differ beyond type names (constraints
// and triggers).
type dialectTypes struct {
	Bytes    string
	Time     string
	Postgres bool
}

// migrationLockKey is the PostgreSQL advisory lock that keeps two whisperd
// instances starting together from migrating at once. It is a
// transaction-level lock (see lockMigrations), so that it also holds
// through a connection pooler in transaction mode.
const migrationLockKey = 0x57_48_49_53 // "WHIS"

func (s *Store) migrator() (*migrate.Migrator, error) {
	ms := migrate.NewMigrations()
	if err := ms.Discover(migrationFiles); err != nil {
		return nil, fmt.Errorf("store: reading migrations: %w", err)
	}
	types := dialectTypes{Bytes: "BLOB", Time: "TIMESTAMP"}
	if s.postgres {
		types = dialectTypes{Bytes: "BYTEA", Time: "TIMESTAMPTZ", Postgres: true}
	}
	return migrate.NewMigrator(s.db, ms,
		migrate.WithTableName("schema_migrations"),
		migrate.WithLocksTableName("schema_migration_locks"),
		migrate.WithMarkAppliedOnSuccess(true),
		migrate.WithTemplateData(types),
		migrate.AfterMigration(s.runGoStep),
	), nil
}

// goSteps are the parts of migrations that SQL cannot do because they
// need the keyring, by migration name. Each runs in its migration's own
// transaction, after its SQL, so that it happens exactly once with it.
var goSteps = map[string]func(context.Context, *tx) error{
	textClaimsMigration:       claimLegacyTexts,
	keyedSecretsMigration:     keySecretHashes,
	keyedChainMigration:       func(ctx context.Context, t *tx) error { return audit{t}.keyChain(ctx) },
	inboxArrangementMigration: renameDuplicateInboxes,
	ipBlocksMigration:         endLegacyIPBlocks,
}

// runGoStep runs m's Go step, if it has one.
func (s *Store) runGoStep(ctx context.Context, conn bun.IConn, m *migrate.Migration) error {
	step, ok := goSteps[m.Name]
	if !ok {
		return nil
	}
	db, ok := conn.(bun.IDB)
	if !ok {
		return fmt.Errorf("store: migration %s must run in a transaction", m.Name)
	}
	if err := step(ctx, &tx{db: db, keys: s.keys, postgres: s.postgres}); err != nil {
		return fmt.Errorf("store: migration %s: %w", m.Name, translate(err))
	}
	return nil
}

// Migrate brings the schema up to date and returns the names of the
// migrations it applied. Several processes may call it at once. Then it
// checks the data key, as Open does, since a new database has only now the
// table that records it.
func (s *Store) Migrate(ctx context.Context) (applied []string, err error) {
	defer domain.Wrap(&err, "store.Migrate")
	if applied, err = s.migrate(ctx); err != nil {
		return nil, err
	}
	return applied, s.checkKey(ctx)
}

func (s *Store) migrate(ctx context.Context) (applied []string, err error) {
	m, err := s.migrator()
	if err != nil {
		return nil, err
	}
	if s.postgres {
		unlock, err := s.lockMigrations(ctx)
		if err != nil {
			return nil, err
		}
		defer unlock()
	} else {
		release, err := s.takeWriter(ctx)
		if err != nil {
			return nil, err
		}
		defer release()
	}
	if err := s.refuseNewerOrEmpty(ctx); err != nil {
		return nil, err
	}
	if err := m.Init(ctx); err != nil {
		return nil, translate(err)
	}
	group, err := m.Migrate(ctx)
	if err != nil {
		return nil, translate(err)
	}
	for _, mig := range group.Migrations {
		applied = append(applied, mig.Name)
	}
	return applied, nil
}

// lockMigrations waits for the migration lock on PostgreSQL and returns
// what releases it. The lock is pg_advisory_xact_lock, held by a
// transaction kept open, on a connection of its own, while the migrations
// run on others. A session-level lock would not do: through PgBouncer in
// transaction mode, the session that took it goes back to the pool (and
// to other clients) after each statement, and the unlock may reach
// another session. A transaction keeps its server connection until it
// ends, and its lock ends with it — also when this process dies, since
// the server (or PgBouncer, for a client gone mid-transaction) then ends
// the transaction. The transaction reads and writes nothing, so it holds
// no snapshot and no table lock that a migration could wait for.
func (s *Store) lockMigrations(ctx context.Context) (unlock func(), err error) {
	held, err := s.db.BeginTx(ctx, &sql.TxOptions{})
	if err != nil {
		return nil, translate(err)
	}
	if _, err := held.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", migrationLockKey); err != nil {
		held.Rollback()
		return nil, translate(err)
	}
	return func() { held.Rollback() }, nil
}

// Pending returns the names of migrations not yet applied; tools that do not
// migrate themselves use it to refuse to run on an old schema.
func (s *Store) Pending(ctx context.Context) ([]string, error) {
	m, err := s.migrator()
	if err != nil {
		return nil, err
	}
	if err := m.Init(ctx); err != nil {
		return nil, translate(err)
	}
	ms, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return nil, translate(err)
	}
	var names []string
	for _, mig := range ms.Unapplied() {
		names = append(names, mig.Name)
	}
	return names, nil
}

// MigrationFiles exposes the embedded migrations, e.g. so that tests can
// tell when their template database is stale.
func MigrationFiles() fs.FS { return migrationFiles }
