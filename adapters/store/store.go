// Package store keeps Whisper's data in PostgreSQL or in an embedded SQLite
// file, through one bun-backed implementation of ports.Store. Personal data
// is sealed (see package seal) before it reaches SQL, so the database alone
// reveals none of it.
//
// The two dialects differ in a few places only, each kept in a small
// function here: how a database is opened, how writers are serialised
// (SQLite has one writer; PostgreSQL retries serialisation failures) and how
// migrations are locked.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/whisper-schools/whisper/adapters/store/seal"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

var _ ports.Store = (*Store)(nil)

// Store is a ports.Store on PostgreSQL or SQLite.
type Store struct {
	db *bun.DB
	// reads serves View: a pool of its own, so that reads never queue
	// behind writers for a connection. On SQLite its connections are
	// query-only; on PostgreSQL each View is a READ ONLY transaction. Either
	// way a write inside View fails.
	reads    *bun.DB
	keys     *seal.Keyring
	postgres bool
	// file is the SQLite database's path, naming its in-process locks.
	file string
	// created is whether opening made the SQLite file: only then may a
	// database with no schema be migrated (see refuseToMigrate).
	created bool
	// writer is SQLite's one write slot: in-process writers (migrations
	// too) queue for it here instead of spinning in SQLite's busy handler.
	// Nil on PostgreSQL, where writers lock rows, not the database.
	writer chan struct{}
	// intake gathers reports accepted at the same moment (see AcceptInteraction).
	intake intake
	// conns counts PostgreSQL's open connections, for Close (pgconns.go);
	// nil on SQLite.
	conns *openConns
	// stopCheckpoints ends SQLite's checkpointLoop, which then closes
	// checkpointsDone; nil on PostgreSQL.
	stopCheckpoints context.CancelFunc
	checkpointsDone chan struct{}
	// lease is how long leadership leases last, in nanoseconds; zero means
	// DefaultLease (see exclusive.go).
	lease atomic.Int64
}

// maxAttempts bounds how often InTx runs fn when PostgreSQL reports a
// serialisation failure or deadlock.
const maxAttempts = 5

// Open connects to the database named by rawURL: "postgres://…" (or
// "postgresql://…") or "sqlite:PATH". It does not migrate; see Migrate.
func Open(ctx context.Context, rawURL string, keys *seal.Keyring) (*Store, error) {
	if keys == nil {
		return nil, errors.New("store: a data key is required")
	}
	var (
		s   *Store
		err error
	)
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		s, err = openPostgres(rawURL)
	case strings.HasPrefix(rawURL, "sqlite:"):
		s, err = openSQLite(strings.TrimPrefix(rawURL, "sqlite:"))
	default:
		return nil, domain.Errorf(domain.KindInvalid, "database URL must start with postgres:// or sqlite:")
	}
	if err != nil {
		return nil, err
	}
	s.keys = keys
	if err := s.ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.checkKey(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func openPostgres(rawURL string) (*Store, error) {
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		// pgx's message quotes the URL, password and all.
		return nil, domain.Errorf(domain.KindInvalid, "the PostgreSQL URL is malformed")
	}
	// bun writes every argument into the SQL text itself, so each statement
	// is new text: pgx's default, preparing and caching each statement,
	// would cost an extra round trip per query and fill its cache with
	// statements run once. The simple protocol sends each query in one
	// round trip. It also suits PgBouncer in transaction mode, where a
	// statement prepared on one server connection is unknown on the next.
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	//
	// Nothing else may be set for the session either — no startup
	// parameters (PgBouncer refuses those it does not know), no SET, no
	// session advisory locks: behind a pooler in transaction mode, a
	// session is shared by whichever clients' transactions it serves. What
	// must hold for a while is said per transaction (View's READ ONLY,
	// pg_advisory_xact_lock) or kept in a table (leadership leases).
	conns := &openConns{}
	cfg.DialFunc = conns.dial(cfg.DialFunc)
	pool := func(cfg *pgx.ConnConfig) *bun.DB {
		sqldb := stdlib.OpenDB(*cfg)
		// A handful of connections serve a 2-core instance well; more only
		// queue inside PostgreSQL. Several instances share one server.
		sqldb.SetMaxOpenConns(8)
		sqldb.SetMaxIdleConns(8)
		sqldb.SetConnMaxIdleTime(5 * time.Minute)
		return bun.NewDB(sqldb, pgdialect.New())
	}
	return &Store{
		db:       pool(cfg),
		reads:    pool(cfg.Copy()),
		postgres: true,
		intake:   intake{turns: make(chan struct{}, pgIntakeBatches)},
		conns:    conns,
	}, nil
}

