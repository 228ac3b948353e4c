package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPortalSQLite(t *testing.T)   { checkPortal(t, tinyDataset(t, false, time.Now())) }
func TestPortalPostgres(t *testing.T) { checkPortal(t, tinyDataset(t, true, time.Now())) }

// checkPortal runs the portal measurement on a copy of d with fewer pages and reads than by default,
// and checks that every figure is there and that the seeded database was
// left as it was.
func checkPortal(t *testing.T, d *dataset) {
	ctx := context.Background()
	got, err := measurePortal(ctx, d, portalConfig{spread: 3, cases: 10, stats: 2})
	require.NoError(t, err)
	assert.Empty(t, got.problems, "every page answers 200 with the rows its total leaves it")

	for _, side := range []portalSide{got.largest, got.median} {
		o := side.org
		assert.NotEmpty(t, o.email)
		assert.Positive(t, o.live, o.label)
		assert.Equal(t, (o.live+24)/25, o.pages, "%s: the unfiltered list's pages", o.label)
		require.Len(t, side.filters, 1+len(portalFilters(time.Now())), o.label)
		assert.Equal(t, o.live, side.filters[0].total, "%s: the unfiltered list counts every live report", o.label)
		assert.Equal(t, o.pages, side.filters[0].read, "%s: every page of the unfiltered list is read", o.label)
		for _, f := range side.filters {
			assert.Positive(t, f.m.ok, "%s %s", o.label, f.name)
			assert.Zero(t, f.m.failed, "%s %s", o.label, f.name)
			assert.Positive(t, f.m.percentile(0.5), "%s %s", o.label, f.name)
			if f.name == "urgent=1" || f.name == "assignee=me" {
				// The marks made on the copy are found.
				assert.Positive(t, f.total, "%s %s", o.label, f.name)
			}
		}
		assert.Equal(t, min(10, o.live), side.cases.ok, o.label)
		assert.Positive(t, side.cases.percentile(0.5), o.label)
		require.Len(t, side.stats, 2)
		for _, s := range side.stats {
			assert.Equal(t, 2, s.ok, o.label)
			assert.Positive(t, s.percentile(1), o.label)
		}
	}
	assert.Equal(t, string(d.LargestOrg), got.largest.org.id)
	assert.NotEqual(t, got.largest.org.id, got.median.org.id)
	assert.Greater(t, got.largest.org.live, got.median.org.live)
	assert.Positive(t, got.idleRSS)
	assert.GreaterOrEqual(t, got.peak, got.idleRSS)
	assert.Positive(t, got.peakAnon)
	var out strings.Builder
	got.print(&out)
	assert.Contains(t, out.String(), "GET /staff/interactions/{ref}")

	// The measurement marked and read a copy: the seeded database has no
	// urgent or assigned interaction, and nobody has read any.
	db, err := openRaw(d.dbURL)
	require.NoError(t, err)
	defer db.Close()
	for _, q := range []string{
		"SELECT count(*) FROM interactions WHERE urgent OR assignee_id IS NOT NULL",
		"SELECT count(*) FROM case_reads",
	} {
		var n int
		require.NoError(t, db.QueryRowContext(ctx, q).Scan(&n))
		assert.Zero(t, n, q)
	}
}
