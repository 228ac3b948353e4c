package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/app"
)

// sweep runs the retention purge, then housekeeping, every interval until
// ctx ends, on one instance at a time: the others find the lock taken and wait for the next
// round. The first round runs at once, so a restarted server catches up.
func sweep(ctx context.Context, st *store.Store, svc *app.Service, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		ran, err := st.Exclusive(ctx, "retention-sweep", func(ctx context.Context) error {
			res, err := svc.Purge(ctx, app.Purge{Actor: "whisperd"})
			if err != nil {
				return err
			}
			for _, problem := range res.Unwarned {
				log.Error("retention sweep could not warn admins", slog.Any("error", problem))
			}
			if res.Erased > 0 || res.Warned > 0 || res.Held > 0 {
				log.Info("retention sweep", slog.Int("erased", res.Erased), slog.Int("held", res.Held), slog.Int("warned", res.Warned))
			}
			tidied, err := svc.Housekeep(ctx)
			if err == nil && tidied != (app.Tidied{}) {
				log.Info("housekeeping", slog.Int("sessions", tidied.Sessions), slog.Int("sign_in_failures", tidied.SignInFailures),
					slog.Int("help_records", tidied.HelpRecords), slog.Int("password_links", tidied.PasswordLinks))
			}
			return err
		})
		if err != nil && ctx.Err() == nil {
			log.Error("retention sweep failed", slog.Any("error", err))
		} else if !ran {
			log.Debug("retention sweep running elsewhere")
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
