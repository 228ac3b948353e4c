package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/ports"
)

// On PostgreSQL every statement is a round trip, and a report's write
// transaction used to be BEGIN, two or three INSERTs and COMMIT, each
// waiting for the last. pgWrite sends fewer:
//
//   - inserts whose only answer is their error (see tx.insert) wait, and go
//     with the next statement that needs an answer or with the end, as
//     prepared statements (see preparedInserts);
//   - the transaction begins only when a statement needs an answer, and
//     its BEGIN goes with that statement;
//   - COMMIT goes with the last waiting inserts.
//
// What goes together is one pipeline (pgconn's batch): one round trip, and
// outside a transaction one implicit transaction. A transaction of inserts
// alone, such as a web report's or that of a text opening a report, is
// one pipeline, all or nothing, durable when it returns, without BEGIN or
// COMMIT, and goes with other such transactions waiting at the same time
// (see groupcommit.go).
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
	conn    *sql.Conn     // held from the first statement that must be sent
	begun   bool          // BEGIN has been sent on conn, and no COMMIT yet
	pending []pgStatement // statements to send with the next, in order
	// failed is why the transaction could not go on, when the statement
	// that found out could not say (see QueryRowContext).
	failed error
}

// pgStatement is SQL complete in itself, or a prepared insert with its
// arguments.
type pgStatement struct {
	text   string
	insert *preparedInsert
	args   []any
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
	if err := fn(&tx{db: w, keys: s.keys, postgres: true, inserts: s.inserts}); err != nil {
		return errors.Join(w.failed, err)
	}
	if len(w.pending) == 0 && !w.begun {
		return nil
	}
	if !w.begun { // inserts alone: one implicit transaction, shared
		return s.sendInGroup(ctx, w.take())
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
	tag, err := w.send(ctx, append(w.take(), pgStatement{text: "COMMIT"}))
	if err != nil {
		return err
	}
	if tag.String() != "COMMIT" {
		return errRolledBack
	}
	return nil
}

// queue holds model's rows back until the next statement that needs an
// answer, or the end of the transaction.
func (w *pgWrite) queue(ctx context.Context, inserts *preparedInserts, model any) error {
	stmts, err := inserts.pgStatements(ctx, model, "")
	if err != nil {
		return err
	}
	w.pending = append(w.pending, stmts...)
	return nil
}

// insertNow sends model's prepared inserts with the conflict clause now,
// with what waits, and says how many rows the last wrote or changed.
func (w *pgWrite) insertNow(ctx context.Context, inserts *preparedInserts, model any, conflict string, extra ...any) (int64, error) {
	stmts, err := inserts.pgStatements(ctx, model, conflict, extra...)
	if err != nil {
		return 0, err
	}
	tag, err := w.sendWith(ctx, stmts...)
	return tag.RowsAffected(), err
}

// take returns the waiting statements, and forgets them.
func (w *pgWrite) take() []pgStatement {
	stmts := w.pending
	w.pending = nil
	return stmts
}

// hold takes a connection from the pool for the transaction, once.
func (w *pgWrite) hold(ctx context.Context) error {
	if w.conn != nil {
		return nil
	}
	conn, err := w.DB.DB.Conn(ctx)
	w.conn = conn
	return err
}

// sendWith sends, in one round trip, BEGIN if it has not been sent, the
// waiting inserts, and stmts, and returns the last one's command tag.
func (w *pgWrite) sendWith(ctx context.Context, stmts ...pgStatement) (pgconn.CommandTag, error) {
	if err := w.hold(ctx); err != nil {
		return pgconn.CommandTag{}, err
	}
	all := append(w.take(), stmts...)
	if !w.begun {
		all = append([]pgStatement{{text: "BEGIN"}}, all...)
		w.begun = true
	}
	if len(all) == 0 {
		return pgconn.CommandTag{}, nil
	}
	return w.send(ctx, all)
}

// send sends stmts in one round trip on the transaction's connection and
// returns the last one's command tag.
func (w *pgWrite) send(ctx context.Context, stmts []pgStatement) (pgconn.CommandTag, error) {
	tag, _, err := pipeline(ctx, w.conn, stmts)
	return tag, err
}

// pipeline sends stmts in one round trip on conn and returns the last
// one's command tag, or the error and the index of the statement that
// failed (-1 when none did, or the failure was not one statement's: the
// connection's, say). Inserts go as the connection's prepared statements,
// prepared on its first use of them.
func pipeline(ctx context.Context, conn *sql.Conn, stmts []pgStatement) (tag pgconn.CommandTag, failed int, err error) {
	failed = -1
	err = conn.Raw(func(driverConn any) error {
		c := driverConn.(*stdlib.Conn).Conn()
		batch := &pgconn.Batch{}
		for k, st := range stmts {
			if st.insert == nil {
				batch.ExecParams(st.text, nil, nil, nil, nil)
				continue
			}
			sd, err := c.Prepare(ctx, st.insert.name, st.insert.sql)
			if err != nil {
				failed = k
				return err
			}
			params, formats, err := encodeArgs(c.TypeMap(), sd, st)
			if err != nil {
				failed = k
				return err
			}
			batch.ExecPrepared(sd.Name, params, formats, nil)
		}
		results, err := c.PgConn().ExecBatch(ctx, batch).ReadAll()
		if err != nil {
			failed = failedStatement(err, len(results), len(stmts))
			return err
		}
		if n := len(results); n > 0 {
			tag = results[n-1].CommandTag
		}
		return nil
	})
	return tag, failed, err
}

// failedStatement says which of a pipeline's statements err, its outcome,
// is the error of. The statements return no rows, so the server's error
// comes where the failing one's result would have, after the results of
// those that succeeded. An error after all of them (the implicit
// transaction's commit failing, say) or not from the server is no one
// statement's (-1).
func failedStatement(err error, succeeded, statements int) int {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && succeeded < statements {
		return succeeded
	}
	return -1
}

// encodeArgs encodes a prepared insert's arguments for its parameters.
func encodeArgs(m *pgtype.Map, sd *pgconn.StatementDescription, st pgStatement) (params [][]byte, formats []int16, err error) {
	params = make([][]byte, len(st.args))
	formats = make([]int16, len(st.args))
	// Encode answers NULL with nil and appends anything else, so the buffer
	// must not be nil: an empty string is not NULL.
	buf := make([]byte, 0, 1024)
	for i, arg := range st.args {
		oid := sd.ParamOIDs[i]
		formats[i] = m.FormatCodeForOID(oid)
		start := len(buf)
		out, err := m.Encode(oid, formats[i], arg, buf)
		if err != nil {
			return nil, nil, fmt.Errorf("store: %s, argument %d: %w", st.insert.name, i+1, err)
		}
		if out != nil {
			buf = out
			params[i] = buf[start:len(buf):len(buf)]
		}
	}
	return params, formats, nil
}

// ExecContext sends what waits and query together: the result is query's.
func (w *pgWrite) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	tag, err := w.sendWith(ctx, pgStatement{text: w.DB.QueryGen().FormatQuery(query, args...)})
	if err != nil {
		return nil, err
	}
	return driver.RowsAffected(tag.RowsAffected()), nil
}

// QueryContext sends what waits first, then query through database/sql,
// which hands back its rows.
func (w *pgWrite) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if _, err := w.sendWith(ctx); err != nil {
		return nil, err
	}
	return w.conn.QueryContext(ctx, w.DB.QueryGen().FormatQuery(query, args...))
}

func (w *pgWrite) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if _, err := w.sendWith(ctx); err != nil {
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
