package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/whisper-schools/whisper/adapters/passhash"
	"github.com/whisper-schools/whisper/adapters/store/seal"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// The retention purge's targets (docs/performance.md).
const (
	maxPurgeRatio  = 2.0       // purge time / one set-based statement's
	maxPurgeRSSKiB = 100 << 10 // the whisperctl process's peak RSS
	maxPurgeP99    = 2.0       // submission p99 during the purge / idle
)

// runPurge measures `whisperctl purge` of many due interactions on
// PostgreSQL against one set-based statement that erases the same data,
// and report submission while it runs. The filled database is copied
// (CREATE DATABASE … TEMPLATE) so that each measurement starts from the
// same data: one copy for the statement, one for the purge alone, one for
// the purge under load.
func runPurge(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("purge", flag.ExitOnError)
	var (
		pgURL   = fs.String("postgres", os.Getenv("WHISPER_TEST_DATABASE_URL"), "the PostgreSQL server (databases are created and dropped); default $WHISPER_TEST_DATABASE_URL")
		n       = fs.Int("n", 1_000_000, "due interactions to fill and purge")
		workers = fs.Int("fill-workers", 4, "fill workers, each with 8 reports in flight")
		clients = fs.Int("clients", 8, "concurrent clients posting reports")
		idle    = fs.Duration("idle", 15*time.Second, "how long to post reports before the purge")
		size    = fs.Int("message", 600, "bytes in each report's message, filled and posted")
	)
	fs.Parse(args)
	if *pgURL == "" {
		return errors.New("needs PostgreSQL: give -postgres postgres://… or set WHISPER_TEST_DATABASE_URL")
	}
	// An interrupt must still drop the databases.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	tmp, err := os.MkdirTemp("", "whisper-purge-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	fmt.Printf("%d due interactions, each with a %d-byte message, contact, meta data and a sent email; %d clients\n", *n, *size, *clients)

	ctl, cleanup, err := buildCommand(ctx, "whisperctl")
	if err != nil {
		return err
	}
	defer cleanup()
	key := make([]byte, seal.KeySize)
	rand.Read(key)
	keyFile := filepath.Join(tmp, "data.key")
	if err := os.WriteFile(keyFile, []byte(base64.StdEncoding.EncodeToString(key)), 0o600); err != nil {
		return err
	}

	dbs, err := newDatabases(ctx, *pgURL)
	if err != nil {
		return err
	}
	defer dbs.drop()
	settings, err := dbs.settings(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("PostgreSQL: %s\n\n", settings)
	filled, err := dbs.create(ctx, "")
	if err != nil {
		return err
	}
	start := time.Now()
	_, err = fillDue(ctx, withDatabase(*pgURL, filled), key, *n, *workers, *size)
	if err != nil {
		return fmt.Errorf("filling: %w", err)
	}
	fill := time.Since(start)
	fmt.Printf("filled in %s (%.0f interactions/s), not timed below\n", fill.Round(time.Second), float64(*n)/fill.Seconds())
	start = time.Now()
	// A database that has held its reports for months has been vacuumed
	// and analysed; so is this one, before it is copied.
	if err := dbs.exec(ctx, filled, "VACUUM ANALYZE"); err != nil {
		return err
	}
	base, err := dbs.create(ctx, filled)
	if err != nil {
		return err
	}
	loaded, err := dbs.create(ctx, filled)
	if err != nil {
		return err
	}
	fmt.Printf("vacuumed and copied twice in %s\n\n", time.Since(start).Round(time.Second))

	res := purgeResult{n: *n, clients: *clients, store: "PostgreSQL", maxP99: maxPurgeP99}
	var erased int
	if res.statement, erased, err = eraseAtOnce(ctx, withDatabase(*pgURL, base), time.Now().UTC()); err != nil {
		return fmt.Errorf("set-based statement: %w", err)
	}
	if erased != *n {
		return fmt.Errorf("the set-based statement erased %d interactions, want %d", erased, *n)
	}
	dbs.dropOne(base)
	p := purgeRun{bin: ctl, keyFile: keyFile, url: withDatabase(*pgURL, filled), n: *n}
	if err := dbs.exec(ctx, filled, "CHECKPOINT"); err != nil {
		return err
	}
	if res.alone, err = p.run(ctx); err != nil {
		return err
	}
	dbs.dropOne(filled)
	p.url = withDatabase(*pgURL, loaded)
	if res.idle, res.during, res.loaded, err = submitDuringPurge(ctx, p, *clients, *idle, *size); err != nil {
		return err
	}
	if !res.print(os.Stdout) {
		fmt.Println("Some targets were missed (see above).")
	}
	return nil
}

// databases are the ones this measurement made, to drop however it ends.
type databases struct {
	admin  *sql.DB
	url    string
	prefix string
	mu     sync.Mutex
	made   []string
}

func newDatabases(ctx context.Context, adminURL string) (*databases, error) {
	admin, err := sql.Open("pgx", adminURL)
	if err != nil {
		return nil, err
	}
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		return nil, fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	suffix := make([]byte, 4)
	rand.Read(suffix)
	return &databases{admin: admin, url: adminURL, prefix: "loadtest_purge_" + hex.EncodeToString(suffix)}, nil
}

// settings names the server's settings the purge's figures depend on
// most: a small buffer pool and frequent checkpoints slow reports during
// the purge (docs/operations.md).
func (d *databases) settings(ctx context.Context) (string, error) {
	var out []string
	for _, name := range []string{"server_version", "shared_buffers", "max_wal_size", "wal_compression"} {
		var v string
		if err := d.admin.QueryRowContext(ctx, "SELECT current_setting($1)", name).Scan(&v); err != nil {
			return "", err
		}
		out = append(out, name+" "+v)
	}
	return strings.Join(out, ", "), nil
}

// create makes a new database, empty or a copy of template. Copying files
// (rather than the WAL_LOG default) is fast, and a copy is exact.
func (d *databases) create(ctx context.Context, template string) (string, error) {
	d.mu.Lock()
	name := fmt.Sprintf("%s_%d", d.prefix, len(d.made))
	d.made = append(d.made, name)
	d.mu.Unlock()
	stmt := "CREATE DATABASE " + name
	if template != "" {
		stmt += " TEMPLATE " + template + " STRATEGY FILE_COPY"
	}
	if _, err := d.admin.ExecContext(ctx, stmt); err != nil {
		return "", fmt.Errorf("creating %s: %w", name, err)
	}
	return name, nil
}

// exec runs one statement on its own connection to database name.
func (d *databases) exec(ctx context.Context, name, stmt string) error {
	db, err := sql.Open("pgx", withDatabase(d.url, name))
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, stmt)
	return err
}

