package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"

	"github.com/whisper-schools/whisper/domain"
)

// The backlog's targets (issue #23). The time and RSS targets are the
// purge's own (purge.go); the p99 target, PostgreSQL's, is tighter here.
const (
	defaultBacklog  = 500_000 // due interactions the shortened retention makes
	maxBacklogP99   = 1.5     // submission p99 during the purge / idle, PostgreSQL
	backlogShortens = domain.Retention12
)

// runBacklog measures the purge of a backlog of due interactions on a copy
// of the national dataset: organisations shorten their retention, largest
// first, until about -n interactions fall due at once, as when schools
// decide to keep reports for a year rather than two. One copy is erased by
// a set-based statement, one by `whisperctl purge` alone, and one by the
// purge while web reports arrive; each is checked to have erased every due
// interaction and nothing else.
func runBacklog(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("backlog", flag.ExitOnError)
	flags := addDatasetFlags(fs)
	target := fs.Int("n", defaultBacklog, "due interactions to make by shortening retention (1/100 scale: 5000)")
	reports := addReportFlags(fs, "the purge")
	d, ctx, stop, err := flags.parse(ctx, fs, args)
	if err != nil {
		return err
	}
	defer stop()
	res, err := measureBacklog(ctx, d, *target, *reports.clients, *reports.idle, *reports.size)
	if err != nil {
		return err
	}
	if !res.print(os.Stdout) {
		fmt.Println("Some targets were missed (see above).")
	}
	return nil
}

// measureBacklog makes the backlog on a copy and measures its erasure,
// each way on a copy of that.
func measureBacklog(ctx context.Context, d *dataset, target, clients int, idle time.Duration, size int) (res purgeResult, err error) {
	res = purgeResult{clients: clients, store: "embedded SQLite"}
	if d.postgres() {
		res.store, res.maxP99 = "PostgreSQL", maxBacklogP99
		dbs, err := newDatabases(ctx, withDatabase(d.dbURL, "postgres"))
		if err != nil {
			return res, err
		}
		settings, err := dbs.settings(ctx)
		dbs.drop()
		if err != nil {
			return res, err
		}
		fmt.Printf("PostgreSQL: %s\n", settings)
	}
	prepared, err := d.copy(ctx)
	if err != nil {
		return res, err
	}
	defer prepared.remove()
	orgs, due, err := shortenRetention(ctx, prepared.dbURL, target)
	if err != nil {
		return res, fmt.Errorf("shortening retention: %w", err)
	}
	res.n = due
	fmt.Printf("%d organisations shortened their retention to %d months: %d interactions due; %d clients post reports\n\n",
		orgs, backlogShortens, due, clients)
	// Each run takes a copy of the prepared one, made before the
	// prepared one changes, and at most two copies exist at once.
	from := &dataset{dbURL: prepared.dbURL, keyFile: prepared.keyFile}
	onCopy := func(run func(c *datasetCopy) error) error {
		c, err := from.copy(ctx)
		if err != nil {
			return err
		}
		defer c.remove()
		return run(c)
	}
	err = onCopy(func(c *datasetCopy) error {
		since := time.Now().UTC()
		now := since.Add(time.Second)
		took, erased, err := eraseAtOnce(ctx, c.dbURL, now)
		if err != nil {
			return fmt.Errorf("set-based statement: %w", err)
		}
		res.statement = took
		return checkErased(ctx, c.dbURL, now, since, erased)
	})
	if err != nil {
		return res, err
	}
	bin, cleanup, err := buildCommand(ctx, "whisperctl")
	if err != nil {
		return res, err
	}
	defer cleanup()
	err = onCopy(func(c *datasetCopy) error {
		since := time.Now().UTC()
		p := purgeRun{bin: bin, keyFile: c.keyFile, url: c.dbURL, n: -1}
		if res.alone, err = p.run(ctx); err != nil {
			return err
		}
		return checkErased(ctx, c.dbURL, res.alone.asOf, since, res.alone.erased)
	})
	if err != nil {
		return res, err
	}
	since := time.Now().UTC()
	p := purgeRun{bin: bin, keyFile: prepared.keyFile, url: prepared.dbURL, n: -1}
	if res.idle, res.during, res.loaded, err = submitDuringPurge(ctx, p, clients, idle, size); err != nil {
		return res, err
	}
	return res, checkErased(ctx, prepared.dbURL, res.loaded.asOf, since, res.loaded.erased)
}

// reportFlags shape the web reports posted during a measurement.
type reportFlags struct {
	clients, size *int
	idle          *time.Duration
}

