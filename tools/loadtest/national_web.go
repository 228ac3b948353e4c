package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/app"
)

// The staff portal's read paths on the national dataset (issue #23).
const (
	portalListP50  = 20 * time.Millisecond  // the staff list, every page and filter
	portalListP99  = 100 * time.Millisecond // the same
	portalCaseP50  = 10 * time.Millisecond  // one interaction's page
	portalStatsMax = 200 * time.Millisecond // the statistics page
	portalRSSMax   = 100 << 20              // whisperd's peak RSS, the whole run
)

// portalStartWithin is how long whisperd may take to be ready on the
// copy: its first retention round, before it serves, erases the day's due
// interactions the seed left (about 2,000 at full scale).
const portalStartWithin = 5 * time.Minute

// Share of an organisation's live interactions the measurement marks
// urgent, and assigns to its admin, on the copy: the seed leaves none, so
// that the urgent and assignee filters would show empty lists.
const (
	portalUrgentShare   = 0.01
	portalAssignedShare = 0.10
)

// portalConfig is the shape of one run of `loadtest portal`.
type portalConfig struct {
	// spread is how many evenly spaced pages each filter reads, besides
	// its first and last; cases how many interactions' pages are read;
	// stats how many times each statistics page is read.
	spread, cases, stats int
	explain              bool
	pgLog                string
}

// runPortal measures the staff portal's read paths on a copy of the
// national dataset, through the real whisperd.
func runPortal(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("portal", flag.ExitOnError)
	df := addDatasetFlags(fs)
	var cfg portalConfig
	fs.IntVar(&cfg.spread, "pages", 50, "evenly spaced pages each filter reads, besides its first and last (the unfiltered list reads every page)")
	fs.IntVar(&cfg.cases, "interactions", 200, "interactions whose page is read, picked across each organisation's list")
	fs.IntVar(&cfg.stats, "stats", 10, "reads of each statistics page (default range, widest range)")
	fs.BoolVar(&cfg.explain, "explain", false, "PostgreSQL only: afterwards print the plans (auto_explain) of the list, an interaction's page and the statistics")
	fs.StringVar(&cfg.pgLog, "pg-log", "/var/log/postgresql/postgresql-15-main.log", "with -explain, PostgreSQL's log, where auto_explain writes the plans")
	fs.Parse(args)
	d, err := df.load()
	if err != nil {
		return err
	}
	if cfg.explain && !d.postgres() {
		return errors.New("-explain needs PostgreSQL")
	}
	res, err := measurePortal(ctx, d, cfg)
	if err != nil {
		return err
	}
	if !res.print(os.Stdout) {
		fmt.Println("Some targets were missed (see above).")
	}
	fmt.Print(res.plans)
	if len(res.problems) > 0 {
		return fmt.Errorf("%d requests went wrong (see above)", len(res.problems))
	}
	return nil
}

// portalOrg is one organisation the portal is read as: its admin, and
// what its filters need.
type portalOrg struct {
	label, id, email, adminID, inbox string
	live                             int
	// pages is the unfiltered list's page count; refs the references
	// read from it.
	pages int
	refs  []string
}

// portalSide is what one organisation's pages did.
type portalSide struct {
	org     *portalOrg
	filters []portalFilterResult
	cases   measurement
	stats   []measurement // default range, widest range
}

type portalFilterResult struct {
	name        string
	total, read int
	m           measurement
	// refs are the references read, when every page was.
	refs []string
}

// portalResult is the whole run: the largest organisation beside the
// median, and whisperd's memory.
type portalResult struct {
	store           string
	largest, median portalSide
	idleRSS, peak   int64
	// peakAnon is the highest RssAnon sampled: VmRSS less the pages of
	// the database that SQLite maps (mmap_size) and has read.
	peakAnon int64
	problems []string
	// plans are the hot statements' plans (-explain).
	plans string
	// widest is the statistics' widest range, as asked for.
	widestFrom, widestTo string
}

