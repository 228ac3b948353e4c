package main

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"io"
	"log/slog"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/cmd/internal/config"
	"github.com/whisper-schools/whisper/domain"
)

// demoCode is the demo form's code, so its URL is easy to type.
const demoCode = "DEMO"

// seedDemo creates a demo organisation, form and admin when the database
// holds no organisation yet, and prints where to find them. On a database
// that has data it does nothing, so --demo is safe to leave on.
func seedDemo(ctx context.Context, svc *app.App, out io.Writer) error {
	orgs, err := svc.Operations.ListOrganisations(ctx)
	if err != nil {
		return err
	}
	if len(orgs) > 0 {
		fmt.Fprintln(out, "Demo: the database already has data; nothing was created.")
		return nil
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
	const email = "admin@demo.whisper.test"
	if _, err := svc.Operations.CreateStaff(ctx, app.CreateStaff{
		OrgID: org.ID, Email: email, FirstName: "Demo", LastName: "Admin", Role: domain.RoleAdmin, Password: password,
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
Mail and SMS are written to the log instead of being sent.

`, form.URL, form.Form.Code, svc.Links.Link("staff", "login"), email, password)
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

// demoPassword is random, so a demo left running on a network is not open
// to anyone who has read the README.
func demoPassword() (string, error) {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base32.StdEncoding.EncodeToString(b), nil
}
