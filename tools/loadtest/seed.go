package main

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/whisper-schools/whisper/adapters/passhash"
	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/adapters/store/seal"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// seedConfig is what `loadtest seed` makes.
type seedConfig struct {
	dbURL, keyFile, password string
	orgs, interactions       int
	months                   int
	seed                     uint64
	workers, batch           int
	analyze                  bool
	// now is the end of the seeded period; interactions fall in the
	// months before it.
	now time.Time
	// progress, when set, is told how many interactions are written.
	progress func(done int)
}

// seedResult is what `loadtest seed` prints as JSON.
type seedResult struct {
	LargestOrg     domain.OrgID `json:"largest_org"`
	AdminEmail     string       `json:"admin_email"`
	LargestOrgSize int          `json:"largest_org_interactions"`
	Organisations  int          `json:"organisations"`
	Staff          int          `json:"staff"`
	Interactions   int          `json:"interactions"`
	Messages       int          `json:"messages"`
	Erased         int          `json:"erased"`
	SetupSeconds   float64      `json:"setup_seconds"`
	ElapsedSeconds float64      `json:"elapsed_seconds"`
}

// seedRetention is every seeded organisation's retention: with 36 months
// of reports, about a third have passed it and are erased, as a nightly
// purge leaves them, but for the last day's (about 2,000 at full scale),
// which a purge would erase next.
const seedRetention = domain.Retention24

// seedBatch is how many interactions go in one transaction by default.
const seedBatch = 2000

// runSeed fills a database with a realistic national dataset.
func runSeed(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ExitOnError)
	var (
		dbURL    = fs.String("database-url", "", "the database to fill: postgres://… or sqlite:PATH, as whisperd takes it (migrated first)")
		keyFile  = fs.String("data-key-file", "", "the data key file (made when missing); default PATH.key for sqlite:PATH, as whisperd's")
		orgs     = fs.Int("orgs", 5000, "organisations")
		n        = fs.Int("interactions", 2_000_000, "interactions, spread over the organisations from a long tail of large trusts to small schools")
		months   = fs.Int("months", 36, "months the interactions span, ending now")
		password = fs.String("staff-password", "", "the password every seeded staff member signs in with (at least 12 characters)")
		seed     = fs.Uint64("seed", 1, "seed of the random source: the same seed makes the same organisation sizes, texts and times")
		workers  = fs.Int("workers", runtime.NumCPU(), "batches sealed and written at once")
		batch    = fs.Int("batch", seedBatch, "interactions written in one transaction")
		profile  = fs.String("cpuprofile", "", "write a CPU profile of the seed to this file")
		analyze  = fs.Bool("analyze", true, "on PostgreSQL, VACUUM ANALYZE the database once seeded (timed with the rest)")
	)
	fs.Parse(args)
	if *dbURL == "" || *password == "" {
		return errors.New("give -database-url and -staff-password")
	}
	if *profile != "" {
		stop, err := startProfile(*profile)
		if err != nil {
			return err
		}
		defer stop()
	}
	cfg := seedConfig{dbURL: *dbURL, keyFile: *keyFile, password: *password, orgs: *orgs, interactions: *n,
		months: *months, seed: *seed, workers: *workers, batch: *batch, analyze: *analyze, now: time.Now().UTC()}
	cfg.progress = func(done int) {
		if done%100_000 < *batch {
			fmt.Fprintf(os.Stderr, "  seeded %d interactions\n", done)
		}
	}
	res, err := seedDataset(ctx, cfg)
	if err != nil {
		return err
	}
	out, _ := json.MarshalIndent(res, "", "  ")
	fmt.Println(string(out))
	return nil
}

