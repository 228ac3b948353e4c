// Command composecheck loads a Compose file with compose-go, the loader
// Docker Compose itself uses: it fails on anything outside the Compose
// specification's schema, on a reference to an undeclared volume, network
// or secret, and on an unset required variable. It is a module of its own
// so that compose-go and its dependencies stay out of Whisper's go.mod;
// .ci/image runs it on deploy/compose.yaml, no Docker needed.
//
//	cd tools/composecheck && WHISPER_DOMAIN=whisper.example.org go run . ../../deploy/compose.yaml
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: composecheck COMPOSE.yaml")
		os.Exit(2)
	}
	if err := check(context.Background(), os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "composecheck:", err)
		os.Exit(1)
	}
}

func check(ctx context.Context, file string) error {
	abs, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	opts, err := cli.NewProjectOptions([]string{abs},
		cli.WithOsEnv,
		cli.WithWorkingDirectory(filepath.Dir(abs)),
		cli.WithDotEnv, // as docker compose does, when a .env is there
	)
	if err != nil {
		return err
	}
	p, err := opts.LoadProject(ctx)
	if err != nil {
		return err
	}
	names := p.ServiceNames()
	slices.Sort(names)
	fmt.Printf("composecheck: %s is a valid Compose file: project %s, services %v\n", file, p.Name, names)
	return nil
}
