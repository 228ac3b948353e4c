package store

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun/migrate"

	"github.com/whisper-schools/whisper/domain"
)

// Migration is one step of the schema.
type Migration struct {
	// Name is the migration's number and name, e.g.
	// "20261207000032_notification_preferences"; only the number when this
	// release does not know the migration.
	Name string
	// AppliedAt is when it was applied; zero while it is pending.
	AppliedAt time.Time
}

// SchemaStatus is where a database's schema stands against the migrations
// this release embeds.
type SchemaStatus struct {
	// Applied are the migrations this release knows that the database has,
	// oldest first.
	Applied []Migration
	// Pending are the migrations this release knows that the database lacks.
	Pending []Migration
	// Unknown are migrations the database has that this release does not
	// know: a newer release applied them.
	Unknown []Migration
	// Latest is the newest migration this release knows.
	Latest string
}

// LatestApplied is the newest migration the database has, known or not;
// empty when it has none.
func (st SchemaStatus) LatestApplied() string {
	newest := ""
	for _, m := range slices.Concat(st.Applied, st.Unknown) {
		if number(m.Name) > number(newest) {
			newest = m.Name
		}
	}
	return newest
}

// number is a migration name's number, which orders migrations.
func number(name string) string {
	if len(name) > migrationNumberLen {
		return name[:migrationNumberLen]
	}
	return name
}

// migrationNumberLen is the length of a migration's number (a UTC time to
// the second, then a sequence: 20261207000032).
const migrationNumberLen = 14

// SchemaStatus reads which migrations the database has. It writes nothing,
// so it can look at a database that is not Whisper's, or a copy.
func (s *Store) SchemaStatus(ctx context.Context) (st SchemaStatus, err error) {
	defer domain.Wrap(&err, "store.SchemaStatus")
	known := migrate.NewMigrations()
	if err := known.Discover(migrationFiles); err != nil {
		return st, fmt.Errorf("store: reading migrations: %w", err)
	}
	applied := map[string]time.Time{}
	exists, err := s.hasMigrationsTable(ctx)
	if err != nil {
		return st, translate(err)
	}
	if exists {
		var rows []struct {
			Name       string
			MigratedAt time.Time
		}
		if err := s.reads.NewSelect().Table("schema_migrations").Column("name", "migrated_at").
			OrderExpr("id").Scan(ctx, &rows); err != nil {
			return st, translate(err)
		}
		for _, r := range rows {
			applied[r.Name] = r.MigratedAt
		}
	}
	for _, k := range known.Sorted() {
		name := k.Name + "_" + k.Comment
		st.Latest = name
		if at, ok := applied[k.Name]; ok {
			st.Applied = append(st.Applied, Migration{Name: name, AppliedAt: at})
			delete(applied, k.Name)
		} else {
			st.Pending = append(st.Pending, Migration{Name: name})
		}
	}
	for name, at := range applied {
		st.Unknown = append(st.Unknown, Migration{Name: name, AppliedAt: at})
	}
	slices.SortFunc(st.Unknown, func(a, b Migration) int { return strings.Compare(a.Name, b.Name) })
	return st, nil
}

// hasMigrationsTable says whether the database has ever been migrated.
func (s *Store) hasMigrationsTable(ctx context.Context) (bool, error) {
	var n int
	q := "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
	if s.postgres {
		q = "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = 'schema_migrations'"
	}
	err := s.reads.QueryRowContext(ctx, q).Scan(&n)
	return n > 0, err
}

// refuseToMigrate says why a database must not be migrated or used by this
// release: a newer release has migrated it, or it is an embedded database
// that was there before but holds no schema (an incomplete copy, most
// likely, where migrating would make an empty database that looks like a
// restored one).
func (s *Store) refuseToMigrate(st SchemaStatus) error {
	if len(st.Unknown) > 0 {
		return &domain.Error{Kind: domain.KindConflict, Safe: domain.Say(
			"the database schema is newer than this release of Whisper: the database has migration %s applied, and the newest this release knows is %s; run the release that applied it, or a newer one (a schema is never migrated back)",
			st.LatestApplied(), st.Latest)}
	}
	if !s.postgres && !s.created && len(st.Applied) == 0 {
		return &domain.Error{Kind: domain.KindConflict, Safe: domain.Say(
			"the database %s holds no Whisper schema, though the file was there before it was opened: it is not a Whisper database, or an incomplete copy of one (a copy of a running database taken without its -wal file can be empty); do not migrate it: restore a copy made with `whisperctl backup` (docs/operations.md, \"Backups and restore\"), or, only to start afresh with no data, move the file aside and run `whisperctl db migrate`",
			s.file)}
	}
	return nil
}

// CheckSchema returns nil when the database's schema is exactly the one this
// release knows. It returns KindConflict when a newer release has migrated
// it, or when it holds no schema and must not be given one (see
// refuseToMigrate), and KindUnavailable while migrations are pending.
func (s *Store) CheckSchema(ctx context.Context) error {
	st, err := s.SchemaStatus(ctx)
	if err != nil {
		return err
	}
	if err := s.refuseToMigrate(st); err != nil {
		return err
	}
	switch {
	case len(st.Pending) == 0:
		return nil
	case len(st.Applied) == 0:
		// A new PostgreSQL database, or a restore that did not finish.
		return &domain.Error{Kind: domain.KindUnavailable, Safe: domain.Say(
			"the database holds no Whisper schema: if it is new, run `whisperctl db migrate`; if it should hold data (a restore), the restore is incomplete: see docs/operations.md, \"Backups and restore\"")}
	}
	return &domain.Error{Kind: domain.KindUnavailable,
		Safe: domain.Say("the database schema is not up to date; run `whisperctl db migrate` first")}
}

// refuseNewerOrEmpty is Migrate's check before it changes anything; the
// migrations in extra (MigrateWith's) count as known.
func (s *Store) refuseNewerOrEmpty(ctx context.Context, extra fs.FS) error {
	st, err := s.SchemaStatus(ctx)
	if err != nil {
		return err
	}
	if extra != nil {
		ms := migrate.NewMigrations()
		if err := ms.Discover(extra); err != nil {
			return fmt.Errorf("store: reading migrations: %w", err)
		}
		st.Unknown = slices.DeleteFunc(st.Unknown, func(m Migration) bool {
			return slices.ContainsFunc(ms.Sorted(), func(k migrate.Migration) bool { return k.Name == m.Name })
		})
	}
	if err := s.refuseToMigrate(st); err != nil {
		return fmt.Errorf("store: not migrating: %w", err)
	}
	return nil
}
