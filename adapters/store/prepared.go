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

// On SQLite a report's inserts were a third of the writer's time spent
// parsing SQL: bun writes every argument into the statement's text, so
// each INSERT was new text to parse and plan. SQLite has one writer, so
// that time is the ceiling on how many reports it takes a second.
// preparedInserts gives each hot row type one INSERT with placeholders,
// prepared once per connection, and binds the row's values to it.
//
// Values are bound exactly as bun would have written them (see bindValue),
// so a row reads back the same whichever way it went in;
// TestPreparedInsertsStoreWhatBunStores checks it column by column.

// preparedInserts holds the prepared INSERT of each row type.
type preparedInserts struct {
	db    *bun.DB // the writes pool
	mu    sync.Mutex
	stmts map[reflect.Type]*preparedInsert
}

type preparedInsert struct {
	stmt   *sql.Stmt
	fields []*schema.Field
}

// exec inserts model — a pointer to a row, or to a slice of pointers to
// rows — in btx.
func (p *preparedInserts) exec(ctx context.Context, btx bun.Tx, model any) error {
	v := reflect.ValueOf(model).Elem()
	if v.Kind() != reflect.Slice {
		return p.execRow(ctx, btx, v)
	}
	for i := range v.Len() {
		if err := p.execRow(ctx, btx, v.Index(i).Elem()); err != nil {
			return err
		}
	}
	return nil
}

func (p *preparedInserts) execRow(ctx context.Context, btx bun.Tx, row reflect.Value) error {
	ins, err := p.statement(ctx, row.Type())
	if err != nil {
		return err
	}
	args := make([]any, len(ins.fields))
	for i, f := range ins.fields {
		if args[i], err = bindValue(f.Value(row)); err != nil {
			return fmt.Errorf("store: column %s: %w", f.Name, err)
		}
	}
	_, err = btx.Tx.StmtContext(ctx, ins.stmt).ExecContext(ctx, args...)
	return translate(err)
}

// statement returns the prepared INSERT for rows of type typ, preparing it
// the first time.
func (p *preparedInserts) statement(ctx context.Context, typ reflect.Type) (*preparedInsert, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ins, ok := p.stmts[typ]; ok {
		return ins, nil
	}
	table := p.db.Table(typ)
	columns := make([]string, len(table.Fields))
	for i, f := range table.Fields {
		columns[i] = string(f.SQLName)
	}
	query := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", table.SQLName,
		strings.Join(columns, ", "), strings.TrimSuffix(strings.Repeat("?, ", len(columns)), ", "))
	stmt, err := p.db.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil, translate(err)
	}
	if p.stmts == nil {
		p.stmts = map[reflect.Type]*preparedInsert{}
	}
	ins := &preparedInsert{stmt: stmt, fields: table.Fields}
	p.stmts[typ] = ins
	return ins, nil
}

// close releases the prepared statements.
func (p *preparedInserts) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, ins := range p.stmts {
		ins.stmt.Close()
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
