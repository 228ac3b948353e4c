package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/whisper-schools/whisper/adapters/geoip"
	httpadapter "github.com/whisper-schools/whisper/adapters/http"
	"github.com/whisper-schools/whisper/adapters/metrics"
	"github.com/whisper-schools/whisper/adapters/oidc"
	"github.com/whisper-schools/whisper/adapters/passhash"
	"github.com/whisper-schools/whisper/adapters/sms"
	"github.com/whisper-schools/whisper/adapters/swearing"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/cmd/internal/config"
	"github.com/whisper-schools/whisper/cmd/internal/version"
	"github.com/whisper-schools/whisper/cmd/internal/wire"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// env is the outside world of one run: tests pass their own.
type env struct {
	args           []string
	getenv         func(string) string
	stdout, stderr io.Writer
	// ready, when set, is told the address the server listens on.
	ready func(addr string)
	// metricsReady, when set, is told the address the metrics are served
	// on (metrics.listen), before ready.
	metricsReady func(addr string)
	// limitMemory, when set, sets the Go runtime's soft memory limit
	// (debug.SetMemoryLimit); tests, sharing their process, leave it nil.
	limitMemory func(bytes int64) int64
	// notify, when set, sends a notification to systemd (sdNotify); it
	// is used only when getenv names a NOTIFY_SOCKET.
	notify func(state string) error
}

// memoryHeadroomMiB is what whisperd's default soft memory limit allows
// the Go heap beyond the password-hashing budget: its live data at rest and
// under load (20–40 MiB). Without a limit, Go's collector lets a burst of
// sign-ins take about twice the budget before it collects.
const memoryHeadroomMiB = 32

// shutdownGrace is how long in-flight requests may take to finish after
// SIGTERM.
const shutdownGrace = 10 * time.Second

