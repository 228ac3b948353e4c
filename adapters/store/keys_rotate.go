package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// A rotation re-seals every sealed column under the primary key and
// recomputes the blind indexes made from them, table by table, a batch per
// transaction, while the service goes on. It begins (BeginRotation) by
// recording the new key's fingerprint and keeping the old key's index key,
// sealed under the new one; each batch saves how far it got in the same
// transaction (table key_rotation), so a rotation cut short carries on
// where it stopped.

type rotationRow struct {
	bun.BaseModel `bun:"table:key_rotation"`

	Table      string     `bun:"table_name,pk"`
	Target     string     `bun:"target"`
	AfterKey   string     `bun:"after_key"`
	Done       int64      `bun:"done"`
	FinishedAt *time.Time `bun:"finished_at"`
}

// Audit actions of a rotation.
const (
	auditKeyRotate  = "key.rotate"
	auditKeyRotated = "key.rotated"
)

// RotationStep is what one table's rotation has done so far.
type RotationStep struct {
	Table    string
	Done     int64 // rows visited
	Total    int64 // rows in the table now
	Finished bool
}

// RotationStatus says how far a rotation has gone.
type RotationStatus struct {
	// Current is the fingerprint the database records: the key its data
	// is, or is being, sealed under.
	Current string
	// Retired are the fingerprints of keys retired by rotations, whose
	// index keys the database keeps.
	Retired []string
	Tables  []RotationStep
	// Done is true when no rotation is under way, or every table is done.
	Done bool
}

// BeginRotation starts rotating to this store's primary key, recording
// actor and reason in the audit log. The database must record one of the
// keyring's older keys (the one rotated from); when it records the primary
// already, a rotation under way carries on, and none begins afresh.
func (s *Store) BeginRotation(ctx context.Context, actor, reason string) (resumed bool, err error) {
	defer domain.Wrap(&err, "store.BeginRotation")
	err = s.InTx(ctx, func(ptx ports.Tx) error {
		t := ptx.(*tx)
		fp, err := storedFingerprint(ctx, t.db)
		if err != nil {
			return err
		}
		primary := s.keys.Fingerprint()
		if fp == primary {
			n, err := t.db.NewSelect().Model((*rotationRow)(nil)).Where("target = ?", primary).Count(ctx)
			if err != nil {
				return translate(err)
			}
			if n == int64(len(sealedTables)) {
				resumed = true
				return nil
			}
			return domain.Errorf(domain.KindConflict, "the database is already sealed under this key (fingerprint %s); there is nothing to rotate", primary)
		}
		if !accepts(s.keys, fp) {
			return wrongKey(fp, s.keys)
		}
		sealed, err := s.keys.SealRetained(fp)
		if err != nil {
			return err
		}
		chains, err := t.db.NewSelect().Model((*retiredKeyRow)(nil)).Where("audit_chain").Count(ctx)
		if err != nil {
			return translate(err)
		}
		now := time.Now().UTC()
		if _, err := t.db.NewInsert().Model(&retiredKeyRow{Fingerprint: fp, KeySealed: sealed, AuditChain: chains == 0, RetiredAt: now}).
			On("CONFLICT (fingerprint) DO NOTHING").Exec(ctx); err != nil {
			return translate(err)
		}
		if _, err := t.db.NewUpdate().Model((*dataKeyRow)(nil)).Set("fingerprint = ?", primary).Set("recorded_at = ?", now).
			Where("id = 1").Where("fingerprint = ?", fp).Exec(ctx); err != nil {
			return translate(err)
		}
		if _, err := t.db.NewDelete().Model((*rotationRow)(nil)).Where("1 = 1").Exec(ctx); err != nil {
			return translate(err)
		}
		rows := make([]rotationRow, len(sealedTables))
		for i, st := range sealedTables {
			rows[i] = rotationRow{Table: st.table, Target: primary}
		}
		if _, err := t.db.NewInsert().Model(&rows).Exec(ctx); err != nil {
			return translate(err)
		}
		return t.Audit().Append(ctx, &domain.AuditEntry{At: now, Actor: actor, Action: auditKeyRotate, Reason: reason,
			Details: map[string]string{"from": fp, "to": primary}})
	})
	return resumed, err
}

// maxRotationPause bounds the pause after each batch on SQLite.
const maxRotationPause = 100 * time.Millisecond

