package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/whisper-schools/whisper/adapters/store/seal"
)

// The operator commands' targets on the national dataset (issue #23).
const (
	opsStatsTime  = 5 * time.Second        // whisperctl stats over all organisations
	opsStatsRSS   = 100 << 10              // its peak RSS, KiB
	opsDSARTime   = 100 * time.Millisecond // whisperctl dsar's lookup, above an empty one
	opsPurgeTime  = 5 * time.Second        // the nightly purge of one day's due interactions
	opsRotateRate = 5000.0                 // interactions re-sealed a second, whisperd serving
)

// statsWidestMonths is the widest range measured: the portal's bound on a
// statistics page, ten years, which holds the whole dataset.
const statsWidestMonths = 120

// runOperator measures the operator's commands on copies of a seeded
// national dataset, each figure beside a baseline from the same run:
// whisperctl stats over all organisations (beside the median one's),
// dsar by a seeded email and phone (beside an address nobody used), the
// nightly purge (beside a second purge with nothing due) and a key
// rotation while whisperd takes web reports (beside the reports' latency
// before it).
func runOperator(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("operator", flag.ExitOnError)
	df := addDatasetFlags(fs)
	var (
		statsRuns = fs.Int("stats-runs", 3, "runs of each whisperctl stats (the median is reported)")
		dsarRuns  = fs.Int("dsar-runs", 10, "runs of each whisperctl dsar (the median is reported)")
		rate      = fs.Float64("report-rate", 10, "web reports posted a second to whisperd, before and during the rotation")
		idle      = fs.Duration("idle", 15*time.Second, "how long reports are posted before the rotation (the baseline)")
		only      = fs.String("only", "", "comma-separated: measure only these (stats, dsar, purge, rotate)")
	)
	fs.Parse(args)
	d, err := df.load()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := measureOperator(ctx, d, operatorConfig{statsRuns: *statsRuns, dsarRuns: *dsarRuns, rate: *rate, idle: *idle, only: *only})
	if err != nil {
		return err
	}
	if !res.print(os.Stdout) {
		fmt.Println("Some targets were missed (see above).")
	}
	return nil
}

// operatorConfig is how many runs each figure takes.
type operatorConfig struct {
	statsRuns, dsarRuns int
	rate                float64
	idle                time.Duration
	only                string // as -only takes it
}

// operatorResult is the whole measurement.
type operatorResult struct {
	ran                         map[string]bool // stats, dsar, purge, rotate
	store                       string
	interactions, organisations int
	statsRuns, dsarRuns         int
	// stats: [default range, widest] for the median organisation and all.
	statsMedian, statsAll [2]ctlOutcome
	statsMonths           [2]int
	// dsar: the median of each kind of run; found is what they found.
	dsarNobody, dsarEmail, dsarPhone time.Duration
	dsarFound                        [2]int
	purge, purgeAgain                ctlOutcome
	purgeDue, purgeErased            int
	rotation                         rotationResult
}

