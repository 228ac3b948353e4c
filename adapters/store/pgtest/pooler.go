package pgtest

import (
	"context"
	"fmt"
	"os"
	"testing"
)

// Environment variables for the tests that run through a connection
// pooler.
const (
	// EnvPoolerURL names PgBouncer (in transaction mode) in front of the
	// server in WHISPER_TEST_DATABASE_URL, e.g.
	// postgres://postgres@127.0.0.1:6432/whisper_ci?sslmode=disable; it
	// must let any database name through ("* = host=… port=…").
	EnvPoolerURL = "WHISPER_TEST_POOLER_URL"
	// EnvRequirePooler=1 (set in CI) fails, rather than skips, a pooler
	// test when there is no pooler.
	EnvRequirePooler = "WHISPER_REQUIRE_POOLER"
)

// NewPoolerDatabase returns the URL, through the pooler, of a new and
// empty database (no schema: whoever uses it migrates it, through the
// pooler too), dropped when t ends. The database is made on a direct
// connection, as pooled sessions cannot create databases from a template
// under a session lock. It skips t (or fails it, under
// WHISPER_REQUIRE_POOLER) when no pooler is named.
func NewPoolerDatabase(t testing.TB) string {
	t.Helper()
	pooler := os.Getenv(EnvPoolerURL)
	if pooler == "" {
		if os.Getenv(EnvRequirePooler) == "1" {
			t.Fatalf("a connection pooler is required (%s=1) but %s is unset", EnvRequirePooler, EnvPoolerURL)
		}
		t.Skipf("no connection pooler for this test: set %s to a PgBouncer in transaction mode", EnvPoolerURL)
	}
	// The server behind the pooler: found (or the test skipped) as for
	// every PostgreSQL test.
	server.once.Do(setUp)
	if server.skip != "" {
		t.Fatalf("%s is set, but there is no PostgreSQL behind it to create databases on: %s", EnvPoolerURL, server.skip)
	}
	name := "whisper_pooled_" + randomHex(6)
	admin := openAdmin(t)
	defer admin.Close()
	if _, err := admin.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("creating test database: %v", err)
	}
	t.Cleanup(func() {
		admin := openAdmin(t)
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name)); err != nil {
			t.Errorf("dropping test database %s: %v", name, err)
		}
	})
	return withDatabase(pooler, name)
}