// seedDataset makes cfg.orgs organisations through the app, as an
// operator would (so each has its audit entries in the real chain), then
// writes their interactions in batches through store.Seed.
func seedDataset(ctx context.Context, cfg seedConfig) (res seedResult, err error) {
	start := time.Now()
	if cfg.orgs < 1 || cfg.interactions < 0 || cfg.months < 1 {
		return res, errors.New("seed: needs at least one organisation and one month")
	}
	if cfg.workers < 1 {
		cfg.workers = 1
	}
	if cfg.batch < 1 {
		cfg.batch = seedBatch
	}
	keyFile := cfg.keyFile
	if keyFile == "" {
		path, ok := strings.CutPrefix(cfg.dbURL, "sqlite:")
		if !ok {
			return res, errors.New("seed: PostgreSQL needs -data-key-file")
		}
		keyFile = seal.KeyFilePath(path)
	}
	key, _, err := seal.LoadOrCreateKeyFile(keyFile)
	if err != nil {
		return res, err
	}
	st, err := openStore(ctx, seedURL(cfg.dbURL), key)
	if err != nil {
		return res, err
	}
	defer st.Close()
	// Hashing the one password once: each hash costs tens of
	// milliseconds by design, and thousands of staff share it.
	hasher := passhash.New(passhash.DefaultParams(), 0)
	hash, err := hasher.Hash(ctx, cfg.password)
	if err != nil {
		return res, err
	}
	svc := app.New(app.Deps{Store: st, Clock: app.SystemClock{}, Random: crand.Reader,
		Hasher: onceHasher{PasswordHasher: hasher, password: cfg.password, hash: hash}, PublicURL: publicURL})

	sizes := orgSizes(cfg.orgs, cfg.interactions)
	orgs, err := setupOrgs(ctx, svc, cfg, sizes)
	if err != nil {
		return res, err
	}
	res.SetupSeconds = time.Since(start).Seconds()
	res.LargestOrg, res.AdminEmail, res.LargestOrgSize = orgs[0].id, orgs[0].adminEmail, orgs[0].n
	res.Organisations = len(orgs)
	for _, o := range orgs {
		res.Staff += len(o.staff)
	}
	err = st.SeedBulk(ctx, func() error { return seedInteractions(ctx, st, svc, cfg, orgs, &res) })
	if err != nil {
		return res, err
	}
	if cfg.analyze && !strings.HasPrefix(cfg.dbURL, "sqlite:") {
		// A database that has held its reports for months has been
		// vacuumed and analysed (and autovacuum may be off where it is
		// measured); SQLite is left as whisperd leaves it, unanalysed.
		if err := vacuumAnalyze(ctx, seedURL(cfg.dbURL)); err != nil {
			return res, fmt.Errorf("seed: VACUUM ANALYZE: %w", err)
		}
	}
	res.ElapsedSeconds = time.Since(start).Seconds()
	return res, nil
}

