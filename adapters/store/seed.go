package store

import (
	"context"
	"reflect"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// This file is a facility for tests and benchmarks (`loadtest seed`), not
// part of ports.Store: it writes a dataset of thousands of interactions in
// one transaction, sealed exactly as the store seals a report, a reply and
// the word index, and erased exactly as Erase leaves them. Nothing a
// request needs goes through it.

// SeedInteraction is one interaction of a seeded dataset.
type SeedInteraction struct {
	// Report is the interaction and its first message as AcceptInteraction
	// takes them. Its Text must be nil: seeding claims no SMS text.
	Report ports.NewInteraction
	// Later are the messages after the first, of either party, in order.
	Later []SeedMessage
	// ErasedAt, when set, stores the interaction as the retention purge
	// leaves it at that moment: no name, token, contact, texts, address,
	// town, outbox rows or words; statistics columns kept.
	ErasedAt *time.Time
	// WarnedAt, when set, stores the interaction as one its admins were
	// warned of at that moment, as the nightly purge marks it.
	WarnedAt *time.Time
}

// SeedMessage is a message added after the first, with its footprint.
type SeedMessage struct {
	Message *domain.Message
	Meta    domain.Meta
}

// Seed writes batch, one multi-row INSERT (SQLite) or COPY (PostgreSQL)
// per table. The sealing happens first, so callers running Seed at once
// seal in parallel while their writes queue for the database. It checks
// nothing a request would: references must be unique and the forms,
// inboxes and staff must exist. On PostgreSQL a batch is one transaction;
// on SQLite each table's rows commit on their own (see below).
func (s *Store) Seed(ctx context.Context, batch []SeedInteraction) error {
	t := &tx{db: s.db, keys: s.keys, postgres: s.postgres}
	reports := make([]ports.NewInteraction, len(batch))
	for i, si := range batch {
		reports[i] = si.Report
		reports[i].Text = nil
		if si.ErasedAt != nil {
			// What Erase deletes is never written.
			reports[i].Deliveries = nil
		}
	}
	rows := t.rowsOf(reports)
	rows.words = rows.words[:0]
	for i, si := range batch {
		texts := []string{si.Report.Message.Body}
		thread := []*messageRow{rows.messages[i]}
		for _, m := range si.Later {
			row := t.newMessageRow(m.Message, m.Meta)
			rows.messages = append(rows.messages, row)
			thread = append(thread, row)
			texts = append(texts, m.Message.Body)
		}
		setReplyColumns(rows.interactions[i], thread...)
		if si.ErasedAt == nil {
			rows.words = append(rows.words, t.newWordsRow(si.Report.Interaction.ID, texts...))
			continue
		}
		// The columns Erase clears (erase.go), cleared before they are
		// ever written.
		ia := rows.interactions[i]
		ia.ReporterNameSealed, ia.TokenHash = nil, nil
		ia.EmailSealed, ia.EmailIndex, ia.PhoneSealed, ia.PhoneIndex = nil, nil, nil, nil
		ia.ErasedAt = si.ErasedAt
	}
	erased := make(map[string]bool)
	for _, si := range batch {
		if si.ErasedAt != nil {
			erased[string(si.Report.Interaction.ID)] = true
		}
	}
	if len(erased) > 0 {
		for _, m := range rows.messages {
			if erased[m.InteractionID] {
				m.BodySealed, m.IPSealed, m.LocationSealed = nil, nil, nil
			}
		}
	}
	if s.postgres {
		if err := s.copyRows(ctx, rows); err != nil {
			return err
		}
		return s.markSeededWarned(ctx, batch)
	}
	// On SQLite each table's INSERT commits on its own, holding the one
	// write slot throughout. Inside a transaction of several statements
	// SQLite keeps a statement journal of every page each one changes,
	// which was a quarter of the seed's work; a statement that commits on
	// its own needs none. The price is atomicity: a batch that fails
	// half-way leaves interactions without their messages, and the seed
	// is run again into a new database.
	release, err := s.takeWriter(ctx)
	if err != nil {
		return err
	}
	defer release()
	if err := rows.insertEach(ctx, &tx{db: s.db, keys: s.keys}); err != nil {
		return err
	}
	return s.markSeededWarned(ctx, batch)
}

// markSeededWarned marks the interactions of batch warned of at their
// WarnedAt, one UPDATE for each moment (the seed warns at night, so a
// batch has few).
func (s *Store) markSeededWarned(ctx context.Context, batch []SeedInteraction) error {
	byMoment := map[time.Time][]string{}
	for _, si := range batch {
		if si.WarnedAt != nil {
			byMoment[*si.WarnedAt] = append(byMoment[*si.WarnedAt], string(si.Report.Interaction.ID))
		}
	}
	for at, ids := range byMoment {
		if _, err := s.db.NewUpdate().Model((*interactionRow)(nil)).Set("erasure_warned_at = ?", at).
			Where("id IN (?)", bun.List(ids)).Exec(ctx); err != nil {
			return translate(err)
		}
	}
	return nil
}

// copyRows writes rows to PostgreSQL with COPY, in one transaction of its
// own: the same rows, column for column, that insertEach's INSERTs write,
// without PostgreSQL parsing them from SQL text (every sealed value
// written out in hex), which was most of its work.
func (s *Store) copyRows(ctx context.Context, rows reportRows) error {
	conn, err := s.db.DB.Conn(ctx)
	if err != nil {
		return translate(err)
	}
	defer conn.Close()
	return translate(conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		return pgx.BeginFunc(ctx, pc, func(ptx pgx.Tx) error {
			if err := copyTable(ctx, s.db, ptx, rows.interactions); err != nil {
				return err
			}
			if err := copyTable(ctx, s.db, ptx, rows.messages); err != nil {
				return err
			}
			if err := copyTable(ctx, s.db, ptx, rows.words); err != nil {
				return err
			}
			return copyTable(ctx, s.db, ptx, rows.deliveries)
		})
	}))
}

