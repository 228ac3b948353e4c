package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"text/template"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/adapters/store/pgtest"
	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/domain"
)

// largeTables grow with every report for as long as the service runs; an
// index built on one in a transaction blocks its writes for minutes.
var largeTables = map[string]bool{
	"interactions": true, "messages": true, "outbox": true, "audit_log": true,
	"interaction_history": true, "notes": true, "seen_nonces": true, "seen_messages": true,
}

// lastMigrationBeforeTheRule is the newest migration written before the
// rule below: those are applied everywhere already and never run again,
// so they stay as they are.
const lastMigrationBeforeTheRule = "20261207000032"

var (
	createIndex = regexp.MustCompile(`(?is)\bCREATE\s+(?:UNIQUE\s+)?INDEX\s+(CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s+ON\s+(?:ONLY\s+)?(\w+)`)
	dropIndex   = regexp.MustCompile(`(?is)\bDROP\s+INDEX\s+CONCURRENTLY\s+IF\s+EXISTS\s+(\w+)`)
	sqlComment  = regexp.MustCompile(`--[^\n]*`)
)

// indexLockProblems says what is wrong, for PostgreSQL, with the indexes
// the migration file name (its SQL as PostgreSQL gets it) creates on large
// tables. Each must be built CONCURRENTLY, which cannot run in a
// transaction (so not in a .tx. file), nor beside another statement in one
// query (PostgreSQL runs those in one implicit transaction), and must come
// after a DROP INDEX CONCURRENTLY IF EXISTS of the same name: a build that
// fails leaves an invalid index behind, and the migration runs again.
func indexLockProblems(name, sql string) []string {
	var problems []string
	tx := strings.Contains(name, ".tx.")
	dropped := map[string]bool{}
	for chunk := range strings.SplitSeq(sql, "--bun:split") {
		body := sqlComment.ReplaceAllString(chunk, "")
		statements := 0
		for s := range strings.SplitSeq(body, ";") {
			if strings.TrimSpace(s) != "" {
				statements++
			}
		}
		for _, m := range dropIndex.FindAllStringSubmatch(body, -1) {
			dropped[strings.ToLower(m[1])] = true
			if statements > 1 {
				problems = append(problems, fmt.Sprintf("%s: DROP INDEX CONCURRENTLY %s shares its query with other statements; put --bun:split around it", name, m[1]))
			}
		}
		for _, m := range createIndex.FindAllStringSubmatch(body, -1) {
			concurrently, index, table := m[1] != "", m[2], strings.ToLower(m[3])
			switch {
			case !largeTables[table]:
			case !concurrently:
				problems = append(problems, fmt.Sprintf("%s: index %s on the large table %s is built without CONCURRENTLY, locking out writes while it builds", name, index, table))
			case tx:
				problems = append(problems, fmt.Sprintf("%s: CREATE INDEX CONCURRENTLY %s cannot run in a transaction; name the file .up.sql, not .tx.up.sql", name, index))
			case statements > 1:
				problems = append(problems, fmt.Sprintf("%s: CREATE INDEX CONCURRENTLY %s shares its query with other statements; put --bun:split around it", name, index))
			case !dropped[strings.ToLower(index)]:
				problems = append(problems, fmt.Sprintf("%s: CREATE INDEX CONCURRENTLY %s needs DROP INDEX CONCURRENTLY IF EXISTS %s before it, for a build that failed half-way", name, index, index))
			}
		}
	}
	return problems
}

