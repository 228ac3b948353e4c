package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"
)

// Under systemd, as a Type=notify service, whisperd says when it is ready,
// that it is alive, and that it is stopping, over the socket NOTIFY_SOCKET
// names (sd_notify(3)). Without NOTIFY_SOCKET all of it does nothing.

// watchdogPatience is how long the database may go without answering at
// all before whisperd stops telling systemd it is alive, so that systemd
// restarts it. It outlasts a PostgreSQL restart or fail-over: a short
// outage must not have systemd restart whisperd, which would fail to start
// while the database is away and be restarted again and again.
const watchdogPatience = 2 * time.Minute

// probeBound is the longest the watchdog waits for the database to answer,
// the same bound /readyz's ping has.
const probeBound = 5 * time.Second

// sdNotify sends one notification to systemd. go-systemd reads
// NOTIFY_SOCKET from the process's own environment, which for whisperd is
// the one env.getenv reads.
func sdNotify(state string) error {
	_, err := daemon.SdNotify(false, state)
	return err
}

// systemd is whisperd's side of systemd's notify protocol.
type systemd struct {
	// notify sends a notification; nil when not run by systemd.
	notify func(state string) error
	// watchdog is WATCHDOG_USEC: systemd restarts whisperd when no
	// WATCHDOG=1 reaches it within this long. Zero when off.
	watchdog time.Duration
	// patience is watchdogPatience; tests shorten it.
	patience time.Duration
	log      *slog.Logger
	stopping sync.Once

	mu sync.Mutex
	// failing is set while notifications fail, so the failure is logged
	// once rather than at every watchdog tick.
	failing bool
}

// newSystemd reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID through
// e.getenv. With no socket, or no way to send (e.notify unset, as in
// tests that run whisperd in their own process), it does nothing.
func newSystemd(e env, log *slog.Logger) *systemd {
	sd := &systemd{log: log, patience: watchdogPatience}
	if e.getenv("NOTIFY_SOCKET") == "" || e.notify == nil {
		return sd
	}
	sd.notify = e.notify
	interval, err := watchdogInterval(e.getenv, os.Getpid())
	if err != nil {
		log.Warn("not sending systemd watchdog notifications", slog.Any("error", err))
	}
	sd.watchdog = interval
	return sd
}

// watchdogInterval is what go-systemd's daemon.SdWatchdogEnabled says, read
// through getenv: WATCHDOG_USEC, unless WATCHDOG_PID names another
// process; zero when there is no watchdog.
func watchdogInterval(getenv func(string) string, pid int) (time.Duration, error) {
	usec := getenv("WATCHDOG_USEC")
	if usec == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(usec, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("WATCHDOG_USEC=%q is not a positive number of microseconds", usec)
	}
	if p := getenv("WATCHDOG_PID"); p != "" && p != strconv.Itoa(pid) {
		return 0, nil // meant for another process (ours was exec'd by it)
	}
	return time.Duration(n) * time.Microsecond, nil
}

// send sends state, logging a failure once until a send succeeds again:
// not reaching systemd never stops whisperd serving.
func (sd *systemd) send(state string) {
	if sd.notify == nil {
		return
	}
	err := sd.notify(state)
	sd.mu.Lock()
	defer sd.mu.Unlock()
	if err != nil && !sd.failing {
		sd.log.Warn("could not notify systemd", slog.Any("error", err))
	}
	sd.failing = err != nil
}

// ready tells systemd that whisperd serves: every listener is bound, the
// migrations and the first purge round are done. addr is the main
// listener's, for systemctl status.
func (sd *systemd) ready(addr string) {
	sd.send("READY=1\nSTATUS=Serving on " + addr)
}

// startExtension is how much longer each EXTEND_TIMEOUT_USEC asks systemd
// to wait for READY=1; whisperd asks again every third of it. A start is
// usually a second or two and asks nothing; a long one (migrations over a
// large database, a first retention round over a backlog) would otherwise
// be killed by the unit's TimeoutStartSec= while it works.
const startExtension = 90 * time.Second

// extendStart keeps systemd waiting while a long step of the start runs,
// for as long as the database answers within probeBound: a ticking
// goroutine proves nothing, but a database that answers while a migration
// or a purge runs on it means the step can still finish. A start stuck on a
// silent database is left to TimeoutStartSec=. status says what whisperd is
// doing, for systemctl status. The returned function ends the extensions;
// call it before the step's outcome is acted on.
func (sd *systemd) extendStart(ctx context.Context, status string, probe func(context.Context) error) (done func()) {
	if sd.notify == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		sd.extendWhileAnswering(ctx, status, probe, startExtension)
	}()
	return func() { cancel(); <-stopped }
}