// copyTable copies rows into their table, every column bun would insert.
func copyTable[R any](ctx context.Context, db *bun.DB, ptx pgx.Tx, rows []*R) error {
	if len(rows) == 0 {
		return nil
	}
	table := db.Table(reflect.TypeFor[R]())
	columns := make([]string, len(table.Fields))
	for i, f := range table.Fields {
		columns[i] = f.Name
	}
	_, err := ptx.CopyFrom(ctx, pgx.Identifier{table.Name}, columns, pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
		v := reflect.ValueOf(rows[i]).Elem()
		values := make([]any, len(table.Fields))
		for j, f := range table.Fields {
			values[j] = f.Value(v).Interface()
		}
		return values, nil
	}))
	return err
}

// seededTables are the tables Seed writes.
var seededTables = []string{"interactions", "messages", "outbox", "interaction_words"}

// SeedBulk runs fill, which calls Seed, and on SQLite does so with the
// secondary indexes of the seeded tables dropped, building them again
// afterwards exactly as the migrations defined them (their SQL is read
// back from sqlite_master). Inserting millions of rows into a dozen
// indexes keyed on random ids touches a random page of each per row,
// most of them read from the file and written to the log again at every
// commit; building an index once the rows are in sorts them instead. The
// unique constraints' own indexes stay, and so do the triggers. If fill
// fails the indexes are still built, so the file is whole as far as it
// got. PostgreSQL's COPY keeps its indexes: it is fast enough with them.
func (s *Store) SeedBulk(ctx context.Context, fill func() error) (err error) {
	if s.postgres {
		return fill()
	}
	type index struct{ Name, SQL string }
	var indexes []index
	err = s.db.NewSelect().Table("sqlite_master").Column("name", "sql").
		Where("type = 'index' AND sql IS NOT NULL AND tbl_name IN (?)", bun.List(seededTables)).
		OrderExpr("rowid").Scan(ctx, &indexes)
	if err != nil {
		return translate(err)
	}
	each := func(stmt func(index) string) error {
		release, err := s.takeWriter(ctx)
		if err != nil {
			return err
		}
		defer release()
		for _, ix := range indexes {
			if _, err := s.db.ExecContext(ctx, stmt(ix)); err != nil {
				return translate(err)
			}
		}
		return nil
	}
	if err := each(func(ix index) string { return "DROP INDEX " + ix.Name }); err != nil {
		return err
	}
	defer func() {
		// Built even when ctx is done: the seed stops, the file stays whole.
		ctx = context.WithoutCancel(ctx)
		if buildErr := each(func(ix index) string { return ix.SQL }); err == nil {
			err = buildErr
		}
	}()
	return fill()
}
