package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// auditHeadEvery is how often whisperd logs the audit log's head.
const auditHeadEvery = 24 * time.Hour

// sweep runs the retention purge, then housekeeping, every interval until
// ctx ends, on one instance at a time: the others (and an operator's
// `whisperctl purge`) find app.PurgeLock taken, and this instance waits for
// its next round when they hold it. whisperd runs the first round before
// it serves (see run), so sweep waits an interval before its own first.
// Each instance also logs the audit log's head at once and then once a day
// (at the first round a day after the last).
//
// The daily digests (app.Casework.SendDigests) are sent at each round and
// also at 07:30 in the service's zone, whatever the interval: any instance
// may send them, since each member's day is claimed in the store.
func sweep(ctx context.Context, leader ports.Leadership, svc *app.App, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	// A second after 07:30, so that the clock reads 07:30 when it fires.
	nextDigest := func() time.Duration { return time.Until(domain.NextDigest(svc.Zone, time.Now()).Add(time.Second)) }
	digestAt := time.NewTimer(nextDigest())
	defer digestAt.Stop()
	var headLogged, searchReady time.Time
	for first := true; ; first = false {
		if !first {
			purgeRound(ctx, leader, svc, log)
		}
		if time.Since(headLogged) >= auditHeadEvery && ctx.Err() == nil {
			logAuditHead(ctx, svc, log)
			headLogged = time.Now()
		}
		sendDigests(ctx, svc, log)
		searchReady = indexForSearch(ctx, leader, svc, searchReady, log)
		for waiting := true; waiting; {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				waiting = false
			case <-digestAt.C:
				digestAt.Reset(nextDigest())
				sendDigests(ctx, svc, log)
			}
		}
	}
}

// purgeRound erases what is due and tidies up, if no other instance is
// doing so; it logs what it did, and any failure.
func purgeRound(ctx context.Context, leader ports.Leadership, svc *app.App, log *slog.Logger) {
	ran, err := leader.Exclusive(ctx, app.PurgeLock, func(ctx context.Context) error {
		res, err := svc.Operations.Purge(ctx, app.Purge{Actor: domain.ActorSystem})
		if err != nil {
			return err
		}
		for _, problem := range res.Unwarned {
			log.Error("retention sweep could not warn admins", slog.Any("error", problem))
		}
		if res.Erased > 0 || res.Warned > 0 || res.Held > 0 {
			log.Info("retention sweep", slog.Int("erased", res.Erased), slog.Int("held", res.Held), slog.Int("warned", res.Warned))
		}
		tidied, err := svc.Operations.Housekeep(ctx)
		if err == nil && tidied != (app.Tidied{}) {
			log.Info("housekeeping", slog.Int("sessions", tidied.Sessions), slog.Int("sign_in_failures", tidied.SignInFailures),
				slog.Int("help_records", tidied.HelpRecords), slog.Int("password_links", tidied.PasswordLinks), slog.Int("limit_keys", tidied.LimitKeys),
				slog.Int("trial_reminders", tidied.TrialReminders))
		}
		return err
	})
	if err != nil && ctx.Err() == nil {
		log.Error("retention sweep failed", slog.Any("error", err))
	} else if !ran {
		log.Debug("retention sweep running elsewhere")
	}
}

// searchRecheckEvery is how long the sweep waits, once it found every
// interaction prepared for search, before it asks again. Asking reads
// every interaction (seconds at national scale), and once all are
// prepared only an instance of a version before word indexes, during a
// rolling upgrade, writes one that is not.
const searchRecheckEvery = 24 * time.Hour

// indexForSearch prepares for search, and for statistics, the
// interactions an earlier version wrote, if no other instance is doing so.
// It runs in the sweep, after serving has begun, never before: search and
// statistics find those interactions meanwhile, only more slowly. ready is
// when a round last found none left to prepare for search, zero if none
// has; it returns the new value. The regions are asked after at every
// round, an index lookup.
func indexForSearch(ctx context.Context, leader ports.Leadership, svc *app.App, ready time.Time, log *slog.Logger) time.Time {
	var n, regions int
	askSearch := time.Since(ready) >= searchRecheckEvery
	ran, err := leader.Exclusive(ctx, app.SearchIndexLock, func(ctx context.Context) (err error) {
		if askSearch {
			if n, err = svc.Casework.IndexForSearch(ctx); err != nil {
				return err
			}
		}
		regions, err = svc.Casework.FillRegions(ctx)
		return err
	})
	if err != nil && ctx.Err() == nil {
		log.Error("preparing reports for search and statistics failed", slog.Any("error", err),
			slog.Int("prepared", n), slog.Int("regions", regions))
	} else if n > 0 || regions > 0 {
		log.Info("prepared reports for search and statistics", slog.Int("prepared", n), slog.Int("regions", regions))
	}
	if askSearch && ran && err == nil && n == 0 {
		return time.Now()
	}
	return ready
}

// sendDigests sends the daily digests that are due, and logs how many.
func sendDigests(ctx context.Context, svc *app.App, log *slog.Logger) {
	if ctx.Err() != nil {
		return
	}
	n, err := svc.Casework.SendDigests(ctx)
	if err != nil && ctx.Err() == nil {
		log.Error("daily digests failed", slog.Any("error", err))
	}
	if n > 0 {
		log.Info("daily digests", slog.Int("queued", n))
	}
}

// logAuditHead logs the audit log's newest entry, so that heads are kept
// outside the database (in the logs, and wherever they are shipped): a
// later `whisperctl audit verify --head SEQ:HASH` then shows whether the
// newest entries were deleted since. The hash is a MAC and the sequence a
// count; neither says anything about anyone. An empty log is seq 0.
func logAuditHead(ctx context.Context, svc *app.App, log *slog.Logger) {
	head, err := svc.Operations.AuditHead(ctx)
	if err != nil && domain.KindOf(err) != domain.KindNotFound {
		log.Error("audit head unreadable", slog.Any("error", err))
		return
	}
	log.Info("audit head", slog.Int64("seq", head.Seq), slog.String("hash", head.Hash))
}
