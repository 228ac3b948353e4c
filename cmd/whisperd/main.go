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
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, env{args: os.Args[1:], getenv: os.Getenv, stdout: os.Stdout, stderr: os.Stderr, limitMemory: debug.SetMemoryLimit}); err != nil {
		fmt.Fprintln(os.Stderr, "whisperd:", err)
		stop()
		os.Exit(1)
	}
}
