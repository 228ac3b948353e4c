package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
)

// rowsUpdate writes values of their own into each of many rows in one
// statement:
//
//	WITH v(k, c0, c1, …) AS (VALUES (?, ?, ?), …)
//	UPDATE table SET col0 = CAST(v.c0 AS type), … FROM v WHERE table.key = v.k [AND where]
//
// Key rotation and the region fill visit every row of large tables, and a
// statement a row made them several times slower (docs/performance.md).
// VALUES carries no column types, so each value is cast to its column's.
type rowsUpdate struct {
	table, key string
	// integerKey casts the key, for a table keyed by a number.
	integerKey bool
	columns    []updatedColumn
	// where, when set, is a further condition on the table's row, in SQL
	// without placeholders.
	where string
	// rows are the key and then one value a column, in columns' order.
	rows [][]any
}

// updatedColumn is a column rowsUpdate sets.
type updatedColumn struct {
	name string
	// blob is set for a sealed (binary) column, unset for text.
	blob bool
	// keepWhenNull leaves the column as it is in a row whose value is
	// NULL, so one statement can set a column in some rows only.
	keepWhenNull bool
}

// exec runs the update; with no rows it does nothing.
func (u rowsUpdate) exec(ctx context.Context, db bun.IDB, postgres bool) error {
	if len(u.rows) == 0 {
		return nil
	}
	blob, text, integer := "BLOB", "TEXT", "INTEGER"
	if postgres {
		blob, text, integer = "bytea", "text", "bigint"
	}
	var q strings.Builder
	args := make([]any, 0, len(u.rows)*(len(u.columns)+1)+2*len(u.columns)+3)
	q.WriteString("WITH v(k")
	for i := range u.columns {
		fmt.Fprintf(&q, ", c%d", i)
	}
	q.WriteString(") AS (VALUES ")
	row := "(?" + strings.Repeat(", ?", len(u.columns)) + ")"
	for r, values := range u.rows {
		if r > 0 {
			q.WriteString(", ")
		}
		q.WriteString(row)
		args = append(args, values...)
	}
	q.WriteString(") UPDATE ? SET ")
	args = append(args, bun.Ident(u.table))
	for i, c := range u.columns {
		if i > 0 {
			q.WriteString(", ")
		}
		sqlType := text
		if c.blob {
			sqlType = blob
		}
		value := fmt.Sprintf("CAST(v.c%d AS %s)", i, sqlType)
		if c.keepWhenNull {
			q.WriteString("? = COALESCE(" + value + ", ?)")
			args = append(args, bun.Ident(c.name), bun.Ident(c.name))
		} else {
			q.WriteString("? = " + value)
			args = append(args, bun.Ident(c.name))
		}
	}
	key := "v.k"
	if u.integerKey {
		key = "CAST(v.k AS " + integer + ")"
	}
	q.WriteString(" FROM v WHERE ?.? = " + key)
	args = append(args, bun.Ident(u.table), bun.Ident(u.key))
	if u.where != "" {
		q.WriteString(" AND " + u.where)
	}
	if _, err := db.NewRaw(q.String(), args...).Exec(ctx); err != nil {
		return translate(err)
	}
	return nil
}
