// Command loadtest measures Whisper against its performance targets
// (docs/performance.md). Its default measurement, compare, drives the same
// concurrent load at a ceiling — the least a durable web form can do (parse
// the form, INSERT one row, answer 303), on the same database — and at
// Whisper's report submission and SMS webhook, alternating round by round
// (A B A B), and prints throughput, p50 and p99 for each and the ratios.
//
//	go run ./tools/loadtest                        # compare on embedded SQLite
//	go run ./tools/loadtest -postgres postgres://…  # and on PostgreSQL
//	go run ./tools/loadtest help                   # the other measurements
//
// All traffic goes to 127.0.0.1.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"
)

// measure is one kind of measurement, run as `loadtest NAME [flags]`.
type measure struct {
	name, about string
	run         func(ctx context.Context, args []string) error
}

// measures are every kind of measurement; the first is the default.
var measures = []measure{
	{"compare", "Whisper's report and SMS throughput against the ceiling", runCompare},
	{"idle", "whisperd's start-up time and idle memory on a new embedded store", runIdle},
	{"signin", "whisperd's memory and latency under a burst of sign-ins, against its hashing budget", runSignin},
	{"flood", "another address's report latency while one address floods whisperd past its rate limit", runFlood},
	{"purge", "whisperctl purge of many due interactions on PostgreSQL against one set-based statement", runPurge},
	{"backlog", "the purge of a 500,000 backlog on a copy of the national dataset against one set-based statement, reports arriving", runBacklog},
	{"migrate", "report latency and lock waits while a new migration is applied to a copy of the national dataset (PostgreSQL)", runMigrate},
	{"operator", "whisperctl stats, dsar, purge and key rotate on copies of a seeded national dataset, rotating while whisperd serves", runOperator},
	{"portal", "the staff list, an interaction's page and the statistics of the largest organisation beside the median, national dataset", runPortal},
	{"seed", "fill a database with a realistic national dataset (organisations, staff, interactions), sealed as the product seals", runSeed},
}

func main() {
	args := os.Args[1:]
	m := measures[0]
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		i := slices.IndexFunc(measures, func(m measure) bool { return m.name == args[0] })
		if i < 0 {
			usage()
			if args[0] != "help" {
				os.Exit(2)
			}
			return
		}
		m, args = measures[i], args[1:]
	}
	// seed's standard output is its JSON alone, for scripts to read.
	header := os.Stdout
	if m.name == "seed" {
		header = os.Stderr
	}
	fmt.Fprintf(header, "Whisper load test: %s — %s, %d CPUs, %s\n\n", m.name, time.Now().UTC().Format(time.DateOnly), runtime.NumCPU(), runtime.Version())
	if err := m.run(context.Background(), args); err != nil {
		fmt.Fprintf(os.Stderr, "loadtest %s: %v\n", m.name, err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: loadtest [MEASUREMENT] [flags]  (MEASUREMENT -h for its flags)")
	for _, m := range measures {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", m.name, m.about)
	}
}

func runCompare(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("compare", flag.ExitOnError)
	var (
		pgURL    = fs.String("postgres", os.Getenv("WHISPER_TEST_DATABASE_URL"), "also measure on this PostgreSQL server (a database is created and dropped)")
		clients  = fs.Int("clients", 32, "concurrent clients")
		duration = fs.Duration("round", 5*time.Second, "length of one round")
		rounds   = fs.Int("rounds", 2, "rounds of each side (A B A B …)")
		size     = fs.Int("message", 600, "bytes in each report's message")
		profile  = fs.String("cpuprofile", "", "write a CPU profile of the whole run (both sides and the load generator) to this file")
		only     = fs.String("only", "", "comma-separated: run only these scenarios (web, sms) and stores (sqlite, postgres)")
	)
	fs.Parse(args)
	cfg := config{clients: *clients, round: *duration, rounds: *rounds, messageBytes: *size}
	fmt.Printf("%d clients, %d-byte messages, %d rounds of %s each side\n\n", cfg.clients, cfg.messageBytes, cfg.rounds, cfg.round)
	if *profile != "" {
		stop, err := startProfile(*profile)
		if err != nil {
			return err
		}
		defer stop()
	}
	targets := []storeKind{sqliteKind}
	if *pgURL != "" {
		targets = append(targets, postgresKind(*pgURL))
	}
	ok := true
	for _, kind := range targets {
		for _, sc := range []scenario{webReports, smsWebhook} {
			if !selected(*only, kind.key, sc.key) {
				continue
			}
			res, err := compare(ctx, cfg, kind, sc)
			if err != nil {
				return fmt.Errorf("%s on %s: %w", sc.name, kind.name, err)
			}
			ok = res.print(os.Stdout) && ok
		}
	}
	if !ok {
		fmt.Println("Some targets were missed (see above).")
	}
	return nil
}

// selected says whether -only picks this store and scenario: every word
// given must be one of their keys.
func selected(only string, keys ...string) bool {
	for _, word := range strings.Split(only, ",") {
		if word = strings.TrimSpace(word); word != "" && !slices.Contains(keys, word) {
			return false
		}
	}
	return true
}

// startProfile starts CPU profiling into path; stop ends it.
func startProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
