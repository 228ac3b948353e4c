package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/ports"
)

// On PostgreSQL every statement is a round trip, and a report's write
// transaction used to be BEGIN, two or three INSERTs and COMMIT, each
// waiting for the last. pgWrite sends fewer: inserts whose only answer is
// their error (see tx.insert) wait and go with the next statement that
// needs an answer, or with the end of the transaction; and the transaction
// begins only when a statement needs an answer. A transaction of such
// inserts alone — a web report — goes as one multi-statement query, which
// PostgreSQL runs as one transaction (all or nothing, durable when it
// returns), in one round trip, without BEGIN or COMMIT.
//
// The price: such an insert's error (a duplicate key, say) comes from the
// next statement or from the end of the transaction, not from the insert.
// The transaction fails either way and nothing of it is kept; ports.Tx
// says so.

// pgWrite is one PostgreSQL write transaction. It is a bun.IDB whose
// queries run through it.
type pgWrite struct {
	*bun.DB
	tx      *bun.Tx  // begun when a statement first needs an answer
	pending []string // queued inserts, in order
	// failed is why the transaction could not begin, when the statement
	// that needed it could not say (see QueryRowContext).
	failed error
}

var _ bun.IDB = (*pgWrite)(nil)

// runPostgres runs fn in one pgWrite transaction.
func (s *Store) runPostgres(ctx context.Context, fn func(tx ports.Tx) error) error {
	w := &pgWrite{DB: s.db}
	committed := false
	defer func() {
		if w.tx != nil && !committed { // fn failed or panicked
			w.tx.Rollback()
		}
	}()
	if err := fn(&tx{db: w, keys: s.keys, postgres: true}); err != nil {
		return errors.Join(w.failed, err)
	}
	if w.tx == nil {
		if len(w.pending) == 0 {
			return nil
		}
		_, err := s.db.DB.ExecContext(ctx, w.takePending())
		return err
	}
	if err := w.flush(ctx); err != nil {
		return err
	}
	committed = true
	return w.tx.Commit()
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

func (w *pgWrite) takePending() string {
	q := strings.Join(w.pending, ";\n")
	w.pending = nil
	return q
}

// begin starts the transaction, if it has not started, and sends the
// queued inserts, so that what comes next sees them.
func (w *pgWrite) begin(ctx context.Context) (*bun.Tx, error) {
	if w.tx == nil {
		tx, err := w.DB.BeginTx(ctx, &sql.TxOptions{})
		if err != nil {
			return nil, err
		}
		w.tx = &tx
	}
	return w.tx, w.flush(ctx)
}

func (w *pgWrite) flush(ctx context.Context) error {
	if len(w.pending) == 0 {
		return nil
	}
	// The statements are complete SQL text (bun writes the arguments into
	// it), so they go straight to database/sql, past bun's formatting.
	_, err := w.tx.Tx.ExecContext(ctx, w.takePending())
	return err
}

func (w *pgWrite) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	tx, err := w.begin(ctx)
	if err != nil {
		return nil, err
	}
	return tx.ExecContext(ctx, query, args...)
}

func (w *pgWrite) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	tx, err := w.begin(ctx)
	if err != nil {
		return nil, err
	}
	return tx.QueryContext(ctx, query, args...)
}

func (w *pgWrite) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	tx, err := w.begin(ctx)
	if err != nil {
		// A *sql.Row carries no error but its own: hand back one that
		// fails as a cancelled query does, and keep the cause for the end
		// of the transaction.
		w.failed = err
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		return w.DB.DB.QueryRowContext(cancelled, query, args...)
	}
	return tx.QueryRowContext(ctx, query, args...)
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
