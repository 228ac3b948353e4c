package main

import (
	"context"
	"testing"
	"time"
)

// TestMigratePostgres applies the sample migration to a copy of a tiny
// dataset while reports arrive: every step is applied and timed
// (measureMigrate checks the backfill and the index), reports were taken
// throughout, pg_locks was sampled, and the seeded database is unchanged.
func TestMigratePostgres(t *testing.T) {
	d := tinyDataset(t, true, time.Now())
	ctx := context.Background()
	res, err := measureMigrate(ctx, d, 2, time.Second, 200)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.steps) != len(sampleMigration) {
		t.Fatalf("%d steps applied, want %d", len(res.steps), len(sampleMigration))
	}
	for i, took := range res.steps {
		if took <= 0 {
			t.Errorf("step %s took %s", sampleMigration[i].name, took)
		}
	}
	if res.idle.ok == 0 || res.during.ok == 0 || res.samples == 0 {
		t.Errorf("reports taken: %d idle, %d during; %d lock samples; want some of each", res.idle.ok, res.during.ok, res.samples)
	}
	n, err := countRows(ctx, d.dbURL, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'messages' AND column_name = 'sample_lang'")
	if err != nil || n != 0 {
		t.Errorf("the seeded database has the sample column (%d, %v): it was changed", n, err)
	}
}
