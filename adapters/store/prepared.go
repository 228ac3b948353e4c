package store

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"
)

// A report's inserts were a third of SQLite's single writer's time spent
// parsing SQL: bun writes every argument into the statement's text, so
// each INSERT was new text to parse and plan, and on PostgreSQL they were
// parsed and planned afresh by the server. preparedInserts gives each hot
// row type one INSERT with placeholders, prepared once per connection,
// and binds the row's values to it: on SQLite through database/sql, on
// PostgreSQL by name, in pgWrite's pipelines.
//
// Values are bound so that a row reads back exactly as it would have after
// bun's own INSERT (see bindValue for SQLite; pgx's types, to the
// microsecond, for PostgreSQL); TestPreparedInsertsStoreWhatBunStores
// checks it column by column on both.

// preparedInserts holds the prepared INSERT of each row type, and of each
// row type and conflict clause for inserts that must say what they did.
type preparedInserts struct {
	db       *bun.DB // the writes pool
	postgres bool
	mu       sync.Mutex
	stmts    map[insertShape]*preparedInsert
}

// insertShape names a prepared INSERT: the row type, and the clause after
// VALUES ("ON CONFLICT …"), whose own ? placeholders take extra arguments.
type insertShape struct {
	typ      reflect.Type
	conflict string
}

type preparedInsert struct {
	name   string    // the statement's name on PostgreSQL connections
	sql    string    // with ? (SQLite) or $n (PostgreSQL) placeholders
	stmt   *sql.Stmt // prepared on the SQLite writes pool
	fields []*schema.Field
}

// eachRow calls fn with each row of model: a pointer to a row, or to a
// slice of pointers to rows.
func eachRow(model any, fn func(row reflect.Value) error) error {
	v := reflect.ValueOf(model).Elem()
	if v.Kind() != reflect.Slice {
		return fn(v)
	}
	for i := range v.Len() {
		if err := fn(v.Index(i).Elem()); err != nil {
			return err
		}
	}
	return nil
}

// exec inserts model's rows in btx, on SQLite, with the conflict clause
// and its extra arguments, and says how many rows it wrote or changed.
func (p *preparedInserts) exec(ctx context.Context, btx bun.Tx, model any, conflict string, extra ...any) (int64, error) {
	var n int64
	err := eachRow(model, func(row reflect.Value) error {
		ins, args, err := p.bound(ctx, row, conflict, extra, bindValue)
		if err != nil {
			return err
		}
		res, err := btx.Tx.StmtContext(ctx, ins.stmt).ExecContext(ctx, args...)
		if err != nil {
			return translate(err)
		}
		affected, err := res.RowsAffected()
		n += affected
		return translate(err)
	})
	return n, err
}

// pgStatements are model's rows, with the conflict clause and its extra
// arguments, as statements for pgWrite to send, on PostgreSQL, where pgx
// encodes the values as they are.
func (p *preparedInserts) pgStatements(ctx context.Context, model any, conflict string, extra ...any) ([]pgStatement, error) {
	asTheyAre := func(v reflect.Value) (any, error) { return v.Interface(), nil }
	var out []pgStatement
	err := eachRow(model, func(row reflect.Value) error {
		ins, args, err := p.bound(ctx, row, conflict, extra, asTheyAre)
		if err != nil {
			return err
		}
		out = append(out, pgStatement{insert: ins, args: args})
		return nil
	})
	return out, err
}

// bound is row's prepared insert, with the conflict clause, and its
// arguments: the row's fields, then extra, each made by bind.
func (p *preparedInserts) bound(ctx context.Context, row reflect.Value, conflict string, extra []any,
	bind func(reflect.Value) (any, error)) (*preparedInsert, []any, error) {
	ins, err := p.statement(ctx, insertShape{row.Type(), conflict})
	if err != nil {
		return nil, nil, err
	}
	args := make([]any, 0, len(ins.fields)+len(extra))
	for _, f := range ins.fields {
		v, err := bind(f.Value(row))
		if err != nil {
			return nil, nil, fmt.Errorf("store: column %s: %w", f.Name, err)
		}
		args = append(args, v)
	}
	for _, x := range extra {
		v, err := bind(reflect.ValueOf(x))
		if err != nil {
			return nil, nil, err
		}
		args = append(args, v)
	}
	return ins, args, nil
}

// statement returns the INSERT of that shape, making it (and on SQLite
// preparing it) the first time.
func (p *preparedInserts) statement(ctx context.Context, shape insertShape) (*preparedInsert, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ins, ok := p.stmts[shape]; ok {
		return ins, nil
	}
	table := p.db.Table(shape.typ)
	columns := make([]string, len(table.Fields))
	placeholders := make([]string, len(table.Fields))
	for i, f := range table.Fields {
		columns[i], placeholders[i] = string(f.SQLName), "?"
		if p.postgres {
			placeholders[i] = fmt.Sprintf("$%d", i+1)
		}
	}
	conflict := shape.conflict
	if p.postgres {
		for n := len(columns) + 1; strings.Contains(conflict, "?"); n++ {
			conflict = strings.Replace(conflict, "?", fmt.Sprintf("$%d", n), 1)
		}
	}
	ins := &preparedInsert{
		name: fmt.Sprintf("whisper_insert_%s_%d", table.Name, len(p.stmts)),
		sql: strings.TrimSpace(fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s) %s", table.SQLName,
			strings.Join(columns, ", "), strings.Join(placeholders, ", "), conflict)),
		fields: table.Fields,
	}
	if !p.postgres {
		stmt, err := p.db.DB.PrepareContext(ctx, ins.sql)
		if err != nil {
			return nil, translate(err)
		}
		ins.stmt = stmt
	}
	if p.stmts == nil {
		p.stmts = map[insertShape]*preparedInsert{}
	}
	p.stmts[shape] = ins
	return ins, nil
}

// close releases the prepared statements.
func (p *preparedInserts) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, ins := range p.stmts {
		if ins.stmt != nil {
			ins.stmt.Close()
		}
	}
	clear(p.stmts)
}

// sqliteTime is how bun writes a time for SQLite: text in UTC, to the
// microsecond, so that times compare correctly as text.
const sqliteTime = "2006-01-02 15:04:05.999999-07:00"

// bindValue is v as bun's SQLite dialect would have written it into the
// statement: nil pointers and nil byte slices as NULL, times as sqliteTime
// text, booleans as 1 and 0. Row types use nothing else.
func bindValue(v reflect.Value) (any, error) {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil, nil
		}
		v = v.Elem()
	}
	switch x := v.Interface().(type) {
	case time.Time:
		return x.UTC().Format(sqliteTime), nil
	case []byte:
		if x == nil {
			return nil, nil
		}
		return x, nil
	case string:
		if strings.IndexByte(x, 0) >= 0 {
			return nil, fmt.Errorf("a string holds a NUL byte") // bun refuses these too
		}
		return x, nil
	case bool:
		return x, nil
	}
	if v.CanInt() {
		return v.Int(), nil
	}
	return nil, fmt.Errorf("no binding for %s", v.Type())
}
