package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
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

// MigrationLockTimeout bounds, on PostgreSQL, how long any statement of
// a migration waits for a lock. A statement such as ALTER TABLE waits for
// an ACCESS EXCLUSIVE lock behind every transaction using the table, and
// every report that arrives meanwhile queues behind it: so the migration
// gives up instead, well within the second a report may wait (issue #23),
// and is tried again (migrationRetries). What a migration does once it
// holds its locks is kept short by the rules that
// migration_locks_test.go holds every new migration to.
const MigrationLockTimeout = 500 * time.Millisecond

// migrationRetries are the pauses before each new attempt at migrations
// that gave up waiting for a lock: long transactions (a purge batch, a
// backup's) end within seconds.
var migrationRetries = []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}

func (s *Store) migrator(extra fs.FS) (*migrate.Migrator, error) {
	ms := migrate.NewMigrations()
	if err := ms.Discover(migrationFiles); err != nil {
		return nil, fmt.Errorf("store: reading migrations: %w", err)
	}
	if extra != nil {
		if err := ms.Discover(extra); err != nil {
			return nil, fmt.Errorf("store: reading migrations: %w", err)
		}
	}
	types := dialectTypes{Bytes: "BLOB", Time: "TIMESTAMP"}
	after := s.runGoStep
	var before migrate.MigrationHook = func(context.Context, bun.IConn, *migrate.Migration) error { return nil }
	if s.postgres {
		types = dialectTypes{Bytes: "BYTEA", Time: "TIMESTAMPTZ", Postgres: true}
		before = boundLockWaits
		after = func(ctx context.Context, conn bun.IConn, m *migrate.Migration) error {
			if err := s.runGoStep(ctx, conn, m); err != nil {
				return err
			}
			return unboundLockWaits(ctx, conn)
		}
	}
	opts := []migrate.MigratorOption{
		migrate.WithTableName("schema_migrations"),
		migrate.WithLocksTableName("schema_migration_locks"),
		migrate.WithMarkAppliedOnSuccess(true),
		migrate.WithTemplateData(types),
		migrate.BeforeMigration(before),
		migrate.AfterMigration(after),
	}
	return migrate.NewMigrator(s.db, ms, opts...), nil
}

// boundLockWaits sets MigrationLockTimeout for the migration about to run
// on conn: for its transaction alone (SET LOCAL, which also holds through
// a pooler in transaction mode), or, for a migration that runs outside a
// transaction (CREATE INDEX CONCURRENTLY), on the connection that bun
// holds for it until unboundLockWaits resets it. (If such a migration
// fails, the setting stays on that one pooled connection: Migrate then
// fails and the process that called it stops.)
func boundLockWaits(ctx context.Context, conn bun.IConn, _ *migrate.Migration) error {
	set := "SET lock_timeout = "
	if _, ok := conn.(bun.Tx); ok {
		set = "SET LOCAL lock_timeout = "
	}
	_, err := conn.ExecContext(ctx, set+fmt.Sprintf("'%dms'", MigrationLockTimeout.Milliseconds()))
	return err
}

func unboundLockWaits(ctx context.Context, conn bun.IConn) error {
	if _, ok := conn.(bun.Tx); ok {
		return nil
	}
	_, err := conn.ExecContext(ctx, "RESET lock_timeout")
	return err
}

// lockTimedOut says whether err is PostgreSQL's lock_timeout.
func lockTimedOut(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "55P03"
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
	if applied, err = s.migrate(ctx, nil); err != nil {
		return nil, err
	}
	return applied, s.checkKey(ctx)
}

// MigrateWith is Migrate with, after the product's migrations, those in
// extra (files named as in migrations/). It is for measuring and testing a
// migration on a copy of a database the way whisperd would apply it
// (tools/loadtest migrate); whisperd applies the product's alone.
func (s *Store) MigrateWith(ctx context.Context, extra fs.FS) (applied []string, err error) {
	defer domain.Wrap(&err, "store.MigrateWith")
	return s.migrate(ctx, extra)
}

func (s *Store) migrate(ctx context.Context, extra fs.FS) (applied []string, err error) {
	m, err := s.migrator(extra)
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
	if err := s.refuseNewerOrEmpty(ctx, extra); err != nil {
		return nil, err
	}
	if err := m.Init(ctx); err != nil {
		return nil, translate(err)
	}
	// Each migration that succeeded is recorded as applied, so a new
	// attempt goes on from the one that gave up waiting for a lock.
	for attempt := 0; ; attempt++ {
		group, err := m.Migrate(ctx)
		if err == nil {
			for _, mig := range group.Migrations {
				applied = append(applied, mig.Name)
			}
			return applied, nil
		}
		if !lockTimedOut(err) {
			return nil, translate(err)
		}
		// The last of the group is the one that gave up.
		for _, mig := range group.Migrations[:max(len(group.Migrations)-1, 0)] {
			applied = append(applied, mig.Name)
		}
		if attempt == len(migrationRetries) {
			return nil, &domain.Error{Kind: domain.KindUnavailable, Err: fmt.Errorf(
				"a migration gave up %d times waiting over %s for a lock that other sessions held, so as not to hold up reports behind it; "+
					"start again once long transactions (see pg_stat_activity) have ended: %w", attempt+1, MigrationLockTimeout, err)}
		}
		select {
		case <-ctx.Done():
			return nil, translate(ctx.Err())
		case <-time.After(migrationRetries[attempt]):
		}
	}
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
//
// It is taken by trying, every migrationLockPoll, never by a statement
// that blocks: a blocked statement keeps its snapshot for as long as it
// waits, and CREATE INDEX CONCURRENTLY, which another instance's
// migrations may be running, waits for every transaction with an older
// snapshot to end. The waiting instance would wait for the building one,
// and the build for the waiting instance.
func (s *Store) lockMigrations(ctx context.Context) (unlock func(), err error) {
	held, err := s.db.BeginTx(ctx, &sql.TxOptions{})
	if err != nil {
		return nil, translate(err)
	}
	for {
		var locked bool
		if err := held.QueryRowContext(ctx, "SELECT pg_try_advisory_xact_lock(?)", migrationLockKey).Scan(&locked); err != nil {
			held.Rollback()
			return nil, translate(err)
		}
		if locked {
			return func() { held.Rollback() }, nil
		}
		select {
		case <-ctx.Done():
			held.Rollback()
			return nil, translate(ctx.Err())
		case <-time.After(migrationLockPoll):
		}
	}
}

// migrationLockPoll is how often an instance waiting for another's
// migrations tries the migration lock again.
const migrationLockPoll = 100 * time.Millisecond

// Pending returns the names of migrations not yet applied; tools that do not
// migrate themselves use it to refuse to run on an old schema.
func (s *Store) Pending(ctx context.Context) ([]string, error) {
	m, err := s.migrator(nil)
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
