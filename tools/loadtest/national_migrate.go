package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"sync"
	"testing/fstest"
	"text/tabwriter"
	"time"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/adapters/store/seal"
)

// The migration's target (issue #23): no report waits more than this for
// a lock a migration holds or queues it behind.
const maxMigrationBlock = time.Second

// lockSampleEvery is how often pg_locks is read for waits.
const lockSampleEvery = 50 * time.Millisecond

// migrationApp names the migrating sessions in pg_stat_activity, so that
// their own waits are told apart from reports'.
const migrationApp = "whisper-loadtest-migrate"

// sampleMigration is a representative new release's schema change, never
// one of the product's: applied through the store's migrator after the
// product's migrations, step by step, each step timed. It keeps the rules
// of adapters/store/migration_locks_test.go: nullable columns and a
// constant default (no rewrite), one large table a transaction, an index
// built CONCURRENTLY, and a backfill in batches that commits each (a DO
// block outside a transaction).
var sampleMigration = []struct{ name, sql string }{
	{"20991231000047_sample_interactions.tx.up.sql", `ALTER TABLE interactions ADD COLUMN sample_note TEXT,
	ADD COLUMN sample_priority INTEGER NOT NULL DEFAULT 0`},
	{"20991231000048_sample_messages.tx.up.sql", `ALTER TABLE messages ADD COLUMN sample_lang TEXT`},
	{"20991231000049_sample_index.up.sql", `DROP INDEX CONCURRENTLY IF EXISTS interactions_sample_priority
--bun:split
CREATE INDEX CONCURRENTLY interactions_sample_priority ON interactions (org_id, sample_priority)`},
	{"20991231000050_sample_backfill.up.sql", `DO $$
DECLARE
	done TEXT := '';
	upto TEXT;
BEGIN
	LOOP
		SELECT max(id) INTO upto FROM (SELECT id FROM messages WHERE id > done ORDER BY id LIMIT 5000) AS batch;
		EXIT WHEN upto IS NULL;
		UPDATE messages SET sample_lang = 'en' WHERE id > done AND id <= upto;
		done := upto;
		COMMIT;
	END LOOP;
END $$`},
}

// runMigrate measures a new migration applied on a copy of the national
// dataset while whisperd (on the old schema) takes web reports.
func runMigrate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ExitOnError)
	flags := addDatasetFlags(fs)
	reports := addReportFlags(fs, "the migration")
	d, ctx, stop, err := flags.parse(ctx, fs, args)
	if err != nil {
		return err
	}
	defer stop()
	if !d.postgres() {
		return errors.New("PostgreSQL only: on SQLite a migration holds the one writer, and whisperd applies migrations before it serves")
	}
	res, err := measureMigrate(ctx, d, *reports.clients, *reports.idle, *reports.size)
	if err != nil {
		return err
	}
	if !res.print(os.Stdout) {
		fmt.Println("Some targets were missed (see above).")
	}
	return nil
}

// migrateResult is the whole measurement.
type migrateResult struct {
	clients      int
	steps        []time.Duration // each of sampleMigration's
	idle, during measurement
	samples      int
	// reportWait and migrationWait are the longest lock waits sampled
	// of other sessions (whisperd's) and of the migration's own.
	reportWait, migrationWait time.Duration
}

func measureMigrate(ctx context.Context, d *dataset, clients int, idle time.Duration, size int) (res migrateResult, err error) {
	res.clients = clients
	c, err := d.copy(ctx)
	if err != nil {
		return res, err
	}
	defer c.remove()
	key, err := d.key()
	if err != nil {
		return res, err
	}
	w, err := startWhisper(ctx, c.dbURL, key)
	if err != nil {
		return res, err
	}
	defer w.close()
	s, err := webReports.whisper(w, size)
	if err != nil {
		return res, err
	}
	var n counter
	drive(ctx, config{clients: clients, round: time.Second, messageBytes: size}, s, &n) // warm up
	res.idle = drive(ctx, config{clients: clients, round: idle, messageBytes: size}, s, &n)

	before, err := countRows(ctx, c.dbURL, "SELECT count(*) FROM messages")
	if err != nil {
		return res, err
	}
	migrating, done := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var sampleErr, migrateErr error
	wg.Go(func() {
		res.samples, res.reportWait, res.migrationWait, sampleErr = sampleLockWaits(migrating, c.dbURL)
	})
	wg.Go(func() {
		defer done()
		res.steps, migrateErr = applySample(ctx, c.dbURL, key)
	})
	res.during = drive(migrating, config{clients: clients, round: 24 * time.Hour, messageBytes: size}, s, &n)
	wg.Wait()
	if err := errors.Join(migrateErr, sampleErr); err != nil {
		return res, err
	}
	if res.idle.ok == 0 || res.during.ok == 0 {
		return res, fmt.Errorf("no report was taken (idle %d failed, during %d failed)", res.idle.failed, res.during.failed)
	}
	// The migration did what it says: every message there before it
	// backfilled, and the index built and valid.
	filled, err := countRows(ctx, c.dbURL, "SELECT count(*) FROM messages WHERE sample_lang = 'en'")
	if err != nil {
		return res, err
	}
	valid, err := countRows(ctx, c.dbURL, `SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
	WHERE c.relname = 'interactions_sample_priority' AND i.indisvalid`)
	if err != nil {
		return res, err
	}
	if filled < before || valid != 1 {
		return res, fmt.Errorf("the migration backfilled %d of %d messages and built %d valid indexes, want all and 1", filled, before, valid)
	}
	return res, nil
}

