package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The operator's tests seed a dataset ending ten days ago, so that about
// ten days' worth are due for the purge.
func TestOperatorSQLite(t *testing.T) {
	checkOperator(t, tinyDataset(t, false, time.Now().AddDate(0, 0, -10)))
}

func TestOperatorPostgres(t *testing.T) {
	checkOperator(t, tinyDataset(t, true, time.Now().AddDate(0, 0, -10)))
}

// checkOperator runs the whole measurement on copies of d: every figure is there, dsar found the seeded reporters,
// the purge erased what the dry run counted, and the rotation finished
// while whisperd took reports.
func checkOperator(t *testing.T, d *dataset) {
	ctx := context.Background()
	res, err := measureOperator(ctx, d, operatorConfig{statsRuns: 1, dsarRuns: 2, rate: 20, idle: time.Second})
	require.NoError(t, err)
	for i := range res.statsAll {
		assert.Positive(t, res.statsAll[i].took, "stats over all")
		assert.Positive(t, res.statsAll[i].rssKiB, "stats over all")
		assert.Positive(t, res.statsMedian[i].took, "stats of the median organisation")
		assert.Positive(t, grandTotal(t, res.statsAll[i]), "stats over all counted interactions")
	}
	assert.Positive(t, res.dsarNobody)
	assert.Positive(t, res.dsarEmail)
	assert.Positive(t, res.dsarPhone)
	assert.Equal(t, [2]int{1, 1}, res.dsarFound, "dsar found one interaction by a seeded email and one by a seeded phone")
	assert.Positive(t, res.purgeErased, "the purge erased the days' due interactions")
	assert.GreaterOrEqual(t, res.purgeErased, res.purgeDue, "the purge erased what the dry run counted (and what fell due since)")
	rt := res.rotation
	assert.True(t, rt.done, "key status says done")
	assert.True(t, rt.answered, "whisperd takes reports after the rotation")
	assert.GreaterOrEqual(t, rt.interactions, int64(d.Interactions), "every seeded interaction re-sealed")
	assert.Greater(t, rt.rows, rt.interactions, "messages and the other tables re-sealed too")
	assert.Positive(t, rt.idle.ok, "reports taken before the rotation")
	assert.Zero(t, rt.idle.failed+rt.during.failed, "no report refused")
	assert.Positive(t, rt.whisperdPeak)
}

// grandTotal reads the grand total whisperctl stats --json printed.
func grandTotal(t *testing.T, o ctlOutcome) int {
	t.Helper()
	var rows []struct {
		Month, Inbox, Channel, Region string
		Total                         bool
		Count                         *int
	}
	require.NoError(t, json.Unmarshal(o.stdout, &rows))
	for _, r := range rows {
		if r.Total && r.Month == "" && r.Inbox == "" && r.Channel == "" && r.Region == "" && r.Count != nil {
			return *r.Count
		}
	}
	return 0
}