// run starts whisperd and blocks until ctx ends or serving fails.
func run(ctx context.Context, e env) error {
	flags := flag.NewFlagSet("whisperd", flag.ContinueOnError)
	// Parse's own messages are dropped: its error is returned, and printed
	// once, with a pointer to --help.
	flags.SetOutput(io.Discard)
	configFile := flags.String("config", e.getenv("WHISPER_CONFIG"), "a YAML configuration `file`")
	listen := flags.String("listen", "", "the `address` to serve on (default 127.0.0.1:8080)")
	databaseURL := flags.String("database-url", "", "postgres://… or sqlite:`PATH` (default sqlite:whisper.db)")
	demo := flags.Bool("demo", false, "on an empty database, first create a demo organisation, form and admin; write mail and texts to folders unless configured otherwise")
	showVersion := flags.Bool("version", false, "print the version, commit and build date, and exit")
	if err := flags.Parse(e.args); errors.Is(err, flag.ErrHelp) {
		writeHelp(e.stdout, flags)
		return nil
	} else if err != nil {
		return fmt.Errorf("%w (whisperd --help lists the flags and settings)", err)
	}
	build := version.Get()
	if *showVersion {
		fmt.Fprintln(e.stdout, "whisperd version", build)
		return nil
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", flags.Args())
	}
	overrides := map[string]any{}
	flags.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "listen":
			overrides["listen"] = *listen
		case "database-url":
			overrides["database.url"] = *databaseURL
		}
	})
	cfg, err := loadConfig(config.Options{File: *configFile, Getenv: e.getenv, Overrides: overrides}, *demo)
	if err != nil {
		return err
	}
	log, stopLog := newLogger(e.stderr, cfg.Log)
	defer stopLog() // deferred first, so it runs last
	sd := newSystemd(e, log)
	log.Info("starting whisperd", slog.String("version", build.Version), slog.String("commit", build.Commit),
		slog.String("built", build.Date), slog.Any("config", cfg))
	if e.limitMemory != nil && e.getenv("GOMEMLIMIT") == "" {
		// A soft limit: near it the collector works harder; it never
		// refuses memory. GOMEMLIMIT, when set, is the operator's choice.
		limit := cfg.Security.PasswordHashingMemoryMiB + memoryHeadroomMiB
		e.limitMemory(int64(limit) << 20)
		log.Info("set a soft memory limit (GOMEMLIMIT overrides it)", slog.Int("mib", limit))
	}

	st, err := wire.OpenStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	// Migrating a large database can outlast the unit's TimeoutStartSec=.
	extending := sd.extendStart(ctx, "Applying migrations", st.Ping)
	applied, err := st.Migrate(ctx)
	extending()
	if err != nil {
		return err
	}
	for _, name := range applied {
		log.Info("applied migration", slog.String("migration", name))
	}

	locator, err := geoip.Open(cfg.GeoIP.CityDB, cfg.GeoIP.ASNDB)
	if err != nil {
		return err
	}
	defer locator.Close()
	// The metrics read the outbox through the service, which counts into
	// the metrics: the one is made before the other and joined after.
	zone, err := cfg.Zone()
	if err != nil {
		return err
	}
	var svc *app.App
	meter := metrics.New(func(ctx context.Context) (ports.OutboxHealth, error) { return svc.Delivery.OutboxHealth(ctx) })
	meter.Build(build.Version, build.Commit, build.GoVersion)
	meter.Readiness(func(ctx context.Context) error { return svc.Operations.Ready(ctx) })
	svc = app.New(app.Deps{
		Store: st, Clock: app.SystemClock{}, Random: rand.Reader,
		Hasher: passhash.New(passhash.DefaultParams(), cfg.PasswordHashingSlots()), Locator: locator, Swearing: swearing.New(),
		Meter: meter, PublicURL: cfg.PublicURL, IntakeCacheFor: app.IntakeCacheFor,
		DeviceKey: st.Subkey(app.DeviceKeyPurpose),
		SSO:       oidc.New(), SSOKey: st.Subkey(app.SSOKeyPurpose),
		Limits: app.Limits{ReportsPerIP: cfg.Limits.ReportsPerIP, ReportsPerForm: cfg.Limits.ReportsPerForm,
			TextsPerNumber: cfg.Limits.TextsPerNumber, RepliesPerConversation: cfg.Limits.RepliesPerConversation,
			IPv6Prefix: cfg.Limits.IPv6Prefix},
		PhoneRegion: domain.PhoneRegion(cfg.SMS.DefaultRegion),
		Zone:        zone,
	})
	if *demo {
		if err := seedDemo(ctx, svc, cfg, e.stdout); err != nil {
			return fmt.Errorf("creating the demo: %w", err)
		}
	}
	httpCfg := httpadapter.Config{
		PublicURL: cfg.PublicURL, TrustedProxies: cfg.TrustedProxies(),
		Observe:      meter.Observe,
		RefusalDelay: httpadapter.RefusalDelay, ForgotAnswerTime: httpadapter.ForgotAnswerTime,
		Operator: httpadapter.Operator(operatorFor(cfg, *demo, log)),
		ExitURL:  cfg.Reporter.ExitURL,
	}
	if cfg.SMS.Driver == "plivo" {
		httpCfg.SMSNumber = cfg.SMS.Plivo.Number
		httpCfg.SMSWebhook = sms.NewPlivoWebhook(sms.PlivoCheck{
			URL: cfg.PublicURL + sms.PlivoPath, AuthToken: cfg.SMS.Plivo.AuthToken, AcceptV2: cfg.SMS.Plivo.AcceptV2,
		}, svc.Reporting, log)
	}
	handler, err := httpadapter.New(httpCfg, svc, log)
	if err != nil {
		return err
	}
	relay, err := newRelay(cfg, svc, log)
	if err != nil {
		return err
	}

	// The relay and the retention sweep run beside the server and stop
	// with it: whatever the relay had claimed but not sent is sent again
	// after its lease, by this or another instance.
	// One round of the retention sweep before serving, so that a database
	// restored from a backup never shows, even for a moment, what its
	// retention has erased since. With nothing due it is a few indexed
	// queries; when another instance holds the round, this one does not
	// wait for it, since that instance is erasing the same rows. A round
	// over a backlog can be long: systemd is asked to wait while it works.
	extending = sd.extendStart(ctx, "Running the first retention round", st.Ping)
	purgeRound(ctx, st, svc, log)
	extending()
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	var workers sync.WaitGroup
	workers.Go(func() { relay.Run(workCtx, cfg.Outbox.PollInterval) })
	workers.Go(func() { sweep(workCtx, st, svc, cfg.Retention.SweepInterval, log) })
	var mainAddr string
	listeners := []listener{{key: "listen", addr: cfg.Listen, handler: handler, ready: func(addr string) {
		mainAddr = addr
		if e.ready != nil {
			e.ready(addr)
		}
	}}}
	if cfg.Metrics.Listen != "" {
		// Operators' only: the metrics go on their own address, first, so
		// that the server is never ready without them.
		listeners = slices.Insert(listeners, 0, listener{
			key: "metrics.listen", addr: cfg.Metrics.Listen, handler: metricsHandler(meter.Handler()), ready: e.metricsReady,
		})
	}
	// systemd hears READY=1 once every listener serves, and from then on
	// WATCHDOG=1 while the database answers; STOPPING=1 when ctx ends, or
	// when serving stops by itself.
	watchCtx, stopWatch := context.WithCancel(ctx)
	var watching sync.WaitGroup
	up := func() {
		sd.ready(mainAddr)
		watching.Go(func() { sd.watch(watchCtx, st.Ping) })
	}
	err = serve(ctx, cfg, listeners, up, log)
	sd.stop()
	stopWatch()
	watching.Wait()
	stopWork()
	workers.Wait()
	return err
}

