package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// ssoJSON is an organisation's single sign-on as whisperctl prints it:
// never with the client secret.
type ssoJSON struct {
	OrgID     string    `json:"org_id"`
	Issuer    string    `json:"issuer"`
	ClientID  string    `json:"client_id"`
	Domains   []string  `json:"domains"`
	Required  bool      `json:"required"`
	TenantID  string    `json:"tenant_id,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

func toSSOJSON(s *domain.SSOSetting) ssoJSON {
	return ssoJSON{OrgID: string(s.OrgID), Issuer: s.Issuer, ClientID: s.ClientID, Domains: s.Domains,
		Required: s.Required, TenantID: s.TenantID, UpdatedAt: s.UpdatedAt}
}

func printSSO(w io.Writer, s *domain.SSOSetting) {
	fmt.Fprintf(w, "Organisation %s signs in at %s\n", s.OrgID, s.Issuer)
	fmt.Fprintf(w, "  client id: %s\n  domains:   %s\n  required:  %t\n", s.ClientID, strings.Join(s.Domains, ", "), s.Required)
	if s.TenantID != "" {
		fmt.Fprintf(w, "  tenant:    %s\n", s.TenantID)
	}
	fmt.Fprintln(w, "  secret:    set (never shown)")
}

func (c *ctl) ssoCommand() *cli.Command {
	orgFlag := &cli.StringFlag{Name: "org", Usage: "the organisation's `ID` (required)"}
	return &cli.Command{
		Name:  "sso",
		Usage: "single sign-on with an organisation's OpenID Connect provider (Entra ID, Google); see docs/sso.md",
		Subcommands: []*cli.Command{
			leaf(&cli.Command{
				Name:  "set",
				Usage: "set (or replace) an organisation's single sign-on; the client secret is read from standard input",
				Flags: []cli.Flag{
					orgFlag,
					&cli.StringFlag{Name: "issuer", Usage: "the provider's issuer `URL` (required)"},
					&cli.StringFlag{Name: "client-id", Usage: "the client (application) `ID` registered with the provider (required)"},
					&cli.BoolFlag{Name: "client-secret-stdin", Usage: "read the client secret from standard input (required)"},
					&cli.StringFlag{Name: "domains", Usage: "the email `DOMAINS`, comma-separated, that sign in there (required)"},
					&cli.BoolFlag{Name: "required", Usage: "the organisation's staff may not sign in with a password"},
					&cli.StringFlag{Name: "tenant", Usage: "Entra ID tenant `ID` whose tokens alone are accepted; default: from the issuer"},
					reasonFlag(reasonRequired),
				},
				Action: func(cctx *cli.Context) error {
					if err := required(cctx, "org", "issuer", "client-id", "domains", "reason"); err != nil {
						return err
					}
					if !cctx.Bool("client-secret-stdin") {
						return usagef("--client-secret-stdin is required: a secret on the command line would be in the shell's history")
					}
					org, err := domain.ParseOrgID(cctx.String("org"))
					if err != nil {
						return err
					}
					secret, err := readPassword(c.stdin)
					if err != nil {
						return err
					}
					svc, err := c.service(cctx, false)
					if err != nil {
						return err
					}
					set, err := svc.Operations.SetSSO(cctx.Context, c.operator(), app.SetSSO{
						OrgID: org, Issuer: cctx.String("issuer"), ClientID: cctx.String("client-id"), ClientSecret: secret,
						Domains: strings.Split(cctx.String("domains"), ","), Required: cctx.Bool("required"),
						TenantID: cctx.String("tenant"), Reason: cctx.String("reason"),
					})
					if err != nil {
						return err
					}
					return c.print(cctx, toSSOJSON(set), func(w io.Writer) { printSSO(w, set) })
				},
			}, 0),
			leaf(&cli.Command{
				Name:  "show",
				Usage: "show an organisation's single sign-on (never its secret)",
				Flags: []cli.Flag{orgFlag},
				Action: func(cctx *cli.Context) error {
					if err := required(cctx, "org"); err != nil {
						return err
					}
					org, svc, err := c.forOrg(cctx)
					if err != nil {
						return err
					}
					set, err := svc.Operations.SSO(cctx.Context, org)
					if err != nil {
						return err
					}
					return c.print(cctx, toSSOJSON(set), func(w io.Writer) { printSSO(w, set) })
				},
			}, 0),
			leaf(&cli.Command{
				Name:  "remove",
				Usage: "remove an organisation's single sign-on: its staff sign in with passwords again",
				Flags: []cli.Flag{orgFlag, reasonFlag(reasonRequired)},
				Action: func(cctx *cli.Context) error {
					if err := required(cctx, "org", "reason"); err != nil {
						return err
					}
					org, svc, err := c.forOrg(cctx)
					if err != nil {
						return err
					}
					if err := svc.Operations.RemoveSSO(cctx.Context, c.operator(), org, cctx.String("reason")); err != nil {
						return err
					}
					return c.print(cctx, map[string]string{"org_id": string(org), "sso": "removed"}, func(w io.Writer) {
						fmt.Fprintf(w, "Organisation %s no longer signs in with single sign-on.\n", org)
					})
				},
			}, 0),
		},
	}
}
