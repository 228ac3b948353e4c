package store_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"text/template"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store"
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
		for _, p := range indexLockProblems(name, asPostgres(t, name, text)) {
			t.Error(p)
		}
		return nil
	})
	require.NoError(t, err)
}

// The rule itself, on migrations that break it and one that keeps it.
func TestIndexLockProblems(t *testing.T) {
	for sql, want := range map[string]string{
		"CREATE INDEX IF NOT EXISTS outbox_kind ON outbox (kind);":                                    "without CONCURRENTLY",
		"CREATE UNIQUE INDEX interactions_x ON interactions (x);":                                     "without CONCURRENTLY",
		"-- a comment: CREATE INDEX CONCURRENTLY\nCREATE INDEX messages_y ON messages (y);":           "without CONCURRENTLY",
		"DROP INDEX CONCURRENTLY IF EXISTS notes_z;\nCREATE INDEX CONCURRENTLY notes_z ON notes (z);": "shares its query",
		"CREATE INDEX CONCURRENTLY audit_w ON audit_log (w);":                                         "needs DROP INDEX",
	} {
		problems := indexLockProblems("20991231000001_example.up.sql", sql)
		assert.NotEmpty(t, problems, sql)
		assert.Contains(t, strings.Join(problems, "\n"), want, sql)
	}
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
