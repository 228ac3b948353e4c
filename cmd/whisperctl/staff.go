package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// staffJSON is a new staff account as whisperctl prints it.
type staffJSON struct {
	ID                   string     `json:"id"`
	OrgID                string     `json:"org_id"`
	Email                string     `json:"email"`
	FirstName            string     `json:"first_name"`
	LastName             string     `json:"last_name,omitempty"`
	Role                 string     `json:"role"`
	InboxIDs             []string   `json:"inbox_ids"`
	SetPasswordURL       string     `json:"set_password_url,omitempty"`
	SetPasswordExpiresAt *time.Time `json:"set_password_expires_at,omitempty"`
}

func (c *ctl) staffCommand() *cli.Command {
	return &cli.Command{
		Name:  "staff",
		Usage: "manage staff accounts",
		Subcommands: []*cli.Command{
			leaf(&cli.Command{
				Name:  "create",
				Usage: "create a staff account; prints a one-time set-password link unless --password-stdin",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "org", Usage: "the organisation's `ID` (required)"},
					&cli.StringFlag{Name: "email", Usage: "sign-in address (required)"},
					&cli.StringFlag{Name: "first-name", Usage: "first name, shown to reporters (required)"},
					&cli.StringFlag{Name: "last-name", Usage: "last name, shown to colleagues"},
					&cli.StringFlag{Name: "role", Value: string(domain.RoleStaff), Usage: "admin or staff"},
					&cli.StringSliceFlag{Name: "inbox", Usage: "an inbox `ID` to assign; repeat for several"},
					&cli.BoolFlag{Name: "password-stdin", Usage: "read the password from standard input"},
					&cli.StringFlag{Name: "language", Usage: "`en` or cy: the language of their portal and emails until they choose (default en)"},
				},
				Action: c.staffCreate,
			}, 0),
			leaf(&cli.Command{
				Name:  "list",
				Usage: "list an organisation's staff accounts",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "org", Usage: "the organisation's `ID` (required)"},
				},
				Action: c.staffList,
			}, 0),
			leaf(&cli.Command{
				Name:  "reset",
				Usage: "let a locked-out member back in: print a one-time set-password link, or --email it to them",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "id", Usage: "the member's `ID` (required; see staff list)"},
					&cli.BoolFlag{Name: "authenticator", Usage: "also reset their authenticator app: they set up a new one at their next sign-in"},
					&cli.BoolFlag{Name: "email", Usage: "queue the link to their address instead of printing it"},
					reasonFlag(reasonRequired),
				},
				Action: c.staffReset,
			}, 0),
		},
	}
}

func (c *ctl) staffCreate(cctx *cli.Context) error {
	if cctx.String("org") == "" || cctx.String("email") == "" || cctx.String("first-name") == "" {
		return usagef("--org, --email and --first-name are required")
	}
	in := app.CreateStaff{Email: cctx.String("email"), FirstName: cctx.String("first-name"), LastName: cctx.String("last-name"), Actor: c.operator().Actor()}
	var err error
	if in.OrgID, err = domain.ParseOrgID(cctx.String("org")); err != nil {
		return err
	}
	if in.Role, err = domain.ParseRole(cctx.String("role")); err != nil {
		return err
	}
	if cctx.IsSet("language") {
		if in.Language, err = domain.ParseLanguage(cctx.String("language")); err != nil {
			return err
		}
	}
	for _, s := range cctx.StringSlice("inbox") {
		for _, part := range strings.Split(s, ",") {
			id, err := domain.ParseInboxID(part)
			if err != nil {
				return err
			}
			in.InboxIDs = append(in.InboxIDs, id)
		}
	}
	if cctx.Bool("password-stdin") {
		if in.Password, err = readPassword(c.stdin); err != nil {
			return err
		}
	}
	svc, err := c.service(cctx, false)
	if err != nil {
		return err
	}
	out, err := svc.Operations.CreateStaff(cctx.Context, in)
	if err != nil {
		return err
	}
	m := out.Staff
	view := staffJSON{
		ID: string(m.ID), OrgID: string(m.OrgID), Email: m.Email, FirstName: m.FirstName, LastName: m.LastName,
		Role: string(m.Role), InboxIDs: []string{}, SetPasswordURL: out.SetPasswordURL,
	}
	for _, id := range m.InboxIDs {
		view.InboxIDs = append(view.InboxIDs, string(id))
	}
	if out.SetPasswordURL != "" {
		view.SetPasswordExpiresAt = &out.LinkExpiresAt
	}
	return c.print(cctx, view, func(w io.Writer) {
		fmt.Fprintf(w, "Created %s %s (%s) as %s.\n", m.Role, m.ID, m.Email, m.FirstName)
		if out.SetPasswordURL != "" {
			fmt.Fprintf(w, "Send them this link to choose a password; it works once, until %s:\n  %s\n",
				svc.Zone.Stamp(out.LinkExpiresAt), out.SetPasswordURL)
		}
	})
}

