// Package demo creates the demo organisation, form and admin that a
// newcomer tries Whisper with, for both `whisperd --demo` and `whisperctl
// demo`, and says where to find them.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"io"
	"strings"

	"github.com/whisper-schools/whisper/adapters/store/seal"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/cmd/internal/config"
	"github.com/whisper-schools/whisper/cmd/internal/wire"
	"github.com/whisper-schools/whisper/domain"
)

// Code is the demo form's code, so its URL is easy to type.
const Code = "DEMO"

// Email is the demo admin's sign-in.
const Email = "admin@demo.whisper.test"

// Options say who creates the demo and how to create it again.
type Options struct {
	// Actor names who creates the demo, for the audit log ("os:alice");
	// empty is the service itself (whisperd --demo).
	Actor string
	// Rerun finishes "To start afresh: stop whisperd, delete …, then":
	// how to create the demo again, e.g. "start it again with --demo".
	Rerun string
}

// Result is what Seed did: the demo it created, or, on a database that
// already had data, the demo admin it found.
type Result struct {
	// Created says whether the demo was created now; if not, the database
	// had data and nothing was changed.
	Created bool `json:"created"`
	// FormURL and SMSCode are the report form's, when Created.
	FormURL string `json:"form_url,omitempty"`
	SMSCode string `json:"sms_code,omitempty"`
	// SignInURL is where staff sign in; ForgotURL where they ask for a
	// password reset link.
	SignInURL string `json:"sign_in_url"`
	ForgotURL string `json:"forgot_url"`
	// Email is the demo admin's sign-in, and AdminID its ID, when the
	// admin exists (always when Created).
	Email   string `json:"email,omitempty"`
	AdminID string `json:"admin_id,omitempty"`
	// Password is the demo admin's password, when Created: it is shown
	// once, to whoever created the demo, and stored only as a hash.
	Password string `json:"password,omitempty"`
}

// Seed creates a demo organisation, form and admin when the database holds
// no organisation yet. On a database that has data it creates nothing, so
// it is safe to run again, and finds the demo admin if there is one.
func Seed(ctx context.Context, svc *app.App, opts Options) (Result, error) {
	res := Result{SignInURL: svc.Links.Link("staff", "login"), ForgotURL: svc.Links.Link("staff", "forgot")}
	orgs, err := svc.Operations.ListOrganisations(ctx)
	if err != nil {
		return res, err
	}
	if len(orgs) > 0 {
		admin, err := findAdmin(ctx, svc, orgs)
		if err != nil || admin == nil {
			return res, err
		}
		res.Email, res.AdminID = Email, string(admin.ID)
		return res, nil
	}
	org, err := svc.Operations.CreateOrganisation(ctx, app.CreateOrganisation{
		Name: "Demo Academy", RetentionMonths: 12, TrialDays: 30, Actor: opts.Actor,
	})
	if err != nil {
		return res, err
	}
	form, err := svc.Operations.CreateForm(ctx, app.CreateForm{OrgID: org.ID, Name: "Demo Academy", Code: Code, Actor: opts.Actor})
	if err != nil {
		return res, err
	}
	online, err := svc.Operations.CreateInbox(ctx, app.CreateInbox{FormID: form.Form.ID, Name: "Online worries", Actor: opts.Actor})
	if err != nil {
		return res, err
	}
	password, err := newPassword()
	if err != nil {
		return res, err
	}
	admin, err := svc.Operations.CreateStaff(ctx, app.CreateStaff{
		OrgID: org.ID, Email: Email, FirstName: "Demo", LastName: "Admin", Role: domain.RoleAdmin, Password: password,
		// Assigned to both inboxes, the admin is told of every report.
		InboxIDs: []domain.InboxID{form.Inbox.ID, online.ID},
		Actor:    opts.Actor,
	})
	if err != nil {
		return res, err
	}
	res.Created = true
	res.FormURL, res.SMSCode = form.URL, string(form.Form.Code)
	res.Email, res.AdminID, res.Password = Email, string(admin.Staff.ID), password
	return res, nil
}

// Write tells whoever asked for the demo where to find it, or, when the
// database already had data, how to sign in again or start afresh, and
// where mail and texts go.
func Write(out io.Writer, cfg *config.Config, res Result, opts Options) {
	if res.Created {
		fmt.Fprintf(out, `
Demo created.
  Report form:   %s  (SMS code %s)
  Staff sign-in: %s
    email:    %s
    password: %s
%s
`, res.FormURL, res.SMSCode, res.SignInURL, res.Email, res.Password, drivers(cfg))
		return
	}
	fmt.Fprintln(out, "\nDemo: the database already has data, so nothing was created.")
	if res.AdminID != "" {
		fmt.Fprintf(out, `  To sign in again: %s
    email: %s
    forgot the password? Ask for a reset link at %s (the email is %s),
    or make one with: whisperctl staff reset%s --id %s --reason "demo password forgotten"
`, res.SignInURL, res.Email, res.ForgotURL, wire.MailGoes(cfg), databaseFlag(cfg), res.AdminID)
	}
	if path := cfg.SQLitePath(); path != "" {
		path, _, _ = strings.Cut(path, "?")
		fmt.Fprintf(out, "  To start afresh: stop whisperd, delete %s and %s (and %s-wal, %s-shm if there, and the mail and sms folders if you like), then %s.\n",
			path, seal.KeyFilePath(path), path, path, opts.Rerun)
	} else {
		fmt.Fprintf(out, "  To start afresh: stop whisperd, drop and create the database again, then %s.\n", opts.Rerun)
	}
	fmt.Fprintln(out, drivers(cfg))
}

// drivers says where mail and texts really go, and how to send the service
// a text without a carrier.
func drivers(cfg *config.Config) string {
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
`, wire.MailGoes(cfg), wire.TextsGo(cfg), env, databaseFlag(cfg), Code)
}

// findAdmin returns the demo's admin, or nil when the data is not the
// demo's.
func findAdmin(ctx context.Context, svc *app.App, orgs []*domain.Organisation) (*domain.Staff, error) {
	for _, o := range orgs {
		staff, err := svc.Operations.ListStaff(ctx, o.ID)
		if err != nil {
			return nil, err
		}
		for _, s := range staff {
			if strings.EqualFold(s.Email, Email) && s.Role == domain.RoleAdmin {
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

// newPassword is random, so a demo left running on a network is not open
// to anyone who has read the README.
func newPassword() (string, error) {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base32.StdEncoding.EncodeToString(b), nil
}