// measurePortal copies the dataset, marks a few urgent and assigned on
// the copy, starts whisperd on it, signs in as the admins of the largest
// and the median organisations and reads their pages one at a time.
func measurePortal(ctx context.Context, d *dataset, cfg portalConfig) (*portalResult, error) {
	cp, err := d.copy(ctx)
	if err != nil {
		return nil, err
	}
	defer cp.remove()
	// Migrations the dataset lacks are applied before whisperd starts, so
	// that an index built on millions of rows is not timed as its start.
	key, err := d.key()
	if err != nil {
		return nil, err
	}
	st, err := openStore(ctx, cp.dbURL, key)
	if err != nil {
		return nil, err
	}
	st.Close()
	bin, cleanup, err := buildWhisperd(ctx)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	dir, err := os.MkdirTemp("", "whisper-portal-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	starting, cancel := context.WithTimeout(ctx, portalStartWithin)
	defer cancel()
	w, err := startWhisperd(starting, bin, dir, nil, []string{"WHISPER_SECURITY_DATA_KEY_FILE=" + cp.keyFile}, "--database-url", cp.dbURL)
	if err != nil {
		return nil, err
	}
	defer w.stop()
	peak := watchPeakRSS(w.cmd.Process.Pid)
	peakAnon := watchPeakAnon(ctx, w)
	// The marks are made once whisperd has run its first retention round,
	// which erases the last day's due interactions, so that they fall on
	// interactions that stay.
	largest, median, err := preparePortal(ctx, d, cp)
	if err != nil {
		return nil, err
	}
	res := &portalResult{store: "embedded SQLite", largest: portalSide{org: largest}, median: portalSide{org: median}}
	if d.postgres() {
		res.store = "PostgreSQL"
	}
	idle, err := w.memory()
	if err != nil {
		return nil, err
	}
	res.idleRSS = idle.rss
	phase := func(what string) {
		if m, err := w.memory(); err == nil {
			fmt.Fprintf(os.Stderr, "  %s; whisperd's peak RSS so far %s\n", what, fmtMiB(m.hwm))
		}
	}
	phase("whisperd started and marks made")
	sides := []*portalSide{&res.largest, &res.median}
	clients := make([]*http.Client, len(sides))
	for i, s := range sides {
		if clients[i], err = signInPortal(ctx, w.url, s.org.email, d.password); err != nil {
			return nil, fmt.Errorf("signing in as the %s organisation's admin: %w", s.org.label, err)
		}
	}
	phase(fmt.Sprintf("signed in as %s and the median organisation's admin", largest.email))
	// One read of each one's first page, not counted, so that the first
	// figure is not that of a cold start.
	for _, c := range clients {
		if err := getPage(ctx, c, w.url+"/staff/"); err != nil {
			return nil, err
		}
	}

	// Every page of the unfiltered list, then each filter, then
	// interactions' pages, then the statistics: each for the largest
	// organisation, then for the median.
	for i, s := range sides {
		r := readList(ctx, clients[i], w.url, "(none)", nil, allPages, res)
		s.org.pages, s.org.refs = max(1, (r.total+app.InteractionsPerPage-1)/app.InteractionsPerPage), r.refs
		s.filters = append(s.filters, r)
	}
	phase("every page of the list read")
	now := time.Now().UTC()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -3, 0)
	for _, f := range portalFilters(month) {
		for i, s := range sides {
			q := f.query
			if f.name == "inbox" {
				q = url.Values{"inbox": {s.org.inbox}}
			}
			s.filters = append(s.filters, readList(ctx, clients[i], w.url, f.name, q, cfg.spread, res))
		}
	}
	phase("the filters read")
	for i, s := range sides {
		s.cases = readCases(ctx, clients[i], w.url, spreadPick(s.org.refs, cfg.cases), res)
	}
	phase("the interactions' pages read")
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	res.widestFrom, res.widestTo = thisMonth.AddDate(0, 1-app.StatsMaxMonths, 0).Format("2006-01"), thisMonth.Format("2006-01")
	for i, s := range sides {
		for _, q := range []string{"", "?" + url.Values{"from": {res.widestFrom}, "to": {res.widestTo}}.Encode()} {
			s.stats = append(s.stats, readStats(ctx, clients[i], w.url+"/staff/stats"+q, cfg.stats, res))
		}
	}
	phase("the statistics read")
	w.stop()
	res.peak = peak() << 10
	res.peakAnon = peakAnon()
	if cfg.explain {
		var plans strings.Builder
		if err := explainPortal(ctx, bin, cp, d.password, cfg.pgLog, largest, &plans); err != nil {
			return nil, fmt.Errorf("-explain: %w", err)
		}
		res.plans = plans.String()
	}
	return res, nil
}

