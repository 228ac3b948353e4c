package main

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/whisper-schools/whisper/cmd/internal/config"
	"github.com/whisper-schools/whisper/cmd/internal/logging"
)

// repeatWindow is how long a repeating warning or error stays quiet after
// it is written: the database or the mail server down is logged once a
// minute, with a count, not once a second.
const repeatWindow = time.Minute

// repeatSweep is how often the counts of failures that have stopped are
// written, when nothing else is logged to carry them.
const repeatSweep = 10 * time.Second

// newLogger returns whisperd's logger, in log.format at log.level with
// repeats thinned, and the function that stops it: that writes the counts
// still held, after everything else has logged, and must be called last.
func newLogger(w io.Writer, c config.Log) (*slog.Logger, func()) {
	repeats := logging.NewRepeats(logging.Handler(w, c), repeatWindow, time.Now)
	ctx, cancel := context.WithCancel(context.Background())
	var sweeper sync.WaitGroup
	sweeper.Go(func() {
		t := time.NewTicker(repeatSweep)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				_ = repeats.Sweep(ctx) // a log that cannot be written has nowhere to say so
			}
		}
	})
	return slog.New(repeats), func() {
		cancel()
		sweeper.Wait()
		_ = repeats.Flush(context.Background())
	}
}