// seedURL is the database URL the seed writes through. On PostgreSQL its
// sessions commit without waiting for the disk (synchronous_commit=off,
// unless the URL says otherwise): setting up thousands of organisations is
// thousands of small transactions, each writing the audit chain in turn,
// and a seed cut short by a crash is run again, not recovered. The data
// written is the same.
func seedURL(dbURL string) string {
	if !strings.HasPrefix(dbURL, "postgres://") && !strings.HasPrefix(dbURL, "postgresql://") {
		return dbURL
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		return dbURL // the store names the problem without quoting the URL
	}
	q := u.Query()
	if q.Get("synchronous_commit") == "" {
		q.Set("synchronous_commit", "off")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// vacuumAnalyze runs VACUUM ANALYZE on the PostgreSQL database at dbURL.
func vacuumAnalyze(ctx context.Context, dbURL string) error {
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "VACUUM ANALYZE")
	return err
}

// orgSizes spreads n interactions over orgs organisations in proportion
// to 1/(rank+3): a long tail of large trusts and most schools small. At
// 5,000 organisations and 2,000,000 interactions the largest holds about
// 90,000 and the median about 110 (three dozen a year).
func orgSizes(orgs, n int) []int {
	weights := make([]float64, orgs)
	var total float64
	for i := range weights {
		weights[i] = 1 / float64(i+3)
		total += weights[i]
	}
	sizes := make([]int, orgs)
	given := 0
	for i, w := range weights {
		sizes[i] = int(float64(n) * w / total)
		given += sizes[i]
	}
	// What rounding left goes to the largest, which stays the largest.
	sizes[0] += n - given
	return sizes
}

// seedOrg is one seeded organisation.
type seedOrg struct {
	id         domain.OrgID
	form       *domain.Form
	inboxes    []*domain.Inbox
	staff      []domain.StaffID
	adminEmail string
	n          int
}

// setupOrgs makes the organisations, each with a form, its inboxes and
// staff (one admin, more members in larger ones), through the app.
func setupOrgs(ctx context.Context, svc *app.App, cfg seedConfig, sizes []int) ([]*seedOrg, error) {
	orgs := make([]*seedOrg, len(sizes))
	next := make(chan int)
	errs := make(chan error, 4)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for range min(4, cfg.workers) {
		wg.Go(func() {
			for i := range next {
				o, err := setupOrg(ctx, svc, cfg.password, i, sizes[i])
				if err != nil {
					errs <- fmt.Errorf("organisation %d: %w", i, err)
					cancel()
					return
				}
				orgs[i] = o
			}
		})
	}
	go func() {
		defer close(next)
		for i := range sizes {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	return orgs, ctx.Err()
}

// inboxNames are the inboxes a school adds beside General.
var inboxNames = []string{"Bullying", "Safeguarding", "Online", "Something else"}

func setupOrg(ctx context.Context, svc *app.App, password string, i, n int) (*seedOrg, error) {
	name := fmt.Sprintf("Seed School %04d", i+1)
	if n >= 2000 {
		name = fmt.Sprintf("Seed Trust %04d", i+1)
	}
	// Codes are chosen, not suggested: a suggestion is the name's initials
	// and two digits, a hundred codes for thousands of "Seed School"s.
	org, err := svc.Operations.CreateOrganisation(ctx, app.CreateOrganisation{Name: name, RetentionMonths: int(seedRetention), Actor: "loadtest seed"})
	if err != nil {
		return nil, err
	}
	fc, err := svc.Operations.CreateForm(ctx, app.CreateForm{OrgID: org.ID, Name: name, Code: fmt.Sprintf("SEED%d", i+1), Actor: "loadtest seed"})
	if err != nil {
		return nil, err
	}
	o := &seedOrg{id: org.ID, form: fc.Form, inboxes: []*domain.Inbox{fc.Inbox}, n: n}
	extra := 1
	if n >= 100 {
		extra = len(inboxNames)
	}
	for _, ib := range inboxNames[:extra] {
		inbox, err := svc.Operations.CreateInbox(ctx, app.CreateInbox{FormID: fc.Form.ID, Name: ib, Actor: "loadtest seed"})
		if err != nil {
			return nil, err
		}
		o.inboxes = append(o.inboxes, inbox)
	}
	domainName := fmt.Sprintf("school%04d.seed.example", i+1)
	o.adminEmail = "admin@" + domainName
	admin, err := svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: org.ID, Email: o.adminEmail, FirstName: "Alex",
		LastName: "Admin", Role: domain.RoleAdmin, Password: password, Actor: "loadtest seed"})
	if err != nil {
		return nil, err
	}
	o.staff = append(o.staff, admin.Staff.ID)
	// Members: two in a small school, one more per 2,000 reports.
	for m := range min(2+n/2000, 25) {
		inboxes := []domain.InboxID{o.inboxes[m%len(o.inboxes)].ID}
		if m%2 == 1 {
			inboxes = append(inboxes, o.inboxes[0].ID)
		}
		member, err := svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: org.ID, Email: fmt.Sprintf("staff%d@%s", m+1, domainName),
			FirstName: firstNames[m%len(firstNames)], LastName: "Member", Role: domain.RoleStaff, InboxIDs: unique(inboxes),
			Password: password, Actor: "loadtest seed"})
		if err != nil {
			return nil, err
		}
		o.staff = append(o.staff, member.Staff.ID)
	}
	return o, nil
}

func unique(ids []domain.InboxID) []domain.InboxID {
	if len(ids) == 2 && ids[0] == ids[1] {
		return ids[:1]
	}
	return ids
}

var firstNames = []string{"Sam", "Priya", "Tom", "Aisha", "Rhys", "Megan", "Olu", "Chen"}

// seedInteractions makes the interactions of every organisation in one
// goroutine, from the seeded random source, and writes them in batches
// through store.Seed from cfg.workers goroutines, which seal in parallel.
func seedInteractions(ctx context.Context, st *store.Store, svc *app.App, cfg seedConfig, orgs []*seedOrg, res *seedResult) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []store.SeedInteraction, cfg.workers)
	errs := make(chan error, cfg.workers)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		done int
	)
	for range cfg.workers {
		wg.Go(func() {
			for b := range batches {
				if err := st.Seed(ctx, b); err != nil {
					errs <- err
					cancel()
					return
				}
				mu.Lock()
				done += len(b)
				if cfg.progress != nil {
					cfg.progress(done)
				}
				mu.Unlock()
			}
		})
	}
	g := newGenerator(cfg, svc)
	genErr := func() error {
		defer close(batches)
		batch := make([]store.SeedInteraction, 0, cfg.batch)
		for _, o := range orgs {
			for range o.n {
				si, err := g.interaction(o)
				if err != nil {
					return err
				}
				res.Interactions++
				res.Messages += 1 + len(si.Later)
				if si.ErasedAt != nil {
					res.Erased++
				}
				if batch = append(batch, si); len(batch) == cfg.batch {
					select {
					case batches <- batch:
					case <-ctx.Done():
						return ctx.Err()
					}
					batch = make([]store.SeedInteraction, 0, cfg.batch)
				}
			}
		}
		if len(batch) > 0 {
			select {
			case batches <- batch:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}()
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	return genErr
}

// generator draws interactions from the seeded random source: r for
// choices, ids (the same seed) for identifiers and tokens.
type generator struct {
	cfg   seedConfig
	svc   *app.App
	r     *rand.Rand
	ids   *rand.ChaCha8
	refs  map[domain.Reference]bool
	start time.Time
	span  time.Duration
	n     int
}

func newGenerator(cfg seedConfig, svc *app.App) *generator {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], cfg.seed)
	start := cfg.now.AddDate(0, -cfg.months, 0)
	return &generator{cfg: cfg, svc: svc, r: rand.New(rand.NewPCG(cfg.seed, 0x5eed)), ids: rand.NewChaCha8(s),
		refs: make(map[domain.Reference]bool), start: start, span: cfg.now.Sub(start)}
}

