package main

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/whisper-schools/whisper/adapters/store/seal"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/cmd/internal/config"
	"github.com/whisper-schools/whisper/cmd/internal/wire"
	"github.com/whisper-schools/whisper/domain"
)

// demoCode is the demo form's code, so its URL is easy to type.
const demoCode = "DEMO"

// demoEmail is the demo admin's sign-in.
const demoEmail = "admin@demo.whisper.test"

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
	opts.Defaults = map[string]any{"mail.driver": config.FileDriver, "sms.driver": config.FileDriver}
	return config.Load(opts)
}

// seedDemo creates a demo organisation, form and admin when the database
// holds no organisation yet, and prints where to find them and where mail
// and texts go. On a database that has data it creates nothing, so --demo
// is safe to leave on, and says how to sign in again or start afresh.
func seedDemo(ctx context.Context, svc *app.App, cfg *config.Config, out io.Writer) error {
	orgs, err := svc.Operations.ListOrganisations(ctx)
	if err != nil {
		return err
	}
	if len(orgs) > 0 {
		return demoAgain(ctx, svc, cfg, orgs, out)
	}
	org, err := svc.Operations.CreateOrganisation(ctx, app.CreateOrganisation{Name: "Demo Academy", RetentionMonths: 12, TrialDays: 30})
	if err != nil {
		return err
	}
	form, err := svc.Operations.CreateForm(ctx, app.CreateForm{OrgID: org.ID, Name: "Demo Academy", Code: demoCode})
	if err != nil {
		return err
	}
	online, err := svc.Operations.CreateInbox(ctx, app.CreateInbox{FormID: form.Form.ID, Name: "Online worries"})
	if err != nil {
		return err
	}
	password, err := demoPassword()
	if err != nil {
		return err
	}
	if _, err := svc.Operations.CreateStaff(ctx, app.CreateStaff{
		OrgID: org.ID, Email: demoEmail, FirstName: "Demo", LastName: "Admin", Role: domain.RoleAdmin, Password: password,
		// Assigned to both inboxes, the admin is told of every report.
		InboxIDs: []domain.InboxID{form.Inbox.ID, online.ID},
	}); err != nil {
		return err
	}
	fmt.Fprintf(out, `
Demo created.
  Report form:   %s  (SMS code %s)
  Staff sign-in: %s
    email:    %s
    password: %s
%s
`, form.URL, form.Form.Code, svc.Links.Link("staff", "login"), demoEmail, password, demoDrivers(cfg))
	return nil
}

// demoDrivers says where mail and texts really go, and how to send the
// service a text without a carrier.
func demoDrivers(cfg *config.Config) string {
	// whisperctl writes the link it texts back from its own public_url:
	// the command carries whisperd's when it is not whisperctl's default.
	var env string
	if cfg.PublicURL != "http://"+config.Default().Listen {
		env = "WHISPER_PUBLIC_URL=" + cfg.PublicURL + " "
	}
	return fmt.Sprintf(`  Mail:  %s
  Texts: %s
  Text the demo without a phone:
    %swhisperctl sms receive%s --from 07700900123 --text "%s I need to talk to someone"
`, wire.MailGoes(cfg), wire.TextsGo(cfg), env, databaseFlag(cfg), demoCode)
}

// demoAgain tells someone starting --demo on a database that has data how
// to sign in as the demo admin again, or how to start afresh.
func demoAgain(ctx context.Context, svc *app.App, cfg *config.Config, orgs []*domain.Organisation, out io.Writer) error {
	admin, err := findDemoAdmin(ctx, svc, orgs)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "\nDemo: the database already has data, so nothing was created.")
	if admin != nil {
		fmt.Fprintf(out, `  To sign in again: %s
    email: %s
    forgot the password? Ask for a reset link at %s (the email is %s),
    or make one with: whisperctl staff reset%s --id %s --reason "demo password forgotten"
`, svc.Links.Link("staff", "login"), demoEmail, svc.Links.Link("staff", "forgot"), wire.MailGoes(cfg), databaseFlag(cfg), admin.ID)
	}
	if path := cfg.SQLitePath(); path != "" {
		path, _, _ = strings.Cut(path, "?")
		fmt.Fprintf(out, "  To start afresh: stop whisperd, delete %s and %s (and %s-wal, %s-shm if there, and the mail and sms folders if you like), then start it again with --demo.\n",
			path, seal.KeyFilePath(path), path, path)
	} else {
		fmt.Fprintln(out, "  To start afresh: stop whisperd, drop and create the database again, then start it again with --demo.")
	}
	fmt.Fprintln(out, demoDrivers(cfg))
	return nil
}

// findDemoAdmin returns the demo's admin, or nil when the data is not the
// demo's.
func findDemoAdmin(ctx context.Context, svc *app.App, orgs []*domain.Organisation) (*domain.Staff, error) {
	for _, o := range orgs {
		staff, err := svc.Operations.ListStaff(ctx, o.ID)
		if err != nil {
			return nil, err
		}
		for _, s := range staff {
			if strings.EqualFold(s.Email, demoEmail) && s.Role == domain.RoleAdmin {
				return s, nil
			}
		}
	}
	return nil, nil
}

// databaseFlag is the --database-url a whisperctl command needs to reach
// the demo's embedded database; a PostgreSQL URL, which may hold a
// password, is left for the reader to fill in.
func databaseFlag(cfg *config.Config) string {
	if cfg.IsPostgres() {
		return " --database-url URL"
	}
	if cfg.Database.URL == config.Default().Database.URL {
		return ""
	}
	return " --database-url " + cfg.Database.URL
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

// demoPassword is random, so a demo left running on a network is not open
// to anyone who has read the README.
func demoPassword() (string, error) {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base32.StdEncoding.EncodeToString(b), nil
}
