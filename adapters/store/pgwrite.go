package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/ports"
)

// On PostgreSQL every statement is a round trip, and a report's write
// transaction used to be BEGIN, two or three INSERTs and COMMIT, each
// waiting for the last. pgWrite sends fewer:
//
//   - inserts whose only answer is their error (see tx.insert) wait, and go
//     with the next statement that needs an answer or with the end;
//   - the transaction begins only when a statement needs an answer, and
//     its BEGIN goes with that statement;
//   - COMMIT goes with the last waiting inserts.
//
// A transaction of such inserts alone — a web report — is one
// multi-statement query, which PostgreSQL runs as one transaction (all or
// nothing, durable when it returns), without BEGIN or COMMIT. A text that
// opens a report (the nonce, the message id, then inserts) is three round
// trips instead of eight.
//
// The price: such an insert's error (a duplicate key, say) comes from the
// next statement or from the end of the transaction, not from the insert.
// The transaction fails either way and nothing of it is kept; ports.Store
// says so.
//
// pgWrite drives the transaction itself, with BEGIN, COMMIT and ROLLBACK
// sent as SQL on one connection held for it, since database/sql's Tx sends
// each on its own. Should a connection ever go back to the pool inside a
// transaction, pgx's stdlib discards it rather than reuse it.

// pgWrite is one PostgreSQL write transaction. It is a bun.IDB whose
// queries run through it.
type pgWrite struct {
	*bun.DB
	conn    *sql.Conn // held from the first statement that needs an answer
	begun   bool      // BEGIN has been sent on conn, and no COMMIT yet
	pending []string  // statements to send with the next, in order
	// failed is why the transaction could not go on, when the statement
	// that found out could not say (see QueryRowContext).
	failed error
}

var _ bun.IDB = (*pgWrite)(nil)

// runPostgres runs fn in one pgWrite transaction.
func (s *Store) runPostgres(ctx context.Context, fn func(tx ports.Tx) error) error {
	w := &pgWrite{DB: s.db}
	defer func() {
		if w.conn == nil {
			return
		}
		if w.begun { // fn failed or panicked, or COMMIT did not succeed: nothing is kept
			w.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
		w.conn.Close()
	}()
	if err := fn(&tx{db: w, keys: s.keys, postgres: true}); err != nil {
		return errors.Join(w.failed, err)
	}
	if w.conn == nil {
		if len(w.pending) == 0 {
			return nil
		}
		_, err := s.db.DB.ExecContext(ctx, w.takePending(""))
		return err
	}
	if err := w.commit(ctx); err != nil {
		return err
	}
	w.begun = false
	return nil
}

// errRolledBack is a COMMIT that PostgreSQL answered with ROLLBACK: a
// statement of the transaction had failed, and fn went on regardless.
var errRolledBack = errors.New("store: the transaction had failed and was rolled back")

// commit sends the waiting inserts and COMMIT, and makes sure it was a
// commit: PostgreSQL answers COMMIT in a failed transaction by rolling it
// back, without an error.
func (w *pgWrite) commit(ctx context.Context) error {
	text := w.takePending("COMMIT")
	return w.conn.Raw(func(driverConn any) error {
		results, err := driverConn.(*stdlib.Conn).Conn().PgConn().Exec(ctx, text).ReadAll()
		if err != nil {
			return err
		}
		if n := len(results); n == 0 || results[n-1].CommandTag.String() != "COMMIT" {
			return errRolledBack
		}
		return nil
	})
}

// queue holds q back until the next statement that needs an answer, or the
// end of the transaction.
func (w *pgWrite) queue(q *bun.InsertQuery) error {
	b, err := q.AppendQuery(w.DB.QueryGen(), nil)
	if err != nil {
		return err
	}
	w.pending = append(w.pending, string(b))
	return nil
}

// takePending joins what waits, then last, into one query text.
func (w *pgWrite) takePending(last string) string {
	if last != "" {
		w.pending = append(w.pending, last)
	}
	q := strings.Join(w.pending, ";\n")
	w.pending = nil
	return q
}

// lead holds a connection, if none is held yet, and returns the text that
// must run before the next statement: BEGIN if not yet sent, and the
// waiting inserts.
func (w *pgWrite) lead(ctx context.Context) (string, error) {
	if w.conn == nil {
		conn, err := w.DB.DB.Conn(ctx)
		if err != nil {
			return "", err
		}
		w.conn = conn
	}
	if !w.begun {
		w.pending = append([]string{"BEGIN"}, w.pending...)
		w.begun = true
	}
	if len(w.pending) == 0 {
		return "", nil
	}
	return w.takePending(""), nil
}

// ExecContext sends what waits and query together: the result is query's.
func (w *pgWrite) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	lead, err := w.lead(ctx)
	if err != nil {
		return nil, err
	}
	query = w.DB.QueryGen().FormatQuery(query, args...)
	if lead != "" {
		query = lead + ";\n" + query
	}
	return w.conn.ExecContext(ctx, query)
}