// laterCounts are how many messages follow the first: three in all on
// average.
var laterCounts = []int{0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 6}

// interaction is the next interaction of organisation o.
func (g *generator) interaction(o *seedOrg) (store.SeedInteraction, error) {
	i := g.n
	g.n++
	var ids domain.IDs
	var err error
	if ids.Interaction, err = domain.NewInteractionID(g.ids); err != nil {
		return store.SeedInteraction{}, err
	}
	if ids.Message, err = domain.NewMessageID(g.ids); err != nil {
		return store.SeedInteraction{}, err
	}
	for {
		// References have 40 random bits: among millions some collide,
		// and the unique index would refuse a whole batch.
		if ids.Ref, err = domain.NewReference(g.ids); err != nil {
			return store.SeedInteraction{}, err
		}
		if !g.refs[ids.Ref] {
			g.refs[ids.Ref] = true
			break
		}
	}
	if ids.Token, err = domain.NewToken(g.ids); err != nil {
		return store.SeedInteraction{}, err
	}
	r := g.r
	at := g.start.Add(time.Duration(r.Int64N(int64(g.span)))).Truncate(time.Second)
	channel := domain.ChannelWeb
	if r.IntN(5) == 0 {
		channel = domain.ChannelSMS
	}
	var name string
	if channel == domain.ChannelWeb && r.IntN(10) < 3 {
		name = reporterNames[r.IntN(len(reporterNames))]
	}
	// General takes half the reports, the other inboxes the rest.
	inbox := o.inboxes[0]
	if len(o.inboxes) > 1 && r.IntN(2) == 0 {
		inbox = o.inboxes[1+r.IntN(len(o.inboxes)-1)]
	}
	ia, msg, token, err := domain.OpenInteraction(ids, domain.NewReport{Form: o.form, Inbox: inbox, Channel: channel,
		Name: name, Body: g.text(reportSentences, 2+r.IntN(5))}, at)
	if err != nil {
		return store.SeedInteraction{}, err
	}
	ia.Flagged = r.IntN(100) < 3
	si := store.SeedInteraction{Report: ports.NewInteraction{Interaction: ia, Token: token, Message: msg}}
	switch {
	case channel == domain.ChannelSMS:
		si.Report.Contact.Phone = fmt.Sprintf("+447%09d", i%1_000_000_000)
		si.Report.Meta = domain.Meta{Network: carriers[r.IntN(len(carriers))]}
	default:
		if r.IntN(10) < 6 {
			si.Report.Contact.Email = fmt.Sprintf("reporter%d@example.org", i)
		}
		si.Report.Meta = g.webMeta()
	}
	if email := si.Report.Contact.Email; email != "" {
		id, err := domain.NewDeliveryID(g.ids)
		if err != nil {
			return store.SeedInteraction{}, err
		}
		link := domain.ReporterLink(id, ia, email, g.svc.Links.ConversationURL(token), o.form.Language, at)
		link.Status, link.Attempts, link.SentAt = domain.DeliverySent, 1, &at
		si.Report.Deliveries = []*domain.Delivery{link}
	}
	last := at
	for k := range laterCounts[r.IntN(len(laterCounts))] {
		when := last.Add(time.Duration(1+r.IntN(72)) * time.Hour)
		if !when.Before(g.cfg.now) {
			break
		}
		id, err := domain.NewMessageID(g.ids)
		if err != nil {
			return store.SeedInteraction{}, err
		}
		m := &domain.Message{ID: id, InteractionID: ia.ID, Author: domain.AuthorReporter, CreatedAt: when}
		meta := si.Report.Meta
		if k%2 == 0 {
			m.Author, m.StaffID = domain.AuthorStaff, o.staff[r.IntN(len(o.staff))]
			m.Body = g.text(replySentences, 1+r.IntN(3))
			meta = domain.Meta{IP: fmt.Sprintf("203.0.113.%d", 1+r.IntN(254)), Location: "Leeds, England, GB",
				Region: "England, GB", Network: "Example Schools Network"}
		} else {
			m.Body = g.text(reportSentences, 1+r.IntN(3))
		}
		si.Later = append(si.Later, store.SeedMessage{Message: m, Meta: meta})
		last = when
	}
	ia.LastActivityAt = last
	// Reports older than two months are closed, a few days after their
	// last message; half of the recent ones too.
	if age := g.cfg.now.Sub(last); age > 60*24*time.Hour || r.IntN(2) == 0 {
		closed := last.Add(time.Duration(1+r.IntN(14*24)) * time.Hour)
		if closed.Before(g.cfg.now) {
			ia.Close(closed)
		}
	}
	// What a nightly purge has erased: everything due before the last day.
	if due := domain.ErasureDue(ia, seedRetention); due.Before(g.cfg.now.Add(-24 * time.Hour)) {
		erased := due.Truncate(24 * time.Hour).Add(26 * time.Hour)
		if erased.After(g.cfg.now) {
			erased = g.cfg.now
		}
		si.ErasedAt = &erased
	}
	// What a nightly purge has warned of: what the warning's notice
	// reached before the last day (app.ErasureNotice before it is due), so
	// a measured night warns only of that night's share.
	if warn := domain.ErasureDue(ia, seedRetention).Add(-app.ErasureNotice); !ia.LegalHold && warn.Before(g.cfg.now.Add(-24*time.Hour)) {
		warned := warn.Truncate(24 * time.Hour).Add(26 * time.Hour)
		if warned.After(g.cfg.now) {
			warned = g.cfg.now
		}
		si.WarnedAt = &warned
	}
	return si, nil
}

