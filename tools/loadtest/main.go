// Command loadtest measures Whisper's report submission and SMS webhook
// against a ceiling: the least a durable web form can do (parse the form,
// INSERT one row, answer 303), on the same database. It drives the same
// concurrent load at both, alternating ceiling and Whisper round by round
// (A B A B), and prints throughput, p50 and p99 for each and the ratios.
//
//	go run ./tools/loadtest                       # embedded SQLite
//	go run ./tools/loadtest -postgres postgres://… # and PostgreSQL
//
// All traffic goes to 127.0.0.1.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"
)

func main() {
	var (
		pgURL    = flag.String("postgres", os.Getenv("WHISPER_TEST_DATABASE_URL"), "also measure on this PostgreSQL server (a database is created and dropped)")
		clients  = flag.Int("clients", 32, "concurrent clients")
		duration = flag.Duration("round", 5*time.Second, "length of one round")
		rounds   = flag.Int("rounds", 2, "rounds of each side (A B A B …)")
		size     = flag.Int("message", 600, "bytes in each report's message")
	)
	flag.Parse()
	cfg := config{clients: *clients, round: *duration, rounds: *rounds, messageBytes: *size}
	fmt.Printf("Whisper load test — %s, %d CPUs, %s; %d clients, %d-byte messages, %d rounds of %s each side\n\n",
		time.Now().UTC().Format(time.DateOnly), runtime.NumCPU(), runtime.Version(), cfg.clients, cfg.messageBytes, cfg.rounds, cfg.round)

	ctx := context.Background()
	targets := []storeKind{sqliteKind}
	if *pgURL != "" {
		targets = append(targets, postgresKind(*pgURL))
	}
	ok := true
	for _, kind := range targets {
		for _, scenario := range []scenario{webReports, smsWebhook} {
			res, err := compare(ctx, cfg, kind, scenario)
			if err != nil {
				fmt.Fprintf(os.Stderr, "loadtest: %s on %s: %v\n", scenario.name, kind.name, err)
				os.Exit(1)
			}
			ok = res.print(os.Stdout) && ok
		}
	}
	if !ok {
		fmt.Println("Some targets were missed (see above).")
	}
}