func openSQLite(path string) (*Store, error) {
	if path == "" {
		return nil, domain.Errorf(domain.KindInvalid, "sqlite: needs a file path, e.g. sqlite:whisper.db")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("store: creating %s: %w", dir, err)
		}
	}
	_, statErr := os.Stat(path)
	created := errors.Is(statErr, fs.ErrNotExist)
	// The file holds only sealed personal data, but it is still nobody
	// else's business: create it private (SQLite gives its -wal and -shm
	// files the same mode).
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: creating %s: %w", path, err)
	}
	f.Close()
	// WAL lets readers run beside the one writer; synchronous=FULL makes a
	// commit durable before we answer "sent" (a report must never be lost to
	// a power cut); IMMEDIATE write transactions take the write lock at
	// BEGIN, so two writers never deadlock upgrading a read lock. A batch
	// of reports is a few multi-row INSERTs, each of which keeps a
	// statement journal to undo itself: in memory, not in a temporary
	// file. The writer never checkpoints (see checkpoint.go), and a log
	// that grew under load is cut back to 64 MB once copied.
	w := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)", "foreign_keys(1)",
		"temp_store(MEMORY)", "wal_autocheckpoint(0)", "journal_size_limit(67108864)"} {
		w.Add("_pragma", p)
	}
	w.Set("_txlock", "immediate")
	writes, err := sql.Open("sqlite", "file:"+path+"?"+w.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: opening %s: %w", path, err)
	}
	// Write transactions run one at a time (see Store.writer); spare
	// connections serve the checkpoints and pings beside them.
	writes.SetMaxOpenConns(3)
	writes.SetConnMaxIdleTime(0)
	// Readers find the file already in WAL mode, set by the writer when
	// Open pings it; query_only makes a write inside View fail as it does
	// on PostgreSQL.
	r := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "query_only(1)", "mmap_size(268435456)"} {
		r.Add("_pragma", p)
	}
	reads, err := sql.Open("sqlite", "file:"+path+"?"+r.Encode())
	if err != nil {
		writes.Close()
		return nil, fmt.Errorf("store: opening %s: %w", path, err)
	}
	reads.SetMaxOpenConns(8)
	reads.SetMaxIdleConns(8)
	reads.SetConnMaxIdleTime(0)
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	ctx, stop := context.WithCancel(context.Background())
	s := &Store{
		db:     bun.NewDB(writes, sqlitedialect.New()),
		reads:  bun.NewDB(reads, sqlitedialect.New()),
		file:   abs,
		writer: make(chan struct{}, 1),
		// Batches wait for the one writer anyway.
		intake:          intake{turns: make(chan struct{}, 1)},
		stopCheckpoints: stop,
		checkpointsDone: make(chan struct{}),
	}
	s.created = created
	go s.checkpointLoop(ctx, s.checkpointsDone)
	return s, nil
}

// redactURLError keeps a database password out of an error message.
func redactURLError(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return errors.New("the database URL is malformed")
	}
	return err
}

// Subkey returns a key for one purpose derived from the store's data key
// (see seal.Keyring.Subkey), so that what signs outside the store needs no
// key of its own and agrees across every instance sharing the database.
func (s *Store) Subkey(purpose string) []byte { return s.keys.Subkey(purpose) }

// DB exposes the bun handle to tests that look at the database itself:
// storetest's checks for plaintext and erased data, and benchmarks.
func (s *Store) DB() *bun.DB { return s.db }

// InTx runs fn in one read-write transaction. See ports.Store.
//
// On PostgreSQL the transaction runs at READ COMMITTED, PostgreSQL's
// default: each statement sees what was committed when it began, and a
// change to an existing row locks that row (see the repositories' Change
// methods and conditional updates), so no update is lost. A deadlock or
// serialisation failure rolls fn back and runs it again, up to
// maxAttempts times. On SQLite a write transaction takes the database's
// one write lock at BEGIN (BEGIN IMMEDIATE), so it is serializable and
// never retried.
func (s *Store) InTx(ctx context.Context, fn func(tx ports.Tx) error) error {
	if !s.postgres {
		release, err := s.takeWriter(ctx)
		if err != nil {
			return err
		}
		defer release()
		return s.run(ctx, s.db, &sql.TxOptions{}, fn)
	}
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		err = s.run(ctx, s.db, &sql.TxOptions{Isolation: sql.LevelReadCommitted}, fn)
		if !retryable(err) {
			break
		}
	}
	return err
}

