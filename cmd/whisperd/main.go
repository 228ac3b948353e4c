// Command whisperd runs the Whisper service: the web server and its
// background work.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	// The time zone database, so time_zone loads in a minimal image
	// that has none of its own.
	_ "time/tzdata"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, env{args: os.Args[1:], getenv: os.Getenv, stdout: os.Stdout, stderr: os.Stderr, limitMemory: debug.SetMemoryLimit, notify: sdNotify}); err != nil {
		fmt.Fprintln(os.Stderr, "whisperd:", err)
		stop()
		os.Exit(1)
	}
}