func addReportFlags(fs *flag.FlagSet, during string) reportFlags {
	return reportFlags{
		clients: fs.Int("clients", 8, "concurrent clients posting reports"),
		idle:    fs.Duration("idle", 15*time.Second, "how long to post reports before "+during),
		size:    fs.Int("message", 600, "bytes in each posted report's message"),
	}
}

// parse parses a national measurement's args and loads its dataset; an
// interrupt ends the context it returns, so that the copies are removed.
func (f datasetFlags) parse(ctx context.Context, fs *flag.FlagSet, args []string) (*dataset, context.Context, context.CancelFunc, error) {
	fs.Parse(args)
	d, err := f.load()
	if err != nil {
		return nil, ctx, func() {}, err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	return d, ctx, stop, nil
}

// openRaw opens the database behind a store URL (postgres://… or
// sqlite:PATH, as whisperd takes it) for plain SQL, with bun formatting
// the arguments (times above all) as the store writes them.
func openRaw(dbURL string) (*bun.DB, error) {
	if path, ok := strings.CutPrefix(dbURL, "sqlite:"); ok {
		db, err := sql.Open("sqlite", "file:"+path+"?"+sqlitePragmas)
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(1)
		return bun.NewDB(db, sqlitedialect.New()), nil
	}
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return nil, err
	}
	return bun.NewDB(db, pgdialect.New()), nil
}

// dueAt is the SQL condition that an interaction (not erased, not held)
// is past its organisation's retention at now, as domain.PurgeDue decides
// it: for each retention period, the organisations that keep reports that
// long and the cutoff that period gives.
func dueAt(now time.Time) (string, []any) {
	var terms []string
	var args []any
	for _, r := range []domain.Retention{domain.Retention6, domain.Retention12, domain.Retention24, domain.Retention36} {
		cutoff := r.Before(now)
		terms = append(terms, `(org_id IN (SELECT id FROM organisations WHERE retention_months = ?) AND
		((status = 'closed' AND COALESCE(closed_at, last_activity_at) <= ?) OR (status <> 'closed' AND last_activity_at <= ?)))`)
		args = append(args, int(r), cutoff, cutoff)
	}
	return "(" + strings.Join(terms, " OR ") + ")", args
}

// shortenRetention shortens the retention of organisations, largest
// backlog first, until at least target interactions are due: the column
// an admin's change of settings sets (app.Admin.UpdateOrgSettings, whose
// audit entry is left out here). It returns
// how many organisations changed and how many interactions are due in all
// (those already due under the old retention too).
func shortenRetention(ctx context.Context, dbURL string, target int) (orgs, due int, err error) {
	db, err := openRaw(dbURL)
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	now := time.Now().UTC()
	cutoff := backlogShortens.Before(now)
	var counts []struct {
		OrgID string `bun:"org_id"`
		N     int    `bun:"n"`
	}
	err = db.NewRaw(`SELECT org_id, count(*) AS n FROM interactions
	WHERE erased_at IS NULL AND NOT legal_hold AND org_id IN (SELECT id FROM organisations WHERE retention_months > ?)
		AND ((status = 'closed' AND COALESCE(closed_at, last_activity_at) <= ?) OR (status <> 'closed' AND last_activity_at <= ?))
	GROUP BY org_id ORDER BY n DESC, org_id`, int(backlogShortens), cutoff, cutoff).Scan(ctx, &counts)
	if err != nil {
		return 0, 0, err
	}
	var chosen []string
	for sum := 0; orgs < len(counts) && sum < target; orgs++ {
		chosen = append(chosen, counts[orgs].OrgID)
		sum += counts[orgs].N
	}
	if len(chosen) == 0 {
		return 0, 0, errors.New("no organisation holds interactions that a shorter retention would make due")
	}
	if _, err := db.NewRaw("UPDATE organisations SET retention_months = ? WHERE id IN (?)", int(backlogShortens), bun.List(chosen)).Exec(ctx); err != nil {
		return 0, 0, err
	}
	where, args := dueAt(now)
	err = db.NewRaw("SELECT count(*) FROM interactions WHERE erased_at IS NULL AND NOT legal_hold AND "+where, args...).Scan(ctx, &due)
	return orgs, due, err
}