// takeWriter waits for SQLite's write slot and returns its release.
func (s *Store) takeWriter(ctx context.Context) (release func(), err error) {
	select {
	case s.writer <- struct{}{}:
		return func() { <-s.writer }, nil
	case <-ctx.Done():
		return nil, translate(ctx.Err())
	}
}

// View runs fn with read-only access. See ports.Store. On PostgreSQL it is
// a READ ONLY transaction at read committed, PostgreSQL's default level:
// each statement sees what was committed when it started. Read-only is
// said in the BEGIN, not set on the session, so that it holds through a
// connection pooler and leaks to no other client.
func (s *Store) View(ctx context.Context, fn func(tx ports.Tx) error) error {
	if s.postgres {
		return s.run(ctx, s.reads, &sql.TxOptions{Isolation: sql.LevelReadCommitted, ReadOnly: true}, fn)
	}
	return s.run(ctx, s.reads, &sql.TxOptions{ReadOnly: true}, fn)
}

// run runs fn in one transaction on db, committing when it returns nil.
// A panic in fn rolls the transaction back and goes on up.
func (s *Store) run(ctx context.Context, db *bun.DB, opts *sql.TxOptions, fn func(tx ports.Tx) error) error {
	err := db.RunInTx(ctx, opts, func(ctx context.Context, btx bun.Tx) error {
		return fn(&tx{db: btx, keys: s.keys, postgres: s.postgres})
	})
	return translate(err)
}

// Ping checks that the database answers, and that the data key recorded
// in it is still this store's (see verifyKey). See ports.Store.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.ping(ctx); err != nil {
		return err
	}
	return s.verifyKey(ctx)
}

// ping checks that the database answers.
func (s *Store) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s.db.PingContext(ctx); err != nil {
		return &domain.Error{Kind: domain.KindUnavailable, Safe: domain.Say("the database does not answer"), Err: redactURLError(err)}
	}
	return nil
}

// Close releases the store's connections. On PostgreSQL it then waits, at
// most closeWait, for any cancel request still on its way (pgconns.go).
func (s *Store) Close() error {
	if s.stopCheckpoints != nil {
		s.stopCheckpoints()
		<-s.checkpointsDone
	}
	s.reads.Close()
	err := s.db.Close()
	if s.conns != nil {
		s.conns.wait(closeWait)
	}
	return err
}

// tx is one transaction and the repositories over it.
type tx struct {
	db       bun.IDB
	keys     *seal.Keyring
	postgres bool
}

// lockedSelect is a SELECT whose rows stay locked until the transaction
// ends: FOR UPDATE on PostgreSQL; on SQLite a write transaction already
// holds the whole database. Change methods read through it, so that two
// transactions changing one row take turns.
func (t *tx) lockedSelect() *bun.SelectQuery {
	q := t.db.NewSelect()
	if t.postgres {
		q = q.For("UPDATE")
	}
	return q
}

// insert inserts model, a pointer to a row or to a slice of rows.
func (t *tx) insert(ctx context.Context, model any) error {
	_, err := t.db.NewInsert().Model(model).Exec(ctx)
	return translate(err)
}

func (t *tx) Organisations() ports.OrganisationRepo   { return organisations{t} }
func (t *tx) Forms() ports.FormRepo                   { return forms{t} }
func (t *tx) Inboxes() ports.InboxRepo                { return inboxes{t} }
func (t *tx) Staff() ports.StaffRepo                  { return staffRepo{t} }
func (t *tx) Interactions() ports.InteractionRepo     { return interactions{t} }
func (t *tx) Messages() ports.MessageRepo             { return messages{t} }
func (t *tx) Outbox() ports.OutboxRepo                { return outbox{t} }
func (t *tx) Blocks() ports.BlockRepo                 { return blocks{t} }
func (t *tx) StaffView() ports.StaffViewRepo          { return staffView{t} }
func (t *tx) Sessions() ports.SessionRepo             { return sessions{t} }
func (t *tx) SignInFailures() ports.SignInFailureRepo { return signInFailures{t} }
func (t *tx) Texts() ports.TextRepo                   { return texts{t} }
func (t *tx) Replies() ports.ReplyRepo                { return replies{t} }
func (t *tx) Audit() ports.AuditRepo                  { return audit{t} }
func (t *tx) SSO() ports.SSORepo                      { return sso{t} }
func (t *tx) SSOStates() ports.SSOStateRepo           { return ssoStates{t} }