// allPages asks readList for every page.
const allPages = -1

// portalFilter is one of the list's filters, as its form sends it.
type portalFilter struct {
	name  string
	query url.Values
}

// portalFilters are the list's filters but search (measured elsewhere);
// "inbox" is filled in with each organisation's busiest inbox, and the
// date range is the month starting at month.
func portalFilters(month time.Time) []portalFilter {
	one := func(k, v string) url.Values { return url.Values{k: {v}} }
	return []portalFilter{
		{"status=open", one("status", "open")},
		{"status=closed", one("status", "closed")},
		{"inbox", nil},
		{"from/to one month", url.Values{"from": {month.Format(time.DateOnly)}, "to": {month.AddDate(0, 1, -1).Format(time.DateOnly)}}},
		{"awaiting=1", one("awaiting", "1")},
		{"assignee=me", one(app.FilterAssignee, app.AssigneeMe)},
		{"assignee=none", one(app.FilterAssignee, app.AssigneeNone)},
		{"urgent=1", one("urgent", "1")},
		{"flagged=1", one("flagged", "1")},
	}
}

var (
	listTotal = regexp.MustCompile(`<caption id="reports-caption">([\d,]+) reports?\b`)
	listRef   = regexp.MustCompile(`<a class="ref" href="/staff/interactions/([^"]+)">`)
)

// readList reads pages of the list with the filter q: every page
// (spread allPages), or the first, the last and spread evenly between.
// Each must answer 200 with as many rows as the total leaves it.
func readList(ctx context.Context, c *http.Client, base, name string, q url.Values, spread int, res *portalResult) portalFilterResult {
	out := portalFilterResult{name: name}
	get := func(page int) (refs []string, ok bool) {
		v := url.Values{}
		for k, vals := range q {
			v[k] = vals
		}
		if page > 1 {
			v.Set("page", strconv.Itoa(page))
		}
		u := base + "/staff/"
		if len(v) > 0 {
			u += "?" + v.Encode()
		}
		t0 := time.Now()
		body, err := readPage(ctx, c, u)
		took := time.Since(t0)
		if err != nil {
			res.problem("list %s page %d: %v", name, page, err)
			out.m.failed++
			return nil, false
		}
		out.m.ok++
		out.m.elapsed += took
		out.m.latencies = append(out.m.latencies, took)
		for _, m := range listRef.FindAllSubmatch(body, -1) {
			refs = append(refs, string(m[1]))
		}
		total := 0
		if m := listTotal.FindSubmatch(body); m != nil {
			total, _ = strconv.Atoi(strings.ReplaceAll(string(m[1]), ",", ""))
		} else if len(refs) > 0 || !strings.Contains(string(body), `<form method="get" action="/staff/" class="filters"`) {
			res.problem("list %s page %d: not the list page", name, page)
			return refs, false
		}
		if page == 1 {
			out.total = total
		}
		if want := min(app.InteractionsPerPage, max(0, total-(page-1)*app.InteractionsPerPage)); len(refs) != want || total != out.total {
			res.problem("list %s page %d: %d rows of %d in all, want %d of %d", name, page, len(refs), total, want, out.total)
		}
		return refs, true
	}
	first, ok := get(1)
	if !ok {
		return out
	}
	pages := max(1, (out.total+app.InteractionsPerPage-1)/app.InteractionsPerPage)
	read := map[int]bool{1: true}
	var order []int
	if spread == allPages {
		for p := 2; p <= pages; p++ {
			order = append(order, p)
		}
	} else {
		for k := 1; k <= spread; k++ {
			order = append(order, 1+k*(pages-1)/(spread+1))
		}
		order = append(order, pages)
	}
	var refs []string
	if spread == allPages {
		refs = first
	}
	for _, p := range order {
		if read[p] {
			continue
		}
		read[p] = true
		more, _ := get(p)
		if spread == allPages {
			refs = append(refs, more...)
		}
	}
	out.read, out.refs = len(read), refs
	return out
}