// QueryContext sends what waits first, then query on its own: rows come
// back from the one statement of a query.
func (w *pgWrite) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := w.sendLead(ctx); err != nil {
		return nil, err
	}
	return w.conn.QueryContext(ctx, w.DB.QueryGen().FormatQuery(query, args...))
}

func (w *pgWrite) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if err := w.sendLead(ctx); err != nil {
		// A *sql.Row carries no error but its own: hand back one that
		// fails as a cancelled query does, and keep the cause for the end
		// of the transaction.
		w.failed = err
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		return w.DB.DB.QueryRowContext(cancelled, query)
	}
	return w.conn.QueryRowContext(ctx, w.DB.QueryGen().FormatQuery(query, args...))
}

// sendLead sends BEGIN and the waiting inserts, if there are any.
func (w *pgWrite) sendLead(ctx context.Context) error {
	lead, err := w.lead(ctx)
	if err != nil || lead == "" {
		return err
	}
	_, err = w.conn.ExecContext(ctx, lead)
	return err
}

// Every query built on a pgWrite runs through it.

func (w *pgWrite) NewValues(model any) *bun.ValuesQuery {
	return bun.NewValuesQuery(w.DB, model).Conn(w)
}
func (w *pgWrite) NewSelect() *bun.SelectQuery { return bun.NewSelectQuery(w.DB).Conn(w) }
func (w *pgWrite) NewInsert() *bun.InsertQuery { return bun.NewInsertQuery(w.DB).Conn(w) }
func (w *pgWrite) NewUpdate() *bun.UpdateQuery { return bun.NewUpdateQuery(w.DB).Conn(w) }
func (w *pgWrite) NewDelete() *bun.DeleteQuery { return bun.NewDeleteQuery(w.DB).Conn(w) }
func (w *pgWrite) NewMerge() *bun.MergeQuery   { return bun.NewMergeQuery(w.DB).Conn(w) }
func (w *pgWrite) NewRaw(query string, args ...any) *bun.RawQuery {
	return bun.NewRawQuery(w.DB, query, args...).Conn(w)
}
func (w *pgWrite) NewCreateTable() *bun.CreateTableQuery {
	return bun.NewCreateTableQuery(w.DB).Conn(w)
}
func (w *pgWrite) NewDropTable() *bun.DropTableQuery { return bun.NewDropTableQuery(w.DB).Conn(w) }
func (w *pgWrite) NewCreateIndex() *bun.CreateIndexQuery {
	return bun.NewCreateIndexQuery(w.DB).Conn(w)
}
func (w *pgWrite) NewDropIndex() *bun.DropIndexQuery { return bun.NewDropIndexQuery(w.DB).Conn(w) }
func (w *pgWrite) NewTruncateTable() *bun.TruncateTableQuery {
	return bun.NewTruncateTableQuery(w.DB).Conn(w)
}
func (w *pgWrite) NewAddColumn() *bun.AddColumnQuery   { return bun.NewAddColumnQuery(w.DB).Conn(w) }
func (w *pgWrite) NewDropColumn() *bun.DropColumnQuery { return bun.NewDropColumnQuery(w.DB).Conn(w) }

var errNested = errors.New("store: a transaction cannot begin inside another")

func (w *pgWrite) BeginTx(context.Context, *sql.TxOptions) (bun.Tx, error) {
	return bun.Tx{}, errNested
}
func (w *pgWrite) RunInTx(context.Context, *sql.TxOptions, func(context.Context, bun.Tx) error) error {
	return errNested
}
