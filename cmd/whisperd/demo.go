package main

import (
	"context"
	"io"
	"log/slog"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/cmd/internal/config"
	"github.com/whisper-schools/whisper/cmd/internal/demo"
)

// loadConfig loads the configuration. With --demo on the embedded store,
// mail and texts are written to folders beside the database, where a
// newcomer opens an invitation or follows a reporter's link, unless the
// configuration says otherwise. With PostgreSQL there is nothing to be
// beside, so the defaults stand: it is loaded once to find out which.
func loadConfig(opts config.Options, demo bool) (*config.Config, error) {
	cfg, err := config.Load(opts)
	if err != nil || !demo || cfg.IsPostgres() {
		return cfg, err
	}
	opts.Defaults = config.DemoDefaults()
	return config.Load(opts)
}

// seedDemo creates the demo when the database holds no organisation yet
// (see package demo), and prints where to find it, the admin's password
// included, to whisperd's standard output. Under a service manager that
// is the journal: there `whisperctl demo` prints it to the operator's
// terminal instead.
func seedDemo(ctx context.Context, svc *app.App, cfg *config.Config, out io.Writer) error {
	opts := demo.Options{Rerun: "start it again with --demo"}
	res, err := demo.Seed(ctx, svc, opts)
	if err != nil {
		return err
	}
	demo.Write(out, cfg, res, opts)
	return nil
}

// demoOperator is the clearly fictional operator a demo's notice names
// when none is configured: .example addresses reach no one (RFC 2606).
var demoOperator = config.Operator{
	Name:          "Demo Operator (fictional, for trying Whisper out)",
	Email:         "privacy@demo-operator.example",
	PostalAddress: "1 Example Street, Exampletown, EX0 0AA",
}

// operatorFor is the operator the notice names: the configured one, or
// with --demo and none configured, demoOperator. Without either it warns,
// since the notice then cannot tell reporters who to contact.
func operatorFor(cfg *config.Config, demo bool, log *slog.Logger) config.Operator {
	switch {
	case cfg.Operator.IsSet():
		return cfg.Operator
	case demo:
		return demoOperator
	}
	log.Warn("operator.name and operator.email are not set: the user notice cannot say who runs this service " +
		"or how reporters can exercise their rights; set them (and operator.postal_address) before going live")
	return config.Operator{}
}