func (d *databases) dropOne(name string) {
	d.admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
}

func (d *databases) drop() {
	for _, name := range d.made {
		d.dropOne(name)
	}
	d.admin.Close()
}

// fillDue makes an organisation with six months' retention and stores n
// reports two years old through the store's repositories, as a web report
// stores them: the interaction with the reporter's name and email sealed,
// its message with meta data, and the reporter's link email (sent). Each
// transaction holds a few thousand reports, and several run at once.
func fillDue(ctx context.Context, dbURL string, key []byte, n, workers, messageBytes int) (*domain.Organisation, error) {
	st, err := openStore(ctx, dbURL, key)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	svc := app.New(app.Deps{Store: st, Clock: app.SystemClock{}, Random: rand.Reader,
		Hasher: passhash.New(passhash.DefaultParams(), 0), PublicURL: publicURL})
	org, err := svc.Operations.CreateOrganisation(ctx, app.CreateOrganisation{Name: "Purge Academy", RetentionMonths: 6})
	if err != nil {
		return nil, err
	}
	fc, err := svc.Operations.CreateForm(ctx, app.CreateForm{OrgID: org.ID, Name: "Purge Academy", Code: "PURGE"})
	if err != nil {
		return nil, err
	}
	// Reports go in as whisperd takes them, through AcceptInteraction, which
	// commits those arriving together in one statement: many at once, so
	// that its batches fill.
	at := time.Now().UTC().AddDate(-2, 0, 0)
	body := message(messageBytes)
	refs := &uniqueRefs{seen: make(map[domain.Reference]bool, n)}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	errs := make(chan error, workers*fillersPerWorker)
	var wg sync.WaitGroup
	for range workers * fillersPerWorker {
		wg.Go(func() {
			for i := range next {
				r, err := newDueReport(svc, &fc, refs, i, body, at.Add(time.Duration(i)*time.Millisecond))
				if err == nil {
					err = st.AcceptInteraction(ctx, r)
				}
				if err != nil {
					errs <- err
					cancel()
					return
				}
			}
		})
	}
	go func() {
		defer close(next)
		for i := range n {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
			if i%100_000 == 0 && i > 0 {
				fmt.Fprintf(os.Stderr, "  filled %d\n", i)
			}
		}
	}()
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	return org, ctx.Err()
}