// readPassword reads one line: the password, without its line ending.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("reading the password from standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", usagef("--password-stdin: standard input held no password")
	}
	if !domain.IsText(line) {
		return "", notText("the password on standard input")
	}
	return line, nil
}

// memberJSON is a staff account as staff list prints it.
type memberJSON struct {
	ID            string   `json:"id"`
	Email         string   `json:"email"`
	Name          string   `json:"name"`
	Role          string   `json:"role"`
	InboxIDs      []string `json:"inbox_ids"`
	HasPassword   bool     `json:"has_password"`
	Authenticator bool     `json:"authenticator"`
	// MustEnrol is set after an authenticator was reset, until a new one
	// is set up.
	MustEnrol bool `json:"must_enrol_authenticator,omitempty"`
}

func (c *ctl) staffList(cctx *cli.Context) error {
	if cctx.String("org") == "" {
		return usagef("--org is required")
	}
	org, svc, err := c.forOrg(cctx)
	if err != nil {
		return err
	}
	members, err := svc.Operations.ListStaff(cctx.Context, org)
	if err != nil {
		return err
	}
	view := []memberJSON{}
	for _, m := range members {
		v := memberJSON{ID: string(m.ID), Email: m.Email, Name: m.FullName(), Role: string(m.Role), InboxIDs: []string{},
			HasPassword: m.PasswordHash != "", Authenticator: m.TOTPEnabled, MustEnrol: m.EnrolTOTP && !m.TOTPEnabled}
		for _, id := range m.InboxIDs {
			v.InboxIDs = append(v.InboxIDs, string(id))
		}
		view = append(view, v)
	}
	return c.print(cctx, view, func(w io.Writer) {
		for _, v := range view {
			state := "invited"
			if v.HasPassword {
				state = "password"
			}
			if v.Authenticator {
				state += "+authenticator"
			}
			fmt.Fprintf(w, "%s  %-5s  %-22s  %s (%s)\n", v.ID, v.Role, state, v.Name, v.Email)
		}
	})
}

// resetJSON is what staff reset prints.
type resetJSON struct {
	ID             string    `json:"id"`
	SetPasswordURL string    `json:"set_password_url,omitempty"`
	ExpiresAt      time.Time `json:"expires_at"`
	Emailed        bool      `json:"emailed"`
	Authenticator  bool      `json:"authenticator_reset"`
}

func (c *ctl) staffReset(cctx *cli.Context) error {
	if cctx.String("id") == "" {
		return usagef("--id is required")
	}
	if strings.TrimSpace(cctx.String("reason")) == "" {
		return usagef("--reason is required: it goes in the audit log")
	}
	id, err := domain.ParseStaffID(cctx.String("id"))
	if err != nil {
		return err
	}
	svc, err := c.service(cctx, false)
	if err != nil {
		return err
	}
	in := app.ResetStaff{ID: id, Authenticator: cctx.Bool("authenticator"), Email: cctx.Bool("email"), Reason: cctx.String("reason")}
	out, err := svc.Operations.ResetStaff(cctx.Context, c.operator(), in)
	if err != nil {
		return err
	}
	view := resetJSON{ID: string(id), SetPasswordURL: out.URL, ExpiresAt: out.ExpiresAt, Emailed: in.Email, Authenticator: in.Authenticator}
	return c.print(cctx, view, func(w io.Writer) {
		if in.Authenticator {
			fmt.Fprintf(w, "Reset the authenticator app of %s: they set up a new one at their next sign-in.\n", id)
		}
		if in.Email {
			fmt.Fprintf(w, "Queued an email to %s with a link to choose a password; it works once, until %s.\n",
				id, svc.Zone.Stamp(out.ExpiresAt))
			return
		}
		fmt.Fprintf(w, "Send them this link to choose a password; it works once, until %s:\n  %s\n",
			svc.Zone.Stamp(out.ExpiresAt), out.URL)
	})
}
