package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
)

// scenario is one kind of traffic: web reports or signed SMS webhooks.
type scenario struct {
	name, key string
	// minThroughput and maxP99 are the targets, as ratios to the ceiling.
	minThroughput, maxP99 float64
	ceiling               func(db *ceilingDB, messageBytes int) (side, func(), error)
	whisper               func(w *whisperServer, messageBytes int) (side, error)
}

// result compares the two sides of one scenario on one store.
type result struct {
	store, scenario       string
	minThroughput, maxP99 float64
	ceiling, whisper      measurement
}

// compare alternates the ceiling (A) and Whisper (B) on the same store.
func compare(ctx context.Context, cfg config, kind storeKind, sc scenario) (result, error) {
	res := result{store: kind.name, scenario: sc.name, minThroughput: sc.minThroughput, maxP99: sc.maxP99}
	env, err := kind.open(ctx)
	if err != nil {
		return res, err
	}
	defer env.close()
	a, stopA, err := sc.ceiling(env.ceiling, cfg.messageBytes)
	if err != nil {
		return res, err
	}
	defer stopA()
	b, err := sc.whisper(env.whisper, cfg.messageBytes)
	if err != nil {
		return res, err
	}
	var n counter
	for range cfg.rounds {
		res.ceiling.add(drive(ctx, cfg, a, &n))
		res.whisper.add(drive(ctx, cfg, b, &n))
	}
	if res.whisper.ok == 0 || res.ceiling.ok == 0 {
		return res, fmt.Errorf("no request succeeded (ceiling %d failed, whisper %d failed)", res.ceiling.failed, res.whisper.failed)
	}
	return res, nil
}

// print writes the comparison and reports whether the targets were met.
func (r result) print(w io.Writer) bool {
	tput := r.whisper.throughput() / r.ceiling.throughput()
	p99 := float64(r.whisper.percentile(0.99)) / float64(r.ceiling.percentile(0.99))
	met := tput >= r.minThroughput && (r.maxP99 == 0 || p99 <= r.maxP99)
	fmt.Fprintf(w, "%s — %s\n", r.scenario, r.store)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\trequests\tfailed\tper second\tp50\tp99\t")
	for _, row := range []struct {
		name string
		m    measurement
	}{{"ceiling", r.ceiling}, {"whisper", r.whisper}} {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f\t%s\t%s\t\n", row.name, row.m.ok, row.m.failed, row.m.throughput(),
			fmtDur(row.m.percentile(0.5)), fmtDur(row.m.percentile(0.99)))
	}
	tw.Flush()
	verdict := "met"
	if !met {
		verdict = "MISSED"
	}
	target := fmt.Sprintf("≥ %.1f× throughput", r.minThroughput)
	if r.maxP99 > 0 {
		target += fmt.Sprintf(", p99 ≤ %.1f×", r.maxP99)
	}
	fmt.Fprintf(w, "ratio: throughput %.2f×, p99 %.2f× (target %s: %s)\n\n", tput, p99, target, verdict)
	return met
}