var (
	alterTable = regexp.MustCompile(`(?is)^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(\w+)\s+(.*)$`)
	// Each is something ALTER TABLE does to every row, or checks of every
	// row, while it holds the table's ACCESS EXCLUSIVE lock, and how to do
	// it without.
	alterScans = []struct {
		what *regexp.Regexp
		why  string
	}{
		{regexp.MustCompile(`(?is)\bADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?\w+\s+[^,]*\b(?:BIG|SMALL)?SERIAL\b`),
			"adds a serial column, which rewrites the table; add a nullable column and backfill it in batches"},
		{regexp.MustCompile(`(?is)\bADD\s+(?:COLUMN\s+)?[^,]*\bDEFAULT\s+[^,]*\b(?:random|clock_timestamp|timeofday|gen_random_uuid|uuid_generate_v\d|nextval|txid_current)\s*\(`),
			"adds a column with a volatile default, which rewrites the table; add it with a constant default (or none) and backfill in batches"},
		{regexp.MustCompile(`(?is)\bGENERATED\s+ALWAYS\s+AS\s*\(.*\)\s*STORED\b`),
			"adds a stored generated column, which rewrites the table; add a nullable column and backfill it in batches"},
		{regexp.MustCompile(`(?is)\bALTER\s+(?:COLUMN\s+)?\w+\s+(?:SET\s+DATA\s+)?TYPE\b`),
			"changes a column's type, which rewrites the table (or scans it); add a new column, backfill it in batches and switch over"},
		{regexp.MustCompile(`(?is)\bADD\s+(?:CONSTRAINT\s+\w+\s+)?(?:CHECK|FOREIGN\s+KEY)\b`),
			"adds a CHECK or FOREIGN KEY that is checked against every row; add it NOT VALID, then VALIDATE CONSTRAINT in a migration of its own"},
		{regexp.MustCompile(`(?is)\bADD\s+(?:CONSTRAINT\s+\w+\s+)?(?:UNIQUE|PRIMARY\s+KEY)\b`),
			"adds a UNIQUE or PRIMARY KEY constraint, building its index under the lock; build the index CONCURRENTLY, then ADD CONSTRAINT … USING INDEX"},
		{regexp.MustCompile(`(?is)\bALTER\s+(?:COLUMN\s+)?\w+\s+SET\s+NOT\s+NULL\b`),
			"sets NOT NULL, which scans every row unless a validated CHECK (col IS NOT NULL) proves it; add that CHECK NOT VALID, VALIDATE it, then SET NOT NULL"},
	}
	notValid       = regexp.MustCompile(`(?is)\bNOT\s+VALID\b`)
	usingIndex     = regexp.MustCompile(`(?is)\bUSING\s+INDEX\b`)
	validateCheck  = regexp.MustCompile(`(?is)\bVALIDATE\s+CONSTRAINT\b`)
	otherRewriters = regexp.MustCompile(`(?is)^\s*(?:VACUUM\s+FULL|CLUSTER|LOCK\s+TABLE|REINDEX\s+(?:TABLE|INDEX)\s+(?:\w+\.)?)\s*(\w+)?`)
)

// tableLockProblems says what is wrong, for PostgreSQL, with the
// statements of the migration file name that rewrite or scan a large
// table while holding its ACCESS EXCLUSIVE lock: every report that
// arrives meanwhile waits for them (MigrationLockTimeout bounds only the
// wait for the lock, not how long it is then held). A CHECK or FOREIGN
// KEY added NOT VALID, and SET NOT NULL after a VALIDATE CONSTRAINT
// earlier in the same file, are allowed.
//
// And one transaction ALTERs at most one large table: one that holds the
// first table's lock while it waits for the second's deadlocks with each
// report writing both in the other order, until MigrationLockTimeout ends
// it, at every attempt. A .tx. file is one transaction; otherwise each
// query between --bun:split lines is one.
func tableLockProblems(name, sql string) []string {
	var problems []string
	validated := false
	chunks := strings.Split(sql, "--bun:split")
	if strings.Contains(name, ".tx.") {
		chunks = []string{strings.Join(chunks, ";")}
	}
	for _, chunk := range chunks {
		problems = append(problems, oneTransactionLockProblems(name, chunk, &validated)...)
	}
	return problems
}

func oneTransactionLockProblems(name, sql string, validated *bool) []string {
	var problems []string
	altered := map[string]bool{}
	for stmt := range strings.SplitSeq(sqlComment.ReplaceAllString(sql, ""), ";") {
		if m := otherRewriters.FindStringSubmatch(stmt); m != nil && (m[1] == "" || largeTables[strings.ToLower(m[1])]) {
			problems = append(problems, fmt.Sprintf("%s: %q locks out writes while it runs over a large table", name, strings.Join(strings.Fields(stmt), " ")))
			continue
		}
		m := alterTable.FindStringSubmatch(stmt)
		if m == nil {
			continue
		}
		table, actions := strings.ToLower(m[1]), m[2]
		if !largeTables[table] {
			continue
		}
		if altered[table] = true; len(altered) == 2 {
			problems = append(problems, fmt.Sprintf("%s: one transaction alters the large tables %s and %s; "+
				"it would hold one's lock while waiting for the other's, deadlocking with reports: give each its own migration", name, other(altered, table), table))
		}
		for _, scan := range alterScans {
			if !scan.what.MatchString(actions) {
				continue
			}
			switch {
			case strings.Contains(scan.why, "NOT VALID, then VALIDATE") && notValid.MatchString(actions):
			case strings.Contains(scan.why, "USING INDEX") && usingIndex.MatchString(actions):
			case strings.Contains(scan.why, "SET NOT NULL") && *validated:
			default:
				problems = append(problems, fmt.Sprintf("%s: ALTER TABLE %s %s", name, table, scan.why))
			}
		}
		if validateCheck.MatchString(actions) {
			*validated = true
		}
	}
	return problems
}

// other is the table in altered other than table.
func other(altered map[string]bool, table string) string {
	for t := range altered {
		if t != table {
			return t
		}
	}
	return table
}