// eraseAtOnce erases, set-based, what the purge erases
// (adapters/store/erase.go) of every interaction due at now: the
// interactions' names, token hashes and contacts, their messages' texts,
// addresses and towns, and their outbox rows, notes, history, search
// words and reply pacing. On PostgreSQL it is one statement; SQLite has no
// UPDATE in a WITH, so there it is one transaction of one statement a
// table. It returns how many interactions it erased.
func eraseAtOnce(ctx context.Context, dbURL string, now time.Time) (took time.Duration, erased int, err error) {
	db, err := openRaw(dbURL)
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	postgres := !strings.HasPrefix(dbURL, "sqlite:")
	checkpoint := "PRAGMA wal_checkpoint(TRUNCATE)"
	if postgres {
		checkpoint = "CHECKPOINT"
	}
	if _, err := db.ExecContext(ctx, checkpoint); err != nil {
		return 0, 0, err
	}
	where, args := dueAt(now)
	const clear = `UPDATE interactions SET reporter_name_sealed = NULL, token_hash = NULL, email_sealed = NULL, email_index = NULL,
		phone_sealed = NULL, phone_index = NULL, erased_at = ?`
	texts := "UPDATE messages SET body_sealed = NULL, ip_sealed = NULL, location_sealed = NULL WHERE interaction_id IN "
	deletes := []string{"outbox", "notes", "interaction_history", "interaction_words", "reply_alerts", "reply_limit_notices"}
	start := time.Now()
	if postgres {
		stmt := "WITH erased AS (" + clear + " WHERE erased_at IS NULL AND NOT legal_hold AND " + where + " RETURNING id), " +
			"texts AS (" + texts + "(SELECT id FROM erased))"
		for _, table := range deletes {
			stmt += ", " + table + "_gone AS (DELETE FROM " + table + " WHERE interaction_id IN (SELECT id FROM erased))"
		}
		err = db.NewRaw(stmt+" SELECT count(*) FROM erased", append([]any{now}, args...)...).Scan(ctx, &erased)
		return time.Since(start), erased, err
	}
	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "CREATE TEMP TABLE erased AS SELECT id FROM interactions WHERE erased_at IS NULL AND NOT legal_hold AND "+where, args...); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, clear+" WHERE id IN (SELECT id FROM erased)", now)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		erased = int(n)
		stmts := []string{texts + "(SELECT id FROM erased)"}
		for _, table := range deletes {
			stmts = append(stmts, "DELETE FROM "+table+" WHERE interaction_id IN (SELECT id FROM erased)")
		}
		for _, stmt := range append(stmts, "DROP TABLE erased") {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	})
	return time.Since(start), erased, err
}

// checkErased checks that an erasure as of asOf, begun at since, erased
// every interaction then due and nothing else, and cleared what erasure
// clears: erased says how many it said it erased.
func checkErased(ctx context.Context, dbURL string, asOf, since time.Time, erased int) error {
	db, err := openRaw(dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	where, args := dueAt(asOf)
	checks := []struct {
		what, query string
		args        []any
		want        int
	}{
		{"due interactions left unerased", "SELECT count(*) FROM interactions WHERE erased_at IS NULL AND NOT legal_hold AND " + where, args, 0},
		{"interactions erased that were not due", "SELECT count(*) FROM interactions WHERE erased_at >= ? AND NOT " + where, append([]any{since}, args...), 0},
		{"interactions erased", "SELECT count(*) FROM interactions WHERE erased_at >= ?", []any{since}, erased},
		{"erased interactions keeping a name, token or contact", `SELECT count(*) FROM interactions WHERE erased_at >= ? AND (reporter_name_sealed IS NOT NULL
			OR token_hash IS NOT NULL OR email_sealed IS NOT NULL OR email_index IS NOT NULL OR phone_sealed IS NOT NULL OR phone_index IS NOT NULL)`, []any{since}, 0},
		{"erased interactions' messages keeping a text, address or town", `SELECT count(*) FROM messages WHERE (body_sealed IS NOT NULL OR ip_sealed IS NOT NULL
			OR location_sealed IS NOT NULL) AND interaction_id IN (SELECT id FROM interactions WHERE erased_at >= ?)`, []any{since}, 0},
		{"erased interactions' outbox rows", "SELECT count(*) FROM outbox WHERE interaction_id IN (SELECT id FROM interactions WHERE erased_at >= ?)", []any{since}, 0},
	}
	for _, c := range checks {
		var n int
		if err := db.NewRaw(c.query, c.args...).Scan(ctx, &n); err != nil {
			return fmt.Errorf("counting %s: %w", c.what, err)
		}
		if n != c.want {
			return fmt.Errorf("%d %s, want %d", n, c.what, c.want)
		}
	}
	return nil
}
