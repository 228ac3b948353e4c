package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// storeKind is a database to measure on.
type storeKind struct {
	name, key string
	open      func(ctx context.Context) (*environment, error)
}

// environment is one scenario's pair of databases: one for the ceiling,
// one for Whisper, on the same engine with the same settings.
type environment struct {
	ceiling *ceilingDB
	whisper *whisperServer
	close   func()
}

// sqlitePragmas are the store's own settings (adapters/store), so the
// ceiling pays for the same durability: WAL, a full sync per commit.
const sqlitePragmas = "_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_txlock=immediate"

var sqliteKind = storeKind{name: "embedded SQLite", key: "sqlite", open: func(ctx context.Context) (*environment, error) {
	dir, err := os.MkdirTemp("", "whisper-loadtest-")
	if err != nil {
		return nil, err
	}
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "ceiling.db")+"?"+sqlitePragmas)
	if err != nil {
		return nil, err
	}
	// SQLite has one writer; the ceiling, like the store, queues in Go.
	raw.SetMaxOpenConns(1)
	ceiling, err := newCeilingDB(raw, "?")
	if err != nil {
		return nil, err
	}
	w, err := startWhisper(ctx, "sqlite:"+filepath.Join(dir, "whisper.db"), nil)
	if err != nil {
		return nil, err
	}
	return &environment{ceiling: ceiling, whisper: w, close: func() {
		w.close()
		raw.Close()
		os.RemoveAll(dir)
	}}, nil
}}

func postgresKind(adminURL string) storeKind {
	return storeKind{name: "PostgreSQL", key: "postgres", open: func(ctx context.Context) (*environment, error) {
		admin, err := sql.Open("pgx", adminURL)
		if err != nil {
			return nil, err
		}
		suffix := make([]byte, 4)
		rand.Read(suffix)
		names := []string{"loadtest_ceiling_" + hex.EncodeToString(suffix), "loadtest_whisper_" + hex.EncodeToString(suffix)}
		for _, name := range names {
			if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
				return nil, fmt.Errorf("creating %s: %w", name, err)
			}
		}
		drop := func() {
			for _, name := range names {
				admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			}
			admin.Close()
		}
		raw, err := sql.Open("pgx", withDatabase(adminURL, names[0]))
		if err != nil {
			drop()
			return nil, err
		}
		raw.SetMaxOpenConns(16)
		ceiling, err := newCeilingDB(raw, "$1")
		if err != nil {
			drop()
			return nil, err
		}
		w, err := startWhisper(ctx, withDatabase(adminURL, names[1]), nil)
		if err != nil {
			drop()
			return nil, err
		}
		return &environment{ceiling: ceiling, whisper: w, close: func() {
			w.close()
			raw.Close()
			drop()
		}}, nil
	}}
}

func withDatabase(rawURL, name string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	u.Path = "/" + name
	return u.String()
}