// asPostgres renders a migration template as PostgreSQL gets it.
func asPostgres(t *testing.T, name string, text []byte) string {
	t.Helper()
	tmpl, err := template.New(name).Parse(string(text))
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, tmpl.Execute(&b, map[string]any{"Bytes": "BYTEA", "Time": "TIMESTAMPTZ", "Postgres": true}))
	return b.String()
}

// TestNewMigrationsDoNotLockLargeTables holds every migration after the
// rule to it (docs/operations.md, "Upgrades").
func TestNewMigrationsDoNotLockLargeTables(t *testing.T) {
	files := store.MigrationFiles()
	err := fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := d.Name()
		if name[:14] <= lastMigrationBeforeTheRule {
			return nil
		}
		text, err := fs.ReadFile(files, path)
		require.NoError(t, err)
		sql := asPostgres(t, name, text)
		for _, p := range append(indexLockProblems(name, sql), tableLockProblems(name, sql)...) {
			t.Error(p)
		}
		return nil
	})
	require.NoError(t, err)
}

// assertBreaks checks that rule finds a problem in each migration of
// breaking (its SQL, in file name), saying what it is given for it.
func assertBreaks(t *testing.T, rule func(name, sql string) []string, name string, breaking map[string]string) {
	t.Helper()
	for sql, want := range breaking {
		problems := rule(name, sql)
		assert.NotEmpty(t, problems, sql)
		assert.Contains(t, strings.Join(problems, "\n"), want, sql)
	}
}

// The rule itself, on migrations that break it and one that keeps it.
func TestIndexLockProblems(t *testing.T) {
	assertBreaks(t, indexLockProblems, "20991231000001_example.up.sql", map[string]string{
		"CREATE INDEX IF NOT EXISTS outbox_kind ON outbox (kind);":                                    "without CONCURRENTLY",
		"CREATE UNIQUE INDEX interactions_x ON interactions (x);":                                     "without CONCURRENTLY",
		"-- a comment: CREATE INDEX CONCURRENTLY\nCREATE INDEX messages_y ON messages (y);":           "without CONCURRENTLY",
		"DROP INDEX CONCURRENTLY IF EXISTS notes_z;\nCREATE INDEX CONCURRENTLY notes_z ON notes (z);": "shares its query",
		"CREATE INDEX CONCURRENTLY audit_w ON audit_log (w);":                                         "needs DROP INDEX",
	})
	inTx := indexLockProblems("20991231000001_example.tx.up.sql",
		"DROP INDEX CONCURRENTLY IF EXISTS notes_z\n--bun:split\nCREATE INDEX CONCURRENTLY notes_z ON notes (z)")
	require.Len(t, inTx, 1)
	assert.Contains(t, inTx[0], "cannot run in a transaction")

	assert.Empty(t, indexLockProblems("20991231000001_example.up.sql",
		"DROP INDEX CONCURRENTLY IF EXISTS notes_z\n--bun:split\nCREATE INDEX CONCURRENTLY IF NOT EXISTS notes_z ON notes (z)\n--bun:split\nCREATE INDEX forms_q ON forms (q);"),
		"concurrently on a large table, or plainly on a small one")
	foundation, err := fs.ReadFile(store.MigrationFiles(), "migrations/20261122000001_foundation.tx.up.sql")
	require.NoError(t, err)
	assert.NotEmpty(t, indexLockProblems("20261122000001_foundation.tx.up.sql", asPostgres(t, "foundation", foundation)),
		"the first migration, made before the rule, would break it")
}