// newRelay builds the outbox relay from the configured mailer and sender.
func newRelay(cfg *config.Config, svc *app.App, log *slog.Logger) (*app.Relay, error) {
	mailer, err := wire.Mailer(cfg, log)
	if err != nil {
		return nil, err
	}
	texter, err := wire.SMSSender(cfg, log)
	if err != nil {
		return nil, err
	}
	return svc.Delivery.NewRelay(mailer, texter, app.RelayConfig{
		RetryMin: cfg.Outbox.RetryMin, RetryMax: cfg.Outbox.RetryMax, MaxAttempts: cfg.Outbox.MaxAttempts, Lease: cfg.Outbox.Lease,
	}, log), nil
}

// listener is one address whisperd serves on.
type listener struct {
	// key is the configuration key the address came from, for errors.
	key     string
	addr    string
	handler http.Handler
	// ready, when set, is told the address once it is listening.
	ready func(addr string)
}

// metricsHandler serves the Prometheus text at /metrics and nothing else.
func metricsHandler(metrics http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	return mux
}

// serve answers HTTP on every listener until ctx ends or one of them fails,
// then drains in-flight requests on all of them. An address that cannot be
// listened on fails startup before any is served. up is called once every
// listener serves.
func serve(ctx context.Context, cfg *config.Config, listeners []listener, up func(), log *slog.Logger) error {
	lns := make([]net.Listener, 0, len(listeners))
	defer func() {
		for _, ln := range lns {
			ln.Close() // after Shutdown, already closed; harmless
		}
	}()
	for _, l := range listeners {
		ln, err := net.Listen("tcp", l.addr)
		if err != nil {
			return fmt.Errorf("%s %s: %w", l.key, l.addr, err)
		}
		lns = append(lns, ln)
	}
	servers := make([]*http.Server, len(listeners))
	served := make(chan error, len(listeners))
	for i, l := range listeners {
		servers[i] = &http.Server{
			Handler:           l.handler,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		}
		addr := lns[i].Addr().String()
		if l.key == "listen" {
			log.Info("listening", slog.String("addr", addr), slog.String("public_url", cfg.PublicURL))
		} else {
			log.Info("serving metrics", slog.String("addr", addr))
		}
		if l.ready != nil {
			l.ready(addr)
		}
		go func() { served <- servers[i].Serve(lns[i]) }()
	}
	up()

	var failed error
	select {
	case failed = <-served:
		// One listener stopped by itself: stop the others too.
	case <-ctx.Done():
		log.Info("shutting down; finishing requests in flight")
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	errs := []error{failed}
	for _, srv := range servers {
		if err := srv.Shutdown(shutdownCtx); err != nil {
			errs = append(errs, fmt.Errorf("shutting down: %w", err))
		}
	}
	remaining := len(servers)
	if failed != nil {
		remaining--
	}
	for range remaining {
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}