// uniqueRefs draws references none of the fill has used. References have
// 40 random bits, so a million of them collide about one time in three;
// SubmitReport draws again after the unique index refuses one, but here
// that would abort a transaction of thousands.
type uniqueRefs struct {
	mu   sync.Mutex
	seen map[domain.Reference]bool
}

func (u *uniqueRefs) draw() (domain.Reference, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for {
		ref, err := domain.NewReference(rand.Reader)
		if err != nil || !u.seen[ref] {
			u.seen[ref] = true
			return ref, err
		}
	}
}

// fillersPerWorker is how many reports each fill worker has in flight.
const fillersPerWorker = 8

// newDueReport is the i-th report of the fill, as SubmitReport would
// have stored it at time at, its link email already sent.
func newDueReport(svc *app.App, fc *app.FormCreated, refs *uniqueRefs, i int, body string, at time.Time) (ports.NewInteraction, error) {
	var ids domain.IDs
	var err error
	if ids.Interaction, err = domain.NewInteractionID(rand.Reader); err != nil {
		return ports.NewInteraction{}, err
	}
	if ids.Message, err = domain.NewMessageID(rand.Reader); err != nil {
		return ports.NewInteraction{}, err
	}
	if ids.Ref, err = refs.draw(); err != nil {
		return ports.NewInteraction{}, err
	}
	if ids.Token, err = domain.NewToken(rand.Reader); err != nil {
		return ports.NewInteraction{}, err
	}
	ia, msg, token, err := domain.OpenInteraction(ids, domain.NewReport{Form: fc.Form, Inbox: fc.Inbox, Channel: domain.ChannelWeb,
		Name: "Sam Reporter", Body: body}, at)
	if err != nil {
		return ports.NewInteraction{}, err
	}
	email := fmt.Sprintf("reporter%d@example.org", i)
	id, err := domain.NewDeliveryID(rand.Reader)
	if err != nil {
		return ports.NewInteraction{}, err
	}
	link := domain.ReporterLink(id, ia, email, svc.Links.ConversationURL(token), fc.Form.Language, at)
	link.Status, link.Attempts, link.SentAt = domain.DeliverySent, 1, &at
	return ports.NewInteraction{Interaction: ia, Token: token, Contact: domain.Contact{Email: email}, Message: msg,
		Meta:       domain.Meta{IP: fmt.Sprintf("198.51.%d.%d", i/256%256, i%256), Location: "Bristol, England, GB", Region: "England, GB", Network: "Example Broadband"},
		Deliveries: []*domain.Delivery{link}}, nil
}

// purgeRun runs `whisperctl purge` as an operator does.
type purgeRun struct {
	bin, keyFile, url string
	n                 int
}

// purgeOutcome is one whisperctl purge: the run, and what it says it
// erased, as of asOf.
type purgeOutcome struct {
	ctlOutcome
	erased int
	asOf   time.Time
}