// RotateBatch re-seals the next batch of at most n rows of the first table
// not yet done, and returns its step; done is true once every table is
// (then FinishRotation checks and records the end).
func (s *Store) RotateBatch(ctx context.Context, n int) (step RotationStep, done bool, err error) {
	defer domain.Wrap(&err, "store.RotateBatch")
	if !s.postgres {
		// SQLite has one writer, and a batch holds it. Batch after batch
		// without a pause, another process (whisperd) waiting in SQLite's
		// busy handler, which looks again every few to 100 ms, seldom
		// finds it free: its reports waited seconds. Pausing as long as
		// the batch took gives the writer away half the time.
		start := time.Now()
		defer func() {
			if err == nil && !done {
				pause := time.NewTimer(min(time.Since(start), maxRotationPause))
				defer pause.Stop()
				select {
				case <-pause.C:
				case <-ctx.Done():
				}
			}
		}()
	}
	err = s.InTx(ctx, func(ptx ports.Tx) error {
		t := ptx.(*tx)
		var rows []rotationRow
		if err := t.lockedSelect().Model(&rows).Where("target = ?", s.keys.Fingerprint()).Scan(ctx); err != nil {
			return translate(err)
		}
		if len(rows) == 0 {
			return domain.Errorf(domain.KindConflict, "no rotation to this key is under way; run whisperctl key rotate")
		}
		byTable := make(map[string]*rotationRow, len(rows))
		for i := range rows {
			byTable[rows[i].Table] = &rows[i]
		}
		for _, st := range sealedTables {
			r := byTable[st.table]
			if r == nil || r.FinishedAt != nil {
				continue
			}
			visited, last, err := t.rotateRows(ctx, st, r.AfterKey, n)
			if err != nil {
				return fmt.Errorf("rotating %s: %w", st.table, err)
			}
			r.Done += int64(visited)
			if visited > 0 {
				r.AfterKey = last
			}
			q := t.db.NewUpdate().Model(r).Column("after_key", "done").WherePK()
			if visited < n {
				now := time.Now().UTC()
				r.FinishedAt = &now
				q = q.Column("finished_at")
			}
			if _, err := q.Exec(ctx); err != nil {
				return translate(err)
			}
			step = RotationStep{Table: st.table, Done: r.Done, Finished: r.FinishedAt != nil}
			return nil
		}
		done = true
		return nil
	})
	return step, done, err
}

// rotateRows re-seals up to n rows of st after the key after, returning
// how many it visited and the key of the last.
func (t *tx) rotateRows(ctx context.Context, st sealedTable, after string, n int) (int, string, error) {
	q, err := rotationPage(t.db, st, after, n)
	if err != nil {
		return 0, "", err
	}
	if t.postgres {
		q = q.For("UPDATE")
	}
	rows, err := scanRotationRows(ctx, q, st)
	if err != nil {
		return 0, "", err
	}
	last := ""
	var changed []map[string]any
	for _, row := range rows {
		last = fmt.Sprint(row[st.key])
		set, err := t.resealed(st, row)
		if err != nil {
			return 0, "", err
		}
		if len(set) > 0 {
			set[st.key] = row[st.key]
			changed = append(changed, set)
		}
	}
	if err := t.writeResealed(ctx, st, changed); err != nil {
		return 0, "", err
	}
	return len(rows), last, nil
}

// writeResealed writes the changed columns of a batch's rows (each with
// its key) in one statement (rowsUpdate), rather than one a row. A column
// a row leaves as it is comes as NULL and keeps its value: a rotation
// never clears one.
func (t *tx) writeResealed(ctx context.Context, st sealedTable, changed []map[string]any) error {
	var cols []updatedColumn
	for _, c := range st.sealed {
		cols = append(cols, updatedColumn{name: c.column, blob: true, keepWhenNull: true})
	}
	for _, ix := range st.indexes {
		cols = append(cols, updatedColumn{name: ix.column, keepWhenNull: true})
	}
	cols = slices.DeleteFunc(cols, func(c updatedColumn) bool {
		return !slices.ContainsFunc(changed, func(set map[string]any) bool { _, ok := set[c.name]; return ok })
	})
	u := rowsUpdate{table: st.table, key: st.key, integerKey: st.numeric, columns: cols}
	for _, set := range changed {
		row := []any{set[st.key]}
		for _, c := range cols {
			row = append(row, set[c.name])
		}
		u.rows = append(u.rows, row)
	}
	return u.exec(ctx, t.db, t.postgres)
}

// rotationPage selects the n rows of st after the key after, in key order:
// the key, the aad id, the sealed columns and the indexes, as
// scanRotationRows reads them.
func rotationPage(db bun.IDB, st sealedTable, after string, n int) (*bun.SelectQuery, error) {
	cols := []bun.Ident{bun.Ident(st.key)}
	if st.aadID != st.key {
		cols = append(cols, bun.Ident(st.aadID))
	}
	for _, c := range st.sealed {
		cols = append(cols, bun.Ident(c.column))
	}
	for _, ix := range st.indexes {
		cols = append(cols, bun.Ident(ix.column))
	}
	q := db.NewSelect().Table(st.table).ColumnExpr("?", bun.List(cols)).OrderExpr("? ASC", bun.Ident(st.key)).Limit(int64(n))
	if after == "" {
		return q, nil
	}
	var key any = after
	if st.numeric {
		k, err := strconv.ParseInt(after, 10, 64)
		if err != nil {
			return nil, err
		}
		key = k
	}
	return q.Where("? > ?", bun.Ident(st.key), key), nil
}