// countRows runs a count query on the database at dbURL.
func countRows(ctx context.Context, dbURL, query string) (int, error) {
	db, err := openRaw(dbURL)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int
	err = db.NewRaw(query).Scan(ctx, &n)
	return n, err
}

// applySample applies sampleMigration through the store's migrator, as a
// new whisperd would on starting, one step at a time (each call names the
// steps before it too, as a release does), in sessions named migrationApp.
func applySample(ctx context.Context, dbURL string, key []byte) ([]time.Duration, error) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return nil, errors.New("the database URL does not parse")
	}
	q := u.Query()
	q.Set("application_name", migrationApp)
	u.RawQuery = q.Encode()
	keys, err := seal.New(key)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, u.String(), keys)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	files := fstest.MapFS{}
	var steps []time.Duration
	for _, m := range sampleMigration {
		files[m.name] = &fstest.MapFile{Data: []byte(m.sql)}
		start := time.Now()
		applied, err := st.MigrateWith(ctx, files)
		if err != nil {
			return steps, fmt.Errorf("migration %s: %w", m.name, err)
		}
		if len(applied) != 1 {
			return steps, fmt.Errorf("migration %s: applied %v", m.name, applied)
		}
		steps = append(steps, time.Since(start))
	}
	return steps, nil
}

// sampleLockWaits reads pg_locks every lockSampleEvery until ctx ends and
// returns how many samples it took and the longest wait it saw of other
// sessions and of the migration's.
func sampleLockWaits(ctx context.Context, dbURL string) (samples int, others, migration time.Duration, err error) {
	db, err := openRaw(dbURL)
	if err != nil {
		return 0, 0, 0, err
	}
	defer db.Close()
	const query = `SELECT COALESCE(a.application_name = ?, false) AS migration,
		COALESCE(EXTRACT(EPOCH FROM max(clock_timestamp() - l.waitstart)), 0) AS waited
	FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
	WHERE NOT l.granted AND l.waitstart IS NOT NULL AND a.datname = current_database()
	GROUP BY 1`
	tick := time.NewTicker(lockSampleEvery)
	defer tick.Stop()
	for {
		var rows []struct {
			Migration bool    `bun:"migration"`
			Waited    float64 `bun:"waited"`
		}
		if err := db.NewRaw(query, migrationApp).Scan(context.Background(), &rows); err != nil {
			return samples, others, migration, err
		}
		samples++
		for _, r := range rows {
			waited := time.Duration(r.Waited * float64(time.Second))
			if r.Migration {
				migration = max(migration, waited)
			} else {
				others = max(others, waited)
			}
		}
		select {
		case <-ctx.Done():
			return samples, others, migration, nil
		case <-tick.C:
		}
	}
}

// print writes the results and reports whether the target was met.
func (r migrateResult) print(w io.Writer) bool {
	fmt.Fprintln(w, "A new migration applied while reports arrive — PostgreSQL")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "step\ttime\t")
	var total time.Duration
	for i, took := range r.steps {
		fmt.Fprintf(tw, "%s\t%.2f s\t\n", sampleMigration[i].name, took.Seconds())
		total += took
	}
	fmt.Fprintf(tw, "all\t%.2f s\t\n", total.Seconds())
	tw.Flush()
	fmt.Fprintf(w, "\nWeb report submission — PostgreSQL, %d clients\n", r.clients)
	printTable(w, row{"idle", r.idle}, row{"during migration", r.during})
	longest := r.during.percentile(1)
	met := longest <= maxMigrationBlock && r.reportWait <= maxMigrationBlock
	fmt.Fprintf(w, "longest report: idle %s, during %s (idle p99 %s); lock waits sampled every %s (%d samples): longest by another session %s, by the migration %s\n",
		fmtDur(r.idle.percentile(1)), fmtDur(longest), fmtDur(r.idle.percentile(0.99)), lockSampleEvery, r.samples, fmtDur(r.reportWait), fmtDur(r.migrationWait))
	fmt.Fprintf(w, "target: no report blocked > %s: %s\n\n", maxMigrationBlock, verdict(met))
	return met
}
