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
	printTable(w, row{"ceiling", r.ceiling}, row{"whisper", r.whisper})
	target := fmt.Sprintf("≥ %.1f× throughput", r.minThroughput)
	if r.maxP99 > 0 {
		target += fmt.Sprintf(", p99 ≤ %.1f×", r.maxP99)
	}
	fmt.Fprintf(w, "ratio: throughput %.2f×, p99 %.2f× (target %s: %s)\n\n", tput, p99, target, verdict(met))
	return met
}

// row is one named line of a table of measurements.
type row struct {
	name string
	m    measurement
}

// printTable writes each row's requests, failures, throughput, p50 and p99.
func printTable(w io.Writer, rows ...row) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\trequests\tfailed\tper second\tp50\tp99\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f\t%s\t%s\t\n", r.name, r.m.ok, r.m.failed, r.m.throughput(),
			fmtDur(r.m.percentile(0.5)), fmtDur(r.m.percentile(0.99)))
	}
	tw.Flush()
}
