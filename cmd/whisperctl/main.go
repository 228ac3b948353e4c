// Command whisperctl is the operator's tool: it manages organisations,
// forms, inboxes and staff, and (as they land) handles erasure, subject
// access and disclosure requests, each of them audited.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
	// The time zone database, so time_zone loads in a minimal image
	// that has none of its own.
	_ "time/tzdata"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the process exit code. Tests
// call it directly with their own streams and environment.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	ctl := &ctl{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	app := ctl.app()
	if err := checkArgs(app, args); err != nil {
		return ctl.exit(err)
	}
	err := app.RunContext(ctx, hoistFlags(app, args))
	return ctl.exit(err)
}