// measureOperator runs every measurement on d: stats and dsar on one copy
// (they change nothing but the audit log), the purge and the rotation
// each on a fresh one.
func measureOperator(ctx context.Context, d *dataset, cfg operatorConfig) (*operatorResult, error) {
	bin, cleanup, err := buildCommand(ctx, "whisperctl")
	if err != nil {
		return nil, err
	}
	defer cleanup()
	res := &operatorResult{store: "embedded SQLite", interactions: d.Interactions, organisations: d.Organisations,
		statsRuns: cfg.statsRuns, dsarRuns: cfg.dsarRuns}
	if d.postgres() {
		res.store = "PostgreSQL"
	}
	res.ran = map[string]bool{}
	for _, part := range []string{"stats", "dsar", "purge", "rotate"} {
		res.ran[part] = cfg.only == "" || slices.Contains(strings.Split(strings.ReplaceAll(cfg.only, " ", ""), ","), part)
	}
	if res.ran["stats"] || res.ran["dsar"] {
		fmt.Fprintf(os.Stderr, "copying the dataset for stats and dsar\n")
		if err := onCopy(ctx, d, func(c *datasetCopy) error {
			ctl := operatorCtl(bin, c)
			if res.ran["stats"] {
				if err := res.measureStats(ctx, ctl, d); err != nil {
					return err
				}
			}
			if res.ran["dsar"] {
				return res.measureDSAR(ctx, ctl)
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	if res.ran["purge"] {
		fmt.Fprintf(os.Stderr, "copying the dataset for the purge\n")
		if err := onCopy(ctx, d, func(c *datasetCopy) error { return res.measurePurge(ctx, operatorCtl(bin, c)) }); err != nil {
			return nil, err
		}
	}
	if res.ran["rotate"] {
		fmt.Fprintf(os.Stderr, "copying the dataset for the key rotation\n")
		if err := onCopy(ctx, d, func(c *datasetCopy) error {
			r, err := measureRotation(ctx, bin, c, string(d.LargestOrg), cfg)
			res.rotation = r
			return err
		}); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// onCopy runs fn on a fresh copy of d, removed afterwards.
func onCopy(ctx context.Context, d *dataset, fn func(*datasetCopy) error) error {
	c, err := d.copy(ctx)
	if err != nil {
		return fmt.Errorf("copying the dataset: %w", err)
	}
	defer c.remove()
	return fn(c)
}

// operatorCtl is whisperctl configured for the copy c, by WHISPER_*
// variables alone.
func operatorCtl(bin string, c *datasetCopy) whisperctl {
	return whisperctl{bin: bin, env: []string{"WHISPER_DATABASE_URL=" + c.dbURL, "WHISPER_SECURITY_DATA_KEY_FILE=" + c.keyFile}}
}

// measureStats runs whisperctl stats for the median organisation (the
// baseline) and for all, over the default range and the widest.
func (r *operatorResult) measureStats(ctx context.Context, ctl whisperctl, d *dataset) error {
	median, err := medianOrg(ctx, ctl, d.Organisations)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	widest := []string{"--from", time.Date(now.Year(), now.Month()-(statsWidestMonths-1), 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)}
	r.statsMonths = [2]int{statsDefaultMonths, statsWidestMonths}
	for i, rng := range [][]string{nil, widest} {
		for _, scope := range []struct {
			args []string
			into *ctlOutcome
		}{{[]string{"--org", median}, &r.statsMedian[i]}, {nil, &r.statsAll[i]}} {
			args := append(append([]string{"stats", "--json"}, scope.args...), rng...)
			runs, err := repeat(ctx, ctl, r.statsRuns, nil, args...)
			if err != nil {
				return err
			}
			*scope.into = medianOutcome(runs)
		}
	}
	return nil
}

// statsDefaultMonths is whisperctl stats' range when none is given.
const statsDefaultMonths = 12

// medianOrg finds the median organisation by size: the seed names its
// organisations by rank, largest first ("Seed School 0001", …).
func medianOrg(ctx context.Context, ctl whisperctl, orgs int) (string, error) {
	var list []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	if _, err := ctl.run(ctx, &list, "org", "list", "--json"); err != nil {
		return "", err
	}
	rank := fmt.Sprintf(" %04d", orgs/2+1)
	for _, o := range list {
		if strings.HasPrefix(o.Name, "Seed ") && strings.HasSuffix(o.Name, rank) {
			return o.ID, nil
		}
	}
	return "", fmt.Errorf("no seeded organisation ranked%s of %d: is this the seed's dataset?", rank, len(list))
}

// repeat runs whisperctl n times with args, each checked by check when
// given (it reads the run's output).
func repeat(ctx context.Context, ctl whisperctl, n int, check func(ctlOutcome) error, args ...string) ([]ctlOutcome, error) {
	var runs []ctlOutcome
	for range max(n, 1) {
		out, err := ctl.run(ctx, nil, args...)
		if err == nil && check != nil {
			err = check(out)
		}
		if err != nil {
			return nil, err
		}
		runs = append(runs, out)
	}
	return runs, nil
}

// medianOutcome is the run of median time, with the highest peak RSS of
// all.
func medianOutcome(runs []ctlOutcome) ctlOutcome {
	s := slices.Clone(runs)
	slices.SortFunc(s, func(a, b ctlOutcome) int { return int(a.took - b.took) })
	m := s[len(s)/2]
	for _, o := range s {
		m.rssKiB = max(m.rssKiB, o.rssKiB)
	}
	return m
}

// dsarReason is the reason each measured subject access request gives.
const dsarReason = "loadtest operator: timing the lookup"

// measureDSAR finds a seeded reporter's email and phone that dsar finds
// (the seed numbers them as it numbers interactions: reporterN@… and
// +447 then N; some were never given or are erased), then times dsar by
// each and by an address nobody used.
func (r *operatorResult) measureDSAR(ctx context.Context, ctl whisperctl) error {
	found := func(flag, value string) (int, error) {
		out, err := ctl.run(ctx, nil, "dsar", "--json", "--reason", dsarReason, flag, value)
		if err != nil {
			return 0, err
		}
		return dsarFound(out)
	}
	type lookup struct {
		flag   string
		value  func(i int) string
		median *time.Duration
		found  *int
	}
	lookups := []lookup{
		{"--email", func(i int) string { return fmt.Sprintf("reporter%d@example.org", i) }, &r.dsarEmail, &r.dsarFound[0]},
		{"--phone", func(i int) string { return fmt.Sprintf("+447%09d", i) }, &r.dsarPhone, &r.dsarFound[1]},
	}
	timed := func(flag, value string, want int) (time.Duration, error) {
		runs, err := repeat(ctx, ctl, r.dsarRuns, func(o ctlOutcome) error {
			n, err := dsarFound(o)
			if err == nil && n != want {
				err = fmt.Errorf("whisperctl dsar %s found %d interactions, want %d", flag, n, want)
			}
			return err
		}, "dsar", "--json", "--reason", dsarReason, flag, value)
		if err != nil {
			return 0, err
		}
		return medianOutcome(runs).took, nil
	}
	var err error
	if r.dsarNobody, err = timed("--email", "nobody-used-this@loadtest.invalid", 0); err != nil {
		return err
	}
	for _, l := range lookups {
		value := ""
		for i := 0; i < 200 && value == ""; i++ {
			n, err := found(l.flag, l.value(i))
			if err != nil {
				return err
			}
			if n > 0 {
				value, *l.found = l.value(i), n
			}
		}
		if value == "" {
			return fmt.Errorf("whisperctl dsar %s found none of the first 200 seeded reporters", l.flag)
		}
		if *l.median, err = timed(l.flag, value, *l.found); err != nil {
			return err
		}
	}
	return nil
}

// dsarFound reads how many interactions a whisperctl dsar --json found.
func dsarFound(o ctlOutcome) (int, error) {
	var out struct {
		Interactions []struct {
			Ref string `json:"ref"`
		} `json:"interactions"`
	}
	if err := json.Unmarshal(o.stdout, &out); err != nil {
		return 0, fmt.Errorf("whisperctl dsar printed no JSON: %w", err)
	}
	return len(out.Interactions), nil
}

// measurePurge counts what is due (a dry run), purges it, and purges again
// with nothing due (the baseline). The seed's last day falls due as the
// clock moves, one interaction every 40 seconds or so at full scale, so
// the second purge may find one or two more: what must hold is that the
// two erased at least what the dry run counted, and that nothing due when
// the second began is left (a dry run as of then).
func (r *operatorResult) measurePurge(ctx context.Context, ctl whisperctl) error {
	var due, erased, again, left struct {
		Erased int `json:"erased"`
	}
	if _, err := ctl.run(ctx, &due, "purge", "--json", "--dry-run"); err != nil {
		return err
	}
	var err error
	if r.purge, err = ctl.run(ctx, &erased, "purge", "--json"); err != nil {
		return err
	}
	secondAt := time.Now().UTC().Truncate(time.Second)
	if r.purgeAgain, err = ctl.run(ctx, &again, "purge", "--json"); err != nil {
		return err
	}
	if _, err := ctl.run(ctx, &left, "purge", "--json", "--dry-run", "--as-of", secondAt.Format(time.RFC3339)); err != nil {
		return err
	}
	r.purgeDue, r.purgeErased = due.Erased, erased.Erased
	if erased.Erased+again.Erased < due.Erased || left.Erased != 0 {
		return fmt.Errorf("whisperctl purge erased %d, then %d; the dry run counted %d due before, and %d left due after",
			erased.Erased, again.Erased, due.Erased, left.Erased)
	}
	return nil
}

// rotationResult is a key rotation while whisperd takes web reports.
type rotationResult struct {
	rotate         ctlOutcome
	interactions   int64 // rows of interactions re-sealed
	rows           int64 // rows of every table visited
	idle, during   measurement
	whisperdPeak   int64 // whisperd's VmHWM at the end, bytes
	done, answered bool
}

// measureRotation starts the real whisperd on the copy c with both keys,
// as docs/operations.md says (the new one as the data key, the old one in
// old_data_keys), posts web reports to a form of the largest organisation
// at a steady rate, idle for a while and then while whisperctl key rotate
// runs, and checks afterwards that the rotation is done and whisperd still
// takes reports.
func measureRotation(ctx context.Context, ctlBin string, c *datasetCopy, org string, cfg operatorConfig) (rotationResult, error) {
	var r rotationResult
	dir, err := os.MkdirTemp("", "whisper-operator-")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)
	newKey := filepath.Join(dir, "data_key.new")
	key := make([]byte, seal.KeySize)
	rand.Read(key)
	if err := os.WriteFile(newKey, []byte(base64.StdEncoding.EncodeToString(key)), 0o600); err != nil {
		return r, err
	}
	// Every process has both keys from here on, whisperctl too ("with the
	// same configuration").
	env := []string{"WHISPER_DATABASE_URL=" + c.dbURL, "WHISPER_SECURITY_DATA_KEY_FILE=" + newKey,
		"WHISPER_SECURITY_OLD_DATA_KEYS_FILE=" + c.keyFile}
	ctl := whisperctl{bin: ctlBin, env: env}
	var form struct {
		URL string `json:"url"`
	}
	if _, err := ctl.run(ctx, &form, "form", "create", "--json", "--org", org, "--name", "Operator Measure", "--code", "OPSMEASURE"); err != nil {
		return r, err
	}
	u, err := url.Parse(form.URL)
	if err != nil {
		return r, err
	}

	bin, cleanup, err := buildWhisperd(ctx)
	if err != nil {
		return r, err
	}
	defer cleanup()
	// The copy's URL and keys come from the environment, which overrides
	// the file startWhisperd writes; the form's limit is off, so that the
	// steady reports are never refused.
	w, err := startWhisperd(ctx, bin, dir, nil, append(slices.Clone(env), "WHISPER_LIMITS_REPORTS_PER_FORM=0"))
	if err != nil {
		return r, err
	}
	defer w.stop()
	target := w.url + u.Path
	reports := &steadyReports{target: target, every: time.Duration(float64(time.Second) / cfg.rate)}

	r.idle = reports.run(ctx, cfg.idle, nil)
	if r.idle.ok == 0 {
		return r, fmt.Errorf("whisperd took none of %d reports before the rotation (status %d)", r.idle.failed, reports.lastBad)
	}
	wait, err := ctl.start(ctx, "key", "rotate", "--json", "--new-key-file", newKey, "--reason", "loadtest operator")
	if err != nil {
		return r, err
	}
	rotated := make(chan struct{})
	var rotErr error
	go func() {
		defer close(rotated)
		r.rotate, rotErr = wait()
	}()
	r.during = reports.run(ctx, 24*time.Hour, rotated)
	<-rotated
	if rotErr != nil {
		return r, rotErr
	}
	var status struct {
		Done   bool `json:"done"`
		Tables []struct {
			Table string `json:"table"`
			Done  int64  `json:"done"`
		} `json:"tables"`
	}
	if _, err := ctl.run(ctx, &status, "key", "status", "--json"); err != nil {
		return r, err
	}
	r.done = status.Done
	for _, t := range status.Tables {
		r.rows += t.Done
		if t.Table == "interactions" {
			r.interactions = t.Done
		}
	}
	after := reports.run(ctx, time.Second, nil)
	r.answered = after.ok > 0 && after.failed == 0
	if mem, err := w.memory(); err == nil {
		r.whisperdPeak = mem.hwm
	}
	if !r.done || !r.answered || r.interactions == 0 {
		return r, fmt.Errorf("after the rotation: key status done %v, %d interactions re-sealed; whisperd took %d reports, refused %d (status %d)",
			r.done, r.interactions, after.ok, after.failed, reports.lastBad)
	}
	return r, nil
}

// steadyReports posts web reports at a steady rate, one every every
// whether or not the last has been answered, each address sending
// othersPerAddress reports, well under the per-address limit.
type steadyReports struct {
	target  string
	every   time.Duration
	n       int
	lastBad int
}

// run posts reports for d or until stop is closed, and measures them.
func (s *steadyReports) run(ctx context.Context, d time.Duration, stop <-chan struct{}) measurement {
	var (
		mu sync.Mutex
		m  measurement
		wg sync.WaitGroup
		c  *http.Client
	)
	tick := time.NewTicker(s.every)
	defer tick.Stop()
	end := time.After(d)
	start := time.Now()
loop:
	for {
		if s.n%othersPerAddress == 0 || c == nil {
			c = fromAddress(loopback(3, s.n/othersPerAddress), othersPerAddress)
		}
		s.n++
		client, n := c, s.n
		wg.Go(func() {
			body := url.Values{"message": {fmt.Sprintf("A steady report, number %d.", n)}}.Encode()
			t0 := time.Now()
			status, err := postReport(ctx, client, s.target, body)
			mu.Lock()
			defer mu.Unlock()
			if err != nil || status != http.StatusSeeOther {
				m.failed++
				s.lastBad = status
				return
			}
			m.ok++
			m.latencies = append(m.latencies, time.Since(t0))
		})
		select {
		case <-tick.C:
		case <-end:
			break loop
		case <-stop:
			break loop
		case <-ctx.Done():
			break loop
		}
	}
	wg.Wait()
	m.elapsed = time.Since(start)
	return m
}

// print writes the results as a table and reports whether every target was
// met.
func (r *operatorResult) print(w io.Writer) bool {
	secs := func(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }
	kib := func(k int64) string { return fmtMiB(k << 10) }
	fmt.Fprintf(w, "Operator commands on the national dataset — %s, %d interactions in %d organisations (a fresh copy where a command changes data)\n",
		r.store, r.interactions, r.organisations)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "COMMAND\tBASELINE\tMEASURED\tTARGET\t")
	ok := true
	line := func(what, base, got, target string, met bool) {
		ok = ok && met
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", what, base, got, target, verdict(met))
	}
	for i, months := range r.statsMonths {
		if !r.ran["stats"] {
			break
		}
		m, a := r.statsMedian[i], r.statsAll[i]
		what := fmt.Sprintf("stats, %d months (median org | all)", months)
		line(what+": time", secs(m.took), secs(a.took), "< "+secs(opsStatsTime), a.took < opsStatsTime)
		line(what+": peak RSS", kib(m.rssKiB), kib(a.rssKiB), fmt.Sprintf("< %d MB", opsStatsRSS>>10), a.rssKiB < opsStatsRSS)
	}
	for i, l := range []struct {
		what string
		took time.Duration
	}{{"dsar by email", r.dsarEmail}, {"dsar by phone", r.dsarPhone}} {
		if !r.ran["dsar"] {
			break
		}
		what := fmt.Sprintf("%s (unused address | found %d)", l.what, r.dsarFound[i])
		line(what, fmtDur(r.dsarNobody), fmt.Sprintf("%s (+%s)", fmtDur(l.took), fmtDur(l.took-r.dsarNobody)),
			"lookup < "+fmtDur(opsDSARTime), l.took-r.dsarNobody < opsDSARTime)
	}
	if r.ran["purge"] {
		line(fmt.Sprintf("purge (nothing due | %d erased)", r.purgeErased), secs(r.purgeAgain.took), secs(r.purge.took),
			"< "+secs(opsPurgeTime), r.purge.took < opsPurgeTime)
	}
	if r.ran["rotate"] {
		r.printRotation(tw, line)
	}
	tw.Flush()
	fmt.Fprintf(w, "Medians of %d runs (stats) and %d runs (dsar), each a whole whisperctl process; the rotation ends with key status done: %v, and whisperd still takes reports: %v\n\n",
		r.statsRuns, r.dsarRuns, r.rotation.done, r.rotation.answered)
	return ok
}

// printRotation writes the rotation's lines.
func (r *operatorResult) printRotation(tw io.Writer, line func(what, base, got, target string, met bool)) {
	secs := func(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }
	rt := r.rotation
	rate := float64(rt.interactions) / rt.rotate.took.Seconds()
	line("key rotate: interactions/s", "", fmt.Sprintf("%.0f (%d in %s)", rate, rt.interactions, secs(rt.rotate.took)),
		fmt.Sprintf("≥ %.0f", opsRotateRate), rate >= opsRotateRate)
	fmt.Fprintf(tw, "key rotate: rows/s, all tables\t\t%.0f (%d)\t\t\n", float64(rt.rows)/rt.rotate.took.Seconds(), rt.rows)
	fmt.Fprintf(tw, "key rotate: peak RSS\t\t%s\t\t\n", fmtMiB(rt.rotate.rssKiB<<10))
	fmt.Fprintf(tw, "web reports (idle | during rotation): p50\t%s\t%s\t\t\n", fmtDur(rt.idle.percentile(0.5)), fmtDur(rt.during.percentile(0.5)))
	fmt.Fprintf(tw, "web reports (idle | during rotation): p99\t%s\t%s\t\t\n", fmtDur(rt.idle.percentile(0.99)), fmtDur(rt.during.percentile(0.99)))
	fmt.Fprintf(tw, "web reports (idle | during rotation): taken, refused\t%d, %d\t%d, %d\t\t\n", rt.idle.ok, rt.idle.failed, rt.during.ok, rt.during.failed)
	fmt.Fprintf(tw, "whisperd peak RSS, whole run\t\t%s\t\t\n", fmtMiB(rt.whisperdPeak))
}