// resealed returns the columns of row that change: each sealed value not
// under the primary key, sealed again, and each blind index recomputed
// under it.
func (t *tx) resealed(st sealedTable, row map[string]any) (map[string]any, error) {
	id := fmt.Sprint(row[st.aadID])
	set := map[string]any{}
	plain := map[string]string{}
	for _, c := range st.sealed {
		b := asBytes(row[c.column])
		if len(b) == 0 {
			continue
		}
		v, err := t.keys.Open(b, aad(c.aad, id))
		if err != nil {
			return nil, fmt.Errorf("opening %s of %s: %w", c.column, id, err)
		}
		plain[c.column] = v
		if !t.keys.SealedUnderPrimary(b) {
			set[c.column] = t.keys.Seal(v, aad(c.aad, id))
		}
	}
	for _, ix := range st.indexes {
		cur, _ := row[ix.column].(string)
		if b, ok := row[ix.column].([]byte); ok {
			cur = string(b)
		}
		v, ok := plain[ix.from]
		if cur == "" || !ok || (ix.keep != nil && ix.keep(cur)) {
			continue
		}
		if want := ix.reindex(t.keys, v); want != cur {
			set[ix.column] = want
		}
	}
	return set, nil
}

// scanRotationRows reads q's rows into maps by column: the key and aad id
// as they come, sealed columns as bytes, indexes as strings ("" for NULL).
func scanRotationRows(ctx context.Context, q *bun.SelectQuery, st sealedTable) ([]map[string]any, error) {
	rs, err := q.Rows(ctx)
	if err != nil {
		return nil, translate(err)
	}
	defer rs.Close()
	var out []map[string]any
	for rs.Next() {
		var key, id any
		dest := []any{&key}
		if st.aadID != st.key {
			dest = append(dest, &id)
		}
		sealed := make([][]byte, len(st.sealed))
		for i := range sealed {
			dest = append(dest, &sealed[i])
		}
		idx := make([]sql.NullString, len(st.indexes))
		for i := range idx {
			dest = append(dest, &idx[i])
		}
		if err := rs.Scan(dest...); err != nil {
			return nil, translate(err)
		}
		if b, ok := key.([]byte); ok {
			key = string(b)
		}
		if b, ok := id.([]byte); ok {
			id = string(b)
		}
		row := map[string]any{st.key: key}
		if st.aadID != st.key {
			row[st.aadID] = id
		}
		for i, c := range st.sealed {
			row[c.column] = sealed[i]
		}
		for i, ix := range st.indexes {
			row[ix.column] = idx[i].String
		}
		out = append(out, row)
	}
	return out, translate(rs.Err())
}

func asBytes(v any) []byte {
	switch b := v.(type) {
	case []byte:
		return b
	case string:
		return []byte(b)
	}
	return nil
}

// RotationStatus reports how far the rotation to the recorded key has
// gone, table by table.
func (s *Store) RotationStatus(ctx context.Context) (st RotationStatus, err error) {
	defer domain.Wrap(&err, "store.RotationStatus")
	if st.Current, err = storedFingerprint(ctx, s.reads); err != nil {
		return st, err
	}
	var retired []retiredKeyRow
	if err := s.reads.NewSelect().Model(&retired).Column("fingerprint").Order("retired_at", "fingerprint").Scan(ctx); err != nil {
		return st, translate(err)
	}
	for _, r := range retired {
		st.Retired = append(st.Retired, r.Fingerprint)
	}
	var rows []rotationRow
	if err := s.reads.NewSelect().Model(&rows).Where("target = ?", st.Current).Scan(ctx); err != nil {
		return st, translate(err)
	}
	byTable := make(map[string]rotationRow, len(rows))
	for _, r := range rows {
		byTable[r.Table] = r
	}
	st.Done = true
	for _, t := range sealedTables {
		r, ok := byTable[t.table]
		if !ok {
			continue
		}
		total, err := s.reads.NewSelect().Table(t.table).Count(ctx)
		if err != nil {
			return st, translate(err)
		}
		step := RotationStep{Table: t.table, Done: r.Done, Total: total, Finished: r.FinishedAt != nil}
		st.Done = st.Done && step.Finished
		st.Tables = append(st.Tables, step)
	}
	return st, nil
}