// extendWhileAnswering is extendStart's loop, every third of extension
// until ctx ends.
func (sd *systemd) extendWhileAnswering(ctx context.Context, status string, probe func(context.Context) error, extension time.Duration) {
	ticker := time.NewTicker(extension / 3)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		timedOut, _ := probeWithin(ctx, min(extension/6, probeBound), probe)
		if ctx.Err() != nil {
			return
		}
		if !timedOut {
			sd.send(fmt.Sprintf("EXTEND_TIMEOUT_USEC=%d\nSTATUS=%s", extension.Microseconds(), status))
		}
	}
}

// stop tells systemd that whisperd is stopping, once.
func (sd *systemd) stop() {
	sd.stopping.Do(func() { sd.send("STOPPING=1\nSTATUS=Stopping") })
}

// watch sends WATCHDOG=1 every half of the watchdog interval for as long
// as whisperd is healthy, and STOPPING=1 when ctx ends. Healthy means that
// probe, which asks the database a cheap question through the same pool
// requests use, comes back within a bound (see health). A goroutine that
// only ticked would prove nothing but that the Go runtime runs.
func (sd *systemd) watch(ctx context.Context, probe func(context.Context) error) {
	if sd.notify == nil {
		return
	}
	defer sd.stop()
	if sd.watchdog <= 0 {
		<-ctx.Done()
		return
	}
	// The probe's bound leaves the tick time to spare, so that a timed-out
	// probe still lets WATCHDOG=1 arrive within the interval.
	bound := min(sd.watchdog/4, probeBound)
	ticker := time.NewTicker(sd.watchdog / 2)
	defer ticker.Stop()
	h := health{patience: sd.patience}
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		timedOut, err := probeWithin(ctx, bound, probe)
		if ctx.Err() != nil {
			return
		}
		before := h.state
		h.observe(time.Now(), err, timedOut)
		if h.state != before {
			sd.report(h.state, err)
		}
		if h.state != stateWedged {
			sd.send("WATCHDOG=1")
		}
	}
}

// probeWithin asks probe whether the database answers, waiting at most
// bound, and says whether it gave no answer in time.
func probeWithin(ctx context.Context, bound time.Duration, probe func(context.Context) error) (timedOut bool, err error) {
	probeCtx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	err = probe(probeCtx)
	return errors.Is(err, context.DeadlineExceeded) || probeCtx.Err() != nil, err
}

// report logs a change of health and shows it in systemctl status.
func (sd *systemd) report(s healthState, err error) {
	switch s {
	case stateAnswering:
		sd.log.Info("the database answers again")
		sd.send("STATUS=Serving")
	case stateDatabaseError:
		sd.log.Warn("the database answers with an error; /readyz says not ready, and systemd's watchdog is still fed, "+
			"since restarting whisperd cannot mend the database", slog.Any("error", err))
		sd.send("STATUS=Serving; the database answers with an error")
	case stateSilent:
		sd.log.Warn("the database does not answer; if it stays silent for "+sd.patience.String()+
			", systemd's watchdog will restart whisperd", slog.Any("error", err))
		sd.send("STATUS=Serving; the database does not answer")
	case stateWedged:
		sd.log.Error("the database has not answered for " + sd.patience.String() +
			"; no longer feeding systemd's watchdog, so that systemd restarts whisperd")
		sd.send("STATUS=The database has not answered for " + sd.patience.String() + "; waiting for the watchdog to restart whisperd")
	}
}

// healthState is what the watchdog last learned of the database.
type healthState int

const (
	stateAnswering     healthState = iota
	stateDatabaseError             // it answered, with an error
	stateSilent                    // no answer within the bound, for less than the patience
	stateWedged                    // no answer within the bound, for the patience or longer
)

// health judges whether whisperd is alive from the database's answers.
// A quick error (connection refused, the data key not this instance's)
// still proves whisperd and its connection pool work, and a restart
// would not mend the database, so it counts as alive: /readyz says not
// ready. Only no answer at all within the bound, for the whole patience,
// counts as wedged: a pool whose connections are all stuck, or a
// connection that hangs, which a restart does mend.
type health struct {
	patience time.Duration
	state    healthState
	// since is when the database stopped answering within the bound.
	since time.Time
}

// observe records one probe's outcome at now.
func (h *health) observe(now time.Time, err error, timedOut bool) {
	switch {
	case !timedOut:
		h.since = time.Time{}
		h.state = stateAnswering
		if err != nil {
			h.state = stateDatabaseError
		}
	case h.since.IsZero():
		h.since = now
		h.state = stateSilent
		if h.patience <= 0 {
			h.state = stateWedged
		}
	case now.Sub(h.since) >= h.patience:
		h.state = stateWedged
	}
}