// start starts the purge; wait waits for it and checks that it erased
// p.n (n < 0: the caller checks what was erased itself).
func (p purgeRun) start(ctx context.Context) (wait func() (purgeOutcome, error), err error) {
	ctl := whisperctl{bin: p.bin, env: []string{"WHISPER_SECURITY_DATA_KEY_FILE=" + p.keyFile}}
	waitCtl, err := ctl.start(ctx, "purge", "--json", "--database-url", p.url)
	if err != nil {
		return nil, err
	}
	return func() (purgeOutcome, error) {
		run, err := waitCtl()
		out := purgeOutcome{ctlOutcome: run}
		if err != nil {
			return out, err
		}
		var res struct {
			Erased int       `json:"erased"`
			AsOf   time.Time `json:"as_of"`
		}
		if err := json.Unmarshal(run.stdout, &res); err != nil {
			return out, fmt.Errorf("whisperctl purge printed %q: %w", run.stdout, err)
		}
		out.erased, out.asOf = res.Erased, res.AsOf
		if p.n >= 0 && res.Erased != p.n {
			return out, fmt.Errorf("whisperctl purge erased %d, want %d", res.Erased, p.n)
		}
		return out, nil
	}, nil
}

// whisperctl runs the real whisperctl as an operator does, configured by
// the WHISPER_* variables in env alone: none from the caller's
// environment.
type whisperctl struct {
	bin string
	env []string
}

// ctlOutcome is one whisperctl run: its wall time from exec to exit
// (start-up included), its peak RSS and its standard output.
type ctlOutcome struct {
	took   time.Duration
	rssKiB int64
	stdout []byte
}

// start starts whisperctl with args; wait waits for it to exit, and fails
// when it does not exit 0.
func (c whisperctl) start(ctx context.Context, args ...string) (wait func() (ctlOutcome, error), err error) {
	cmd := exec.CommandContext(ctx, c.bin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WHISPER_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, c.env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	peak := watchPeakRSS(cmd.Process.Pid)
	return func() (ctlOutcome, error) {
		err := cmd.Wait()
		out := ctlOutcome{took: time.Since(start), rssKiB: peak(), stdout: stdout.Bytes()}
		if err != nil {
			return out, fmt.Errorf("whisperctl %s: %w: %s", args[0], err, strings.TrimSpace(stderr.String()))
		}
		return out, nil
	}, nil
}

// run runs whisperctl with args and, when into is not nil, reads the JSON
// it prints (give --json) into it.
func (c whisperctl) run(ctx context.Context, into any, args ...string) (ctlOutcome, error) {
	wait, err := c.start(ctx, args...)
	if err != nil {
		return ctlOutcome{}, err
	}
	out, err := wait()
	if err == nil && into != nil {
		if err = json.Unmarshal(out.stdout, into); err != nil {
			err = fmt.Errorf("whisperctl %s printed no JSON: %w", args[0], err)
		}
	}
	return out, err
}

// watchPeakRSS follows a child's peak RSS (VmHWM, KiB) until peak is
// called after the child has exited. The child's rusage Maxrss would not
// do: on Linux it starts from this process's RSS at the fork, since Go
// forks with the parent's memory shared until exec, so it reports the
// larger of the two.
func watchPeakRSS(pid int) (peak func() int64) {
	var hwm atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		path := fmt.Sprintf("/proc/%d/status", pid)
		for {
			b, err := os.ReadFile(path)
			if err != nil {
				return // exited
			}
			_, rest, ok := bytes.Cut(b, []byte("VmHWM:"))
			if !ok {
				return // a zombie: exited
			}
			var kib int64
			fmt.Sscan(string(rest), &kib)
			hwm.Store(max(hwm.Load(), kib))
			time.Sleep(10 * time.Millisecond)
		}
	}()
	return func() int64 { <-done; return hwm.Load() }
}

func (p purgeRun) run(ctx context.Context) (purgeOutcome, error) {
	wait, err := p.start(ctx)
	if err != nil {
		return purgeOutcome{}, err
	}
	return wait()
}