// readCases reads each interaction's page.
func readCases(ctx context.Context, c *http.Client, base string, refs []string, res *portalResult) measurement {
	var m measurement
	for _, ref := range refs {
		t0 := time.Now()
		body, err := readPage(ctx, c, base+"/staff/interactions/"+url.PathEscape(ref))
		took := time.Since(t0)
		if err != nil {
			res.problem("interaction page: %v", err)
			m.failed++
			continue
		}
		if !strings.Contains(string(body), ref) {
			res.problem("interaction page of %s does not name it", ref)
		}
		m.ok++
		m.elapsed += took
		m.latencies = append(m.latencies, took)
	}
	return m
}

// readStats reads the statistics page at u n times.
func readStats(ctx context.Context, c *http.Client, u string, n int, res *portalResult) measurement {
	var m measurement
	for range n {
		t0 := time.Now()
		body, err := readPage(ctx, c, u)
		took := time.Since(t0)
		if err != nil {
			res.problem("statistics: %v", err)
			m.failed++
			continue
		}
		if !strings.Contains(string(body), "<h1>Statistics</h1>") {
			res.problem("statistics: not the statistics page")
		}
		m.ok++
		m.elapsed += took
		m.latencies = append(m.latencies, took)
	}
	return m
}

// spreadPick picks up to n of refs, evenly spaced.
func spreadPick(refs []string, n int) []string {
	if len(refs) <= n {
		return refs
	}
	out := make([]string, n)
	for i := range out {
		out[i] = refs[i*len(refs)/n]
	}
	return out
}

// problem notes what went wrong with a request; the run goes on.
func (r *portalResult) problem(format string, args ...any) {
	if len(r.problems) < 1000 {
		r.problems = append(r.problems, fmt.Sprintf(format, args...))
	}
}

// signInPortal signs in with the sign-in form, as a browser does, and
// returns a client holding the session.
func signInPortal(ctx context.Context, base, email, password string) (*http.Client, error) {
	c := fromAddress("127.0.0.1", 1)
	c.Jar, _ = cookiejar.New(nil)
	if err := getPage(ctx, c, base+"/staff/login"); err != nil {
		return nil, err
	}
	status, err := postSignIn(ctx, c, base, email, password)
	if err != nil {
		return nil, err
	}
	if status != http.StatusSeeOther {
		return nil, fmt.Errorf("sign-in answered %d, want 303", status)
	}
	return c, nil
}

