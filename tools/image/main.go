// Command image builds Whisper's container image and checks it, without a
// Docker daemon (docs/container.md):
//
//	go run ./tools/image build [-standin-base] [-out whisper.tar] [-tag REF,…] [-version v1.0.0]
//	go run ./tools/image check [-version v1.0.0] [-start] whisper.tar
//
// build runs ko (pinned) from .ko.yaml for whisperd and whisperctl, then
// finishes the image with go-containerregistry: both binaries in one
// image, /data owned by the nonroot user as the working directory. check
// fails unless the image runs as a non-root UID, starts whisperd, works in
// /data, holds no shell, and holds both binaries, static and executable;
// it also runs their --version and, with -start (as root), runs whisperd
// chrooted into the image's files as its user until it is ready.
// .ci/image runs both.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
)

var discardLog = log.New(io.Discard, "", 0)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: image build|check [flags]")
	}
	switch args[0] {
	case "build":
		return build(ctx, args[1:])
	case "check":
		return checkCmd(ctx, args[1:])
	}
	return fmt.Errorf("unknown command %q; usage: image build|check [flags]", args[0])
}