// webMeta is the footprint of a web report: a documentation address and
// one of a few towns and networks.
func (g *generator) webMeta() domain.Meta {
	r := g.r
	town := towns[r.IntN(len(towns))]
	return domain.Meta{IP: fmt.Sprintf("198.51.100.%d", 1+r.IntN(254)), Location: town + ", England, GB",
		Region: "England, GB", Network: networks[r.IntN(len(networks))]}
}

// text is n sentences drawn from pool.
func (g *generator) text(pool []string, n int) string {
	parts := make([]string, n)
	for k := range parts {
		parts[k] = pool[g.r.IntN(len(pool))]
	}
	return strings.Join(parts, " ")
}

var (
	reporterNames   = []string{"Sam", "Jo", "Alex", "Year 9 student", "Ruby", "Kai", "Mo", "a parent"}
	towns           = []string{"Leeds", "Bristol", "Manchester", "Norwich", "Plymouth", "Sheffield", "York", "Derby"}
	networks        = []string{"Example Broadband", "Example Mobile", "Example Fibre"}
	carriers        = []string{"EE", "Vodafone UK", "O2 UK", "Three UK"}
	reportSentences = []string{
		"Someone in my class keeps taking my things and laughing at me.",
		"There is a group that waits for me after school by the bus stop.",
		"I saw an older pupil pushing a younger one in the corridor near the library.",
		"People have been sharing a photo of me in a group chat and I did not agree to it.",
		"My friend told me she is scared to go home and I do not know what to do.",
		"It happens most days at lunch, on the field behind the sports hall.",
		"I do not want anyone to know I wrote this.",
		"A teacher saw it once but nothing changed.",
		"Someone is selling vapes in the toilets on the top floor.",
		"I have been getting messages at night from an account I do not know.",
		"It started after the trip in March and has got worse since.",
		"Please can someone help, I am finding it hard to concentrate in lessons.",
	}
	replySentences = []string{
		"Thank you for telling us, you did the right thing.",
		"Can you tell us which days this usually happens?",
		"We have spoken to the staff on duty at lunch and they will keep an eye out.",
		"You can write to us here at any time, and nobody will know it was you.",
		"Would you like to talk to someone in person? You can say no.",
		"We are looking into this today.",
	}
)

// onceHasher hashes the seed's one password once: every account made
// with it gets that hash. Verifying is the real hasher's.
type onceHasher struct {
	ports.PasswordHasher
	password, hash string
}

func (h onceHasher) Hash(ctx context.Context, password string) (string, error) {
	if password == h.password {
		return h.hash, nil
	}
	return h.PasswordHasher.Hash(ctx, password)
}
