package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/whisper-schools/whisper/cmd/internal/config"
)

// writeHelp prints what whisperd --help says: the flags, then every
// setting's environment variable, so that an operator at a server prompt
// needs nothing else to start it; the meaning of each is in README.md,
// "Configuration", which a test keeps complete.
func writeHelp(w io.Writer, flags *flag.FlagSet) {
	fmt.Fprint(w, `whisperd runs the Whisper service: the web server and its background work
(outbox delivery, the scheduled retention purge).

Usage: whisperd [flags]

Flags (they override the environment, which overrides the file):
`)
	flags.VisitAll(func(f *flag.Flag) {
		value, usage := flag.UnquoteUsage(f)
		fmt.Fprintf(w, "  %s\n      %s\n", strings.TrimSpace("--"+f.Name+" "+value), usage)
	})
	fmt.Fprint(w, `
Configuration is read from a YAML file (--config or WHISPER_CONFIG), then from
environment variables, then from the flags. Every key has a variable:
WHISPER_ and the key in capitals, dots as underscores. Any variable may
instead be given as the same name plus _FILE, naming a file that holds the
value: use that for the secrets, marked below, so that they stay out of the
environment and the shell's history.

`)
	keys := config.Keys()
	width := len("(--config)")
	for _, key := range keys {
		width = max(width, len(key))
	}
	fmt.Fprintf(w, "  %-*s  %s\n", width, "(--config)", "WHISPER_CONFIG")
	for _, key := range keys {
		env := config.EnvName(key)
		if config.IsSecret(key) {
			env += ", or " + env + "_FILE (secret)"
		}
		fmt.Fprintf(w, "  %-*s  %s\n", width, key, env)
	}
	fmt.Fprint(w, `
What each key means, its default and accepted values: README.md, section
"Configuration" (https://github.com/whisper-schools/whisper#configuration),
and docs/operations.md for running the service.
`)
}
