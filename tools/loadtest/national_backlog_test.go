package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// tinyDataset seeds a tiny national dataset (three organisations, 2,000
// interactions over the 36 months before ends) on SQLite or, with
// postgres, on the test server (testPostgres: skipped without one, unless
// WHISPER_REQUIRE_POSTGRES=1).
func tinyDataset(t *testing.T, postgres bool, ends time.Time) *dataset {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	d := &dataset{dbURL: "sqlite:" + filepath.Join(dir, "whisper.db"), keyFile: filepath.Join(dir, "whisper.db.key"),
		password: seedTestPassword}
	keyFlag := ""
	if postgres {
		pgURL := testPostgres(t)
		dbs, err := newDatabases(ctx, pgURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(dbs.drop)
		name, err := dbs.create(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		d.dbURL, d.keyFile = withDatabase(pgURL, name), filepath.Join(dir, "data.key")
		keyFlag = d.keyFile
	}
	res, err := seedDataset(ctx, seedConfig{dbURL: d.dbURL, keyFile: keyFlag, password: seedTestPassword,
		orgs: 3, interactions: 2000, months: 36, seed: 7, workers: 2, analyze: true, now: ends.UTC()})
	if err != nil {
		t.Fatal(err)
	}
	d.seedResult = res
	return d
}

func TestBacklogSQLite(t *testing.T)   { testBacklog(t, false) }
func TestBacklogPostgres(t *testing.T) { testBacklog(t, true) }

// testBacklog measures a backlog of 200 on a tiny dataset: every way of
// erasing it erased what was due (measureBacklog checks each copy), the
// figures are there, and the seeded database itself is unchanged.
func testBacklog(t *testing.T, postgres bool) {
	d := tinyDataset(t, postgres, time.Now())
	ctx := context.Background()
	erasedBefore := countErased(t, d.dbURL)
	res, err := measureBacklog(ctx, d, 200, 2, time.Second, 200)
	if err != nil {
		t.Fatal(err)
	}
	if res.n < 200 {
		t.Errorf("the backlog is %d interactions, want at least 200", res.n)
	}
	if res.statement <= 0 || res.alone.took <= 0 || res.loaded.took <= 0 {
		t.Errorf("times: statement %s, purge %s, purge under load %s; want all positive", res.statement, res.alone.took, res.loaded.took)
	}
	for name, o := range map[string]purgeOutcome{"alone": res.alone, "under load": res.loaded} {
		if o.erased < res.n || o.rssKiB <= 0 {
			t.Errorf("purge %s erased %d of a backlog of %d, peak RSS %d KiB", name, o.erased, res.n, o.rssKiB)
		}
	}
	if res.idle.ok == 0 || res.during.ok == 0 {
		t.Errorf("reports taken: %d idle, %d during the purge; want some of each", res.idle.ok, res.during.ok)
	}
	if got := countErased(t, d.dbURL); got != erasedBefore {
		t.Errorf("the seeded database now holds %d erased interactions, %d before: it was changed", got, erasedBefore)
	}
}

func countErased(t *testing.T, dbURL string) int {
	t.Helper()
	n, err := countRows(context.Background(), dbURL, "SELECT count(*) FROM interactions WHERE erased_at IS NOT NULL")
	if err != nil {
		t.Fatal(err)
	}
	return n
}
