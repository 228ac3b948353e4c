package main

import (
	"bytes"
	"context"
	"database/sql"
	"io/fs"
	"strings"
	"testing"
	"text/template"

	"github.com/whisper-schools/whisper/adapters/store"
)

// replyColumnsDiffer counts the interactions whose first_staff_reply_at or
// latest_author is not what the subqueries on messages they stand for
// give (adapters/store/reply_columns.go).
const replyColumnsDiffer = `SELECT count(*) FROM interactions AS i
WHERE i.first_staff_reply_at IS DISTINCT FROM (SELECT MIN(m.created_at) FROM messages AS m
	WHERE m.interaction_id = i.id AND m.author = 'staff')
OR i.latest_author IS DISTINCT FROM (SELECT m.author FROM messages AS m WHERE m.interaction_id = i.id
	ORDER BY m.created_at DESC, m.id DESC LIMIT 1)`

// checkReplyColumns checks that the seed wrote the reply columns as the
// store keeps them, and that the backfill migration (52) computes the same
// from the messages alone.
func checkReplyColumns(t *testing.T, dbURL string, raw *sql.DB, count func(string, ...any) int) {
	t.Helper()
	if n := count(replyColumnsDiffer); n != 0 {
		t.Errorf("%d seeded interactions' reply columns differ from their messages", n)
	}
	for _, q := range []string{
		"SELECT count(*) FROM interactions WHERE first_staff_reply_at IS NOT NULL",
		"SELECT count(*) FROM interactions WHERE latest_author = 'staff'",
		"SELECT count(*) FROM interactions WHERE latest_author = 'reporter'",
	} {
		if count(q) == 0 {
			t.Errorf("no seeded row matches: %s", q)
		}
	}
	ctx := context.Background()
	if _, err := raw.ExecContext(ctx, "UPDATE interactions SET first_staff_reply_at = NULL, latest_author = NULL"); err != nil {
		t.Fatal(err)
	}
	postgres := strings.HasPrefix(dbURL, "postgres")
	for _, stmt := range strings.Split(backfillSQL(t, postgres), "--bun:split") {
		if _, err := raw.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("backfill: %v", err)
		}
	}
	if n := count(replyColumnsDiffer); n != 0 {
		t.Errorf("the backfill left %d interactions' reply columns differing from their messages", n)
	}
	if count("SELECT count(*) FROM interactions WHERE latest_author IS NOT NULL") == 0 {
		t.Error("the backfill filled in nothing")
	}
}

// backfillSQL is migration 52 as the store renders it for the dialect.
func backfillSQL(t *testing.T, postgres bool) string {
	t.Helper()
	files := store.MigrationFiles()
	text, err := fs.ReadFile(files, "migrations/20261207000052_reply_columns_backfill.up.sql")
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := template.New("backfill").Parse(string(text))
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]any{"Bytes": "BLOB", "Time": "TIMESTAMP", "Postgres": false}
	if postgres {
		data = map[string]any{"Bytes": "BYTEA", "Time": "TIMESTAMPTZ", "Postgres": true}
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, data); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