// submitDuringPurge starts Whisper on the filled database, posts reports
// from several clients idle, then while whisperctl purge runs.
func submitDuringPurge(ctx context.Context, p purgeRun, clients int, idle time.Duration, messageBytes int) (before, during measurement, purge purgeOutcome, err error) {
	key, err := seal.ReadKeyFile(p.keyFile)
	if err != nil {
		return before, during, purge, err
	}
	w, err := startWhisper(ctx, p.url, key)
	if err != nil {
		return before, during, purge, err
	}
	defer w.close()
	s, err := webReports.whisper(w, messageBytes)
	if err != nil {
		return before, during, purge, err
	}
	var n counter
	drive(ctx, config{clients: clients, round: time.Second, messageBytes: messageBytes}, s, &n) // warm up
	before = drive(ctx, config{clients: clients, round: idle, messageBytes: messageBytes}, s, &n)
	wait, err := p.start(ctx)
	if err != nil {
		return before, during, purge, err
	}
	purging, done := context.WithCancel(ctx)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		purge, err = wait()
		done()
	}()
	during = drive(purging, config{clients: clients, round: 24 * time.Hour, messageBytes: messageBytes}, s, &n)
	<-finished
	if err == nil && (before.ok == 0 || during.ok == 0) {
		err = fmt.Errorf("no report was taken (idle %d failed, during %d failed)", before.failed, during.failed)
	}
	return before, during, purge, err
}

// purgeResult is the whole measurement.
type purgeResult struct {
	n, clients   int
	store        string
	maxP99       float64 // the p99 target, during / idle; 0: none on this store
	statement    time.Duration
	alone        purgeOutcome
	loaded       purgeOutcome
	idle, during measurement
}

// print writes the results and reports whether every target was met.
func (r purgeResult) print(w io.Writer) bool {
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	ratio := r.alone.took.Seconds() / r.statement.Seconds()
	timeOK, rssOK := ratio <= maxPurgeRatio, r.alone.rssKiB < maxPurgeRSSKiB
	fmt.Fprintf(w, "Retention purge of %d interactions — %s\n", r.n, r.store)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\ttime\terased per second\tpeak RSS\t")
	fmt.Fprintf(tw, "one set-based statement\t%.1f s\t%.0f\t\t\n", r.statement.Seconds(), float64(r.n)/r.statement.Seconds())
	fmt.Fprintf(tw, "whisperctl purge\t%.1f s\t%.0f\t%.1f MiB\t\n", r.alone.took.Seconds(), float64(r.n)/r.alone.took.Seconds(), float64(r.alone.rssKiB)/1024)
	fmt.Fprintf(tw, "whisperctl purge, reports arriving\t%.1f s\t%.0f\t%.1f MiB\t\n", r.loaded.took.Seconds(), float64(r.n)/r.loaded.took.Seconds(), float64(r.loaded.rssKiB)/1024)
	tw.Flush()
	fmt.Fprintf(w, "ratio: time %.2f× (target ≤ %.1f×: %s); peak RSS %.1f MiB (target < %d MB: %s)\n\n",
		ratio, maxPurgeRatio, verdict(timeOK), float64(r.alone.rssKiB)/1024, maxPurgeRSSKiB>>10, verdict(rssOK))

	p99 := float64(r.during.percentile(0.99)) / float64(r.idle.percentile(0.99))
	p99OK := r.maxP99 == 0 || p99 <= r.maxP99
	fmt.Fprintf(w, "Web report submission during the purge — %s, %d clients\n", r.store, r.clients)
	printTable(w, row{"idle", r.idle}, row{"during purge", r.during})
	if r.maxP99 == 0 {
		fmt.Fprintf(w, "ratio: p99 %.2f× (no target on this store)\n\n", p99)
	} else {
		fmt.Fprintf(w, "ratio: p99 %.2f× (target ≤ %.1f×: %s)\n\n", p99, r.maxP99, verdict(p99OK))
	}
	return timeOK && rssOK && p99OK
}