// preparePortal finds the median organisation (by interactions, erased
// ones too) and what the filters need of both, and marks a few of each
// one's live interactions urgent and assigned to its admin, on the copy.
func preparePortal(ctx context.Context, d *dataset, cp *datasetCopy) (largest, median *portalOrg, err error) {
	db, err := openRaw(cp.dbURL)
	if err != nil {
		return nil, nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "SELECT org_id FROM interactions GROUP BY org_id ORDER BY count(*), org_id")
	if err != nil {
		return nil, nil, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if len(ids) < 2 {
		return nil, nil, errors.New("the dataset has fewer than two organisations with interactions")
	}
	largest = &portalOrg{label: "largest", id: string(d.LargestOrg), email: d.AdminEmail}
	median = &portalOrg{label: "median", id: ids[len(ids)/2]}
	if median.id == largest.id {
		median.id = ids[len(ids)/2-1]
	}
	var name string
	if err := db.QueryRowContext(ctx, "SELECT name FROM organisations WHERE id = ?", median.id).Scan(&name); err != nil {
		return nil, nil, err
	}
	// The seed names organisation i "Seed School i" (or Trust), and its
	// admin admin@school<i>.seed.example (seed.go).
	number := name[strings.LastIndexByte(name, ' ')+1:]
	median.email = "admin@school" + number + ".seed.example"
	for _, o := range []*portalOrg{largest, median} {
		err := db.QueryRowContext(ctx, "SELECT id FROM staff WHERE org_id = ? AND role = 'admin' AND removed_at IS NULL ORDER BY created_at LIMIT 1", o.id).Scan(&o.adminID)
		if err != nil {
			return nil, nil, fmt.Errorf("the %s organisation's admin: %w", o.label, err)
		}
		err = db.QueryRowContext(ctx, `SELECT inbox_id FROM interactions WHERE org_id = ? AND erased_at IS NULL
			GROUP BY inbox_id ORDER BY count(*) DESC, inbox_id LIMIT 1`, o.id).Scan(&o.inbox)
		if err != nil {
			return nil, nil, fmt.Errorf("the %s organisation's busiest inbox: %w", o.label, err)
		}
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM interactions WHERE org_id = ? AND erased_at IS NULL", o.id).Scan(&o.live); err != nil {
			return nil, nil, err
		}
		// Identifiers are random, so the first by id are spread over
		// the years.
		if _, err := db.ExecContext(ctx, `UPDATE interactions SET urgent = TRUE WHERE id IN (SELECT id FROM interactions
			WHERE org_id = ? AND erased_at IS NULL ORDER BY id LIMIT ?)`, o.id, max(1, int(float64(o.live)*portalUrgentShare))); err != nil {
			return nil, nil, fmt.Errorf("marking urgent: %w", err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE interactions SET assignee_id = ? WHERE id IN (SELECT id FROM interactions
			WHERE org_id = ? AND erased_at IS NULL ORDER BY id DESC LIMIT ?)`, o.adminID, o.id, max(1, int(float64(o.live)*portalAssignedShare))); err != nil {
			return nil, nil, fmt.Errorf("assigning: %w", err)
		}
	}
	if d.postgres() {
		// As autovacuum would after the marks (and the retention round):
		// the planner knows a few are urgent and assigned, and the pages
		// they changed are all-visible again, so that index-only scans
		// read no rows. A page is marked so only when no older snapshot
		// is open, and whisperd's sweep reads at its first round, as it
		// starts serving: the vacuum waits for it, as autovacuum, coming
		// by later, would.
		if err := awaitNoSnapshots(ctx, db); err != nil {
			return nil, nil, err
		}
		if _, err := db.ExecContext(ctx, "VACUUM ANALYZE interactions"); err != nil {
			return nil, nil, err
		}
	}
	return largest, median, nil
}

// awaitNoSnapshots waits, for at most five minutes, until no other session
// on db's database holds a snapshot.
func awaitNoSnapshots(ctx context.Context, db *bun.DB) error {
	deadline := time.Now().Add(5 * time.Minute)
	for {
		var open int
		err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xmin IS NOT NULL`).Scan(&open)
		if err != nil || open == 0 {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d sessions still hold a snapshot after five minutes", open)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// print writes the tables and says whether every target was met.
func (r *portalResult) print(w io.Writer) bool {
	l, m := r.largest, r.median
	fmt.Fprintf(w, "Staff portal — %s: the largest organisation (%d live reports, %d pages) beside the median (%d live, %d pages)\n",
		r.store, l.org.live, l.org.pages, m.org.live, m.org.pages)
	fmt.Fprintf(w, "one client, one request at a time; %.0f%% of each one's live reports marked urgent and %.0f%% assigned to its admin on the copy\n\n",
		portalUrgentShare*100, portalAssignedShare*100)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "GET /staff/\tmatches\tpages read\tp50\tp99\tmedian org: matches\tpages read\tp50\tp99\ttarget\t")
	var all, allMedian measurement
	met := true
	for i, f := range l.filters {
		g := m.filters[i]
		ok := f.m.failed == 0 && f.m.ok > 0 && f.m.percentile(0.5) < portalListP50 && f.m.percentile(0.99) < portalListP99
		met = met && ok
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t\n", f.name, f.total, f.read, fmtDur(f.m.percentile(0.5)), fmtDur(f.m.percentile(0.99)),
			g.total, g.read, fmtDur(g.m.percentile(0.5)), fmtDur(g.m.percentile(0.99)), verdict(ok))
		all.add(f.m)
		allMedian.add(g.m)
	}
	fmt.Fprintf(tw, "every list read\t\t%d\t%s\t%s\t\t%d\t%s\t%s\t\t\n", all.ok, fmtDur(all.percentile(0.5)), fmtDur(all.percentile(0.99)),
		allMedian.ok, fmtDur(allMedian.percentile(0.5)), fmtDur(allMedian.percentile(0.99)))
	tw.Flush()
	fmt.Fprintf(w, "target for the largest: p50 < %s and p99 < %s on every page and filter: %s\n\n", fmtDur(portalListP50), fmtDur(portalListP99), verdict(met))

	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\trequests\tp50\tp99\tmax\tmedian org: requests\tp50\tp99\tmax\ttarget\t")
	caseOK := l.cases.failed == 0 && l.cases.ok > 0 && l.cases.percentile(0.5) < portalCaseP50
	fmt.Fprintf(tw, "GET /staff/interactions/{ref}\t%s\t%s\t%s\n", portalFigures(l.cases), portalFigures(m.cases), "p50 < "+fmtDur(portalCaseP50)+": "+verdict(caseOK)+"\t")
	statsOK := true
	for i, name := range []string{"GET /staff/stats (last 12 months)", "GET /staff/stats (" + r.widestFrom + " to " + r.widestTo + ")"} {
		ok := l.stats[i].failed == 0 && l.stats[i].ok > 0 && l.stats[i].percentile(1) < portalStatsMax
		statsOK = statsOK && ok
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", name, portalFigures(l.stats[i]), portalFigures(m.stats[i]), "max < "+fmtDur(portalStatsMax)+": "+verdict(ok)+"\t")
	}
	tw.Flush()
	rssOK := r.peak > 0 && r.peak < portalRSSMax
	fmt.Fprintf(w, "\nwhisperd RSS: %s after start (idle), peak %s over the whole run (VmHWM; target < %d MB: %s);\n",
		fmtMiB(r.idleRSS), fmtMiB(r.peak), portalRSSMax>>20, verdict(rssOK))
	fmt.Fprintf(w, "  of which its own memory (RssAnon, sampled every 10 ms) at most %s, the rest mapped pages of the database file\n", fmtMiB(r.peakAnon))
	if len(r.problems) > 0 {
		fmt.Fprintf(w, "%d requests went wrong, e.g.:\n", len(r.problems))
		for _, p := range r.problems[:min(5, len(r.problems))] {
			fmt.Fprintf(w, "  %s\n", p)
		}
	}
	fmt.Fprintln(w)
	return met && caseOK && statsOK && rssOK && len(r.problems) == 0
}

// portalFigures are one row's requests, p50, p99 and max, tab-separated.
func portalFigures(m measurement) string {
	return fmt.Sprintf("%d\t%s\t%s\t%s", m.ok, fmtDur(m.percentile(0.5)), fmtDur(m.percentile(0.99)), fmtDur(m.percentile(1)))
}

// watchPeakAnon samples whisperd's RssAnon every 10 ms until peak is
// called.
func watchPeakAnon(ctx context.Context, w *whisperd) (peak func() int64) {
	ctx, cancel := context.WithCancel(ctx)
	var most int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			if m, err := w.memory(); err == nil {
				most = max(most, m.anon)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() int64 { cancel(); <-done; return most }
}

// autoExplain are the startup parameters that have PostgreSQL log the plan
// of every statement of a session, as EXPLAIN (ANALYZE, BUFFERS) prints it
// (the auto_explain module, loaded for the session; superuser only).
var autoExplain = url.Values{
	"session_preload_libraries":     {"auto_explain"},
	"auto_explain.log_min_duration": {"0"},
	"auto_explain.log_analyze":      {"on"},
	"auto_explain.log_buffers":      {"on"},
}

// logEntry is the first line of an entry of PostgreSQL's log (Debian's
// log_line_prefix, '%m [%p] %q%u@%d '); the lines that continue it do not
// start with a date.
var logEntry = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d`)

// explainPortal starts whisperd again on the copy, its sessions logging
// their plans, reads the hot pages once each as the organisation o's
// admin, and writes the plans of the statements that read interactions or
// messages, taken from the server's log at logPath, to out.
func explainPortal(ctx context.Context, bin string, cp *datasetCopy, password, logPath string, o *portalOrg, out io.Writer) error {
	log, err := os.Open(logPath)
	if err != nil {
		return fmt.Errorf("-explain reads the plans from PostgreSQL's log (-pg-log): %w", err)
	}
	defer log.Close()
	u, err := url.Parse(cp.dbURL)
	if err != nil {
		return errors.New("the database URL does not parse")
	}
	session := "@" + strings.TrimPrefix(u.Path, "/") + " LOG:  duration: "
	q := u.Query()
	for k, v := range autoExplain {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	dir, err := os.MkdirTemp("", "whisper-portal-explain-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	starting, cancel := context.WithTimeout(ctx, portalStartWithin)
	defer cancel()
	w, err := startWhisperd(starting, bin, dir, nil, []string{"WHISPER_SECURITY_DATA_KEY_FILE=" + cp.keyFile}, "--database-url", u.String())
	if err != nil {
		return err
	}
	defer w.stop()
	c, err := signInPortal(ctx, w.url, o.email, password)
	if err != nil {
		return err
	}
	ref := ""
	if len(o.refs) > 0 {
		ref = o.refs[len(o.refs)/2]
	}
	pages := []struct{ name, path string }{
		{"the list, first page", "/staff/"},
		{"the list, deepest page", "/staff/?page=" + strconv.Itoa(o.pages)},
		{"the list, awaiting=1", "/staff/?awaiting=1"},
		{"an interaction's page", "/staff/interactions/" + url.PathEscape(ref)},
		{"the statistics, last 12 months", "/staff/stats"},
	}
	fmt.Fprintf(out, "Plans (auto_explain: ANALYZE, BUFFERS) of the statements that read interactions or messages, as the largest organisation's admin\n\n")
	for _, p := range pages {
		// Earlier requests' plans (and sign-in's) are skipped.
		if _, err := log.Seek(0, io.SeekEnd); err != nil {
			return err
		}
		if _, err := readPage(ctx, c, w.url+p.path); err != nil {
			return err
		}
		time.Sleep(200 * time.Millisecond) // for the log to be written
		logged, err := io.ReadAll(log)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "=== %s: GET %s\n", p.name, p.path)
		var entry []string
		flush := func() {
			text := strings.Join(entry, "\n")
			if len(entry) > 0 && strings.Contains(entry[0], session) && (strings.Contains(text, "interactions") || strings.Contains(text, "messages")) {
				fmt.Fprintln(out, text[strings.Index(text, "duration: "):])
			}
			entry = entry[:0]
		}
		for _, line := range strings.Split(string(logged), "\n") {
			if logEntry.MatchString(line) {
				flush()
			}
			if line != "" {
				entry = append(entry, line)
			}
		}
		flush()
		fmt.Fprintln(out)
	}
	return nil
}