// The table rule, on migrations that break it and ones that keep it.
func TestTableLockProblems(t *testing.T) {
	assertBreaks(t, tableLockProblems, "20991231000001_example.tx.up.sql", map[string]string{
		"ALTER TABLE interactions ADD COLUMN n BIGSERIAL;":                                        "serial column",
		"ALTER TABLE messages ADD COLUMN k TEXT NOT NULL DEFAULT gen_random_uuid()::text;":        "volatile default",
		"ALTER TABLE outbox ADD COLUMN at TIMESTAMPTZ DEFAULT clock_timestamp();":                 "volatile default",
		"ALTER TABLE notes ADD COLUMN l INT GENERATED ALWAYS AS (length(body)) STORED;":           "stored generated",
		"ALTER TABLE interactions ALTER COLUMN ref TYPE TEXT;":                                    "changes a column's type",
		"ALTER TABLE ONLY audit_log ALTER COLUMN at SET DATA TYPE TIMESTAMPTZ;":                   "changes a column's type",
		"ALTER TABLE interactions ADD CONSTRAINT c CHECK (ref <> '');":                            "NOT VALID",
		"ALTER TABLE messages ADD FOREIGN KEY (x) REFERENCES forms (id);":                         "NOT VALID",
		"ALTER TABLE messages ADD CONSTRAINT u UNIQUE (x);":                                       "USING INDEX",
		"ALTER TABLE interactions ALTER COLUMN inbox_id SET NOT NULL;":                            "SET NOT NULL",
		"-- tidy up\nVACUUM FULL interactions;":                                                   "locks out writes",
		"LOCK TABLE interactions IN ACCESS EXCLUSIVE MODE;":                                       "locks out writes",
		"ALTER TABLE forms ADD COLUMN q INT;\nALTER TABLE messages ALTER COLUMN body TYPE BYTEA;": "changes a column's type",
		"ALTER TABLE interactions ADD COLUMN a TEXT;\nALTER TABLE messages ADD COLUMN b TEXT;":    "deadlocking with reports",
	})
	for _, sql := range []string{
		"ALTER TABLE messages ADD COLUMN triaged_by TEXT;\nALTER TABLE messages ADD COLUMN lang TEXT NOT NULL DEFAULT 'en';",
		"ALTER TABLE outbox ADD COLUMN at TIMESTAMPTZ NOT NULL DEFAULT now();",
		"ALTER TABLE interactions ADD CONSTRAINT c CHECK (ref <> '') NOT VALID;",
		"ALTER TABLE interactions VALIDATE CONSTRAINT c;\nALTER TABLE interactions ALTER COLUMN inbox_id SET NOT NULL;",
		"ALTER TABLE messages ADD CONSTRAINT u UNIQUE USING INDEX messages_u;",
		"ALTER TABLE forms ALTER COLUMN code TYPE TEXT;\nVACUUM FULL forms;",
		"ALTER TABLE interactions DROP COLUMN old;",
		"ALTER TABLE interactions ADD COLUMN a TEXT, ADD COLUMN c INT NOT NULL DEFAULT 0;\nALTER TABLE forms ADD COLUMN b TEXT;",
	} {
		assert.Empty(t, tableLockProblems("20991231000001_example.tx.up.sql", sql), sql)
	}
	assert.Empty(t, tableLockProblems("20991231000001_example.up.sql",
		"ALTER TABLE interactions ADD COLUMN a TEXT\n--bun:split\nALTER TABLE messages ADD COLUMN b TEXT"), "two queries, two transactions")
}

// On PostgreSQL every migration waits at most store.MigrationLockTimeout
// for a lock, in a transaction or not; one that gave up is tried again,
// and after the last attempt Migrate fails as unavailable, having changed
// nothing.
func TestMigrationsBoundTheirLockWaits(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	st := storetest.OpenURL(t, url)
	raw, err := sql.Open("pgx", url)
	require.NoError(t, err)
	defer raw.Close()
	want := fmt.Sprintf("%dms", store.MigrationLockTimeout.Milliseconds())

	// Each call names every migration applied so far, as a release does.
	extra := fstest.MapFS{
		"20991231000047_probe.tx.up.sql": {Data: []byte("CREATE TABLE probe_tx AS SELECT current_setting('lock_timeout') AS v")},
		"20991231000048_probe.up.sql":    {Data: []byte("CREATE TABLE probe_conn AS SELECT current_setting('lock_timeout') AS v")},
	}
	_, err = st.MigrateWith(ctx, extra)
	require.NoError(t, err)
	for _, table := range []string{"probe_tx", "probe_conn"} {
		var v string
		require.NoError(t, raw.QueryRowContext(ctx, "SELECT v FROM "+table).Scan(&v))
		assert.Equal(t, want, v, table)
	}

	// A transaction that has read interactions holds a lock that ALTER
	// TABLE must wait for.
	hold := func() (release func()) {
		tx, err := raw.BeginTx(ctx, nil)
		require.NoError(t, err)
		_, err = tx.ExecContext(ctx, "SELECT count(*) FROM interactions")
		require.NoError(t, err)
		return func() { tx.Rollback() }
	}
	alter := func(n int) fstest.MapFS {
		extra[fmt.Sprintf("2099123100%04d_alter.tx.up.sql", n)] = &fstest.MapFile{Data: []byte(fmt.Sprintf("ALTER TABLE interactions ADD COLUMN probe%d TEXT", n))}
		return extra
	}
	column := func(n int) bool {
		var found bool
		require.NoError(t, raw.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'interactions' AND column_name = $1)",
			fmt.Sprintf("probe%d", n)).Scan(&found))
		return found
	}

	release := hold()
	time.AfterFunc(1500*time.Millisecond, release)
	applied, err := st.MigrateWith(ctx, alter(49))
	require.NoError(t, err, "tried again once the lock was free")
	assert.Equal(t, []string{"20991231000049"}, applied)
	assert.True(t, column(49))

	release = hold()
	defer release()
	_, err = st.MigrateWith(ctx, alter(50))
	require.Error(t, err)
	assert.Equal(t, domain.KindUnavailable, domain.KindOf(err), "%v", err)
	assert.Contains(t, err.Error(), "lock")
	assert.False(t, column(50), "rolled back")
}
