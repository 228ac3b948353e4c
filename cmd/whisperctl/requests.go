package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// contactJSON is how Whisper reaches a reporter. Sensitive.
type contactJSON struct {
	Email string `json:"email"`
	Phone string `json:"phone"`
}

// metaJSON is the footprint of one of the reporter's messages. Sensitive.
type metaJSON struct {
	IP       string `json:"ip"`
	Location string `json:"location"`
	Region   string `json:"region"`
	Network  string `json:"network"`
}

func toMetaJSON(m domain.Meta) metaJSON {
	return metaJSON{IP: m.IP, Location: m.Location, Region: m.Region, Network: m.Network}
}

// dsarJSON is everything held about one reporter, as a subject access
// request answers it.
type dsarJSON struct {
	Email        string        `json:"email,omitempty"`
	Phone        string        `json:"phone,omitempty"`
	Interactions []subjectJSON `json:"interactions"`
	// SchoolsTold, with --tell-school, are the organisations emailed.
	SchoolsTold []schoolToldJSON `json:"schools_told,omitempty"`
}

// schoolToldJSON is an organisation told of a subject access request:
// the references its admins were sent.
type schoolToldJSON struct {
	OrgID        string   `json:"org_id"`
	Organisation string   `json:"organisation"`
	Refs         []string `json:"refs"`
	Admins       int      `json:"admins"`
}

// subjectJSON is one of the reporter's interactions, in full.
type subjectJSON struct {
	Ref            string               `json:"ref"`
	Organisation   string               `json:"organisation"`
	Form           string               `json:"form"`
	Inbox          string               `json:"inbox"`
	Channel        string               `json:"channel"`
	Status         string               `json:"status"`
	ReporterName   string               `json:"reporter_name"`
	Contact        contactJSON          `json:"contact"`
	LegalHold      bool                 `json:"legal_hold"`
	CreatedAt      time.Time            `json:"created_at"`
	LastActivityAt time.Time            `json:"last_activity_at"`
	ClosedAt       *time.Time           `json:"closed_at"`
	ErasedAt       *time.Time           `json:"erased_at"`
	Messages       []subjectMessageJSON `json:"messages"`
}

// subjectMessageJSON is one turn of the conversation: the reporter's with
// its meta data, staff's with the first name the reporter saw.
type subjectMessageJSON struct {
	FromReporter bool      `json:"from_reporter"`
	StaffName    string    `json:"staff_name,omitempty"`
	Body         string    `json:"body"`
	At           time.Time `json:"at"`
	Meta         *metaJSON `json:"meta,omitempty"`
}

func toSubjectJSON(si app.SubjectInteraction) subjectJSON {
	out := subjectJSON{
		Ref: string(si.Ref), Organisation: si.Organisation, Form: si.Form, Inbox: si.Inbox,
		Channel: string(si.Channel), Status: string(si.Status), ReporterName: si.ReporterName,
		Contact:   contactJSON{Email: si.Contact.Email, Phone: si.Contact.Phone},
		LegalHold: si.LegalHold, CreatedAt: si.CreatedAt.UTC(), LastActivityAt: si.LastActivityAt.UTC(),
		ClosedAt: utc(si.ClosedAt), ErasedAt: utc(si.ErasedAt), Messages: make([]subjectMessageJSON, len(si.Messages)),
	}
	for i, m := range si.Messages {
		out.Messages[i] = subjectMessageJSON{FromReporter: m.FromReporter, StaffName: m.StaffName, Body: m.Body, At: m.At.UTC()}
		if m.Meta != nil {
			meta := toMetaJSON(*m.Meta)
			out.Messages[i].Meta = &meta
		}
	}
	return out
}

// disclosedJSON is what a disclosure reveals, with the request it answers.
type disclosedJSON struct {
	Ref       string                 `json:"ref"`
	Basis     string                 `json:"basis"`
	Authority string                 `json:"authority"`
	Reference string                 `json:"reference"`
	Contact   contactJSON            `json:"contact"`
	Messages  []disclosedMessageJSON `json:"messages"`
}

// disclosedMessageJSON is one reporter message's footprint.
type disclosedMessageJSON struct {
	At   time.Time `json:"at"`
	Meta metaJSON  `json:"meta"`
}

func (c *ctl) dsarCommand() *cli.Command {
	return leaf(&cli.Command{
		Name:  "dsar",
		Usage: "everything held about a reporter, found by their email address or phone number (a subject access request)",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "email", Usage: "the reporter's email `ADDRESS`"},
			&cli.StringFlag{Name: "phone", Usage: "the reporter's phone `NUMBER`, e.g. 07700 900123 or +44 7700 900123"},
			reasonFlag(reasonRequired),
			&cli.BoolFlag{Name: "tell-school", Usage: "email the admins of each organisation concerned that a subject access request names these references (and nothing else)"},
		},
		Action: func(cctx *cli.Context) error {
			email, phone := strings.TrimSpace(cctx.String("email")), strings.TrimSpace(cctx.String("phone"))
			if email == "" && phone == "" {
				return usagef("give --email or --phone (or both)")
			}
			if err := required(cctx, "reason"); err != nil {
				return err
			}
			svc, err := c.service(cctx, false)
			if err != nil {
				return err
			}
			found, err := svc.Rights.SubjectAccessRequest(cctx.Context, c.operator(), app.SubjectAccessQuery{
				Email: email, Phone: phone, Reason: cctx.String("reason"), TellSchools: cctx.Bool("tell-school"),
			})
			if err != nil {
				return err
			}
			out := dsarJSON{Email: email, Phone: phone, Interactions: make([]subjectJSON, len(found.Interactions))}
			for i, si := range found.Interactions {
				out.Interactions[i] = toSubjectJSON(si)
			}
			if cctx.Bool("tell-school") {
				out.SchoolsTold = make([]schoolToldJSON, len(found.Told))
				for i, t := range found.Told {
					out.SchoolsTold[i] = schoolToldJSON{OrgID: string(t.OrgID), Organisation: t.Organisation, Admins: t.Admins, Refs: refStrings(t.Refs)}
				}
			}
			return c.print(cctx, out, func(w io.Writer) {
				printDSAR(w, found, svc.Zone)
				if cctx.Bool("tell-school") {
					printTold(w, found.Told)
				}
			})
		},
	}, 0)
}

// printDSAR summarises a subject access request; the record itself, with
// message texts and meta data, is for --json.
func printDSAR(w io.Writer, found app.SubjectAccess, z domain.Zone) {
	fmt.Fprintf(w, "Found %s held about this reporter.\n", interactions(len(found.Interactions)))
	if len(found.Interactions) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REF\tORGANISATION\tFORM\tINBOX\tCHANNEL\tSTATUS\tMESSAGES\tCREATED\tHOLD")
	for _, si := range found.Interactions {
		hold := ""
		if si.LegalHold {
			hold = "legal hold"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", si.Ref, si.Organisation, si.Form, si.Inbox, si.Channel, si.Status,
			len(si.Messages), z.In(si.CreatedAt).Format(time.DateOnly), hold)
	}
	tw.Flush()
	fmt.Fprintln(w, "Run again with --json for the full record: names, messages, contact and meta data.")
}

// printTold says which schools --tell-school told, and of what.
func printTold(w io.Writer, told []app.SchoolTold) {
	if len(told) == 0 {
		fmt.Fprintln(w, "No school was told: none holds an interaction of this reporter that is not erased.")
	}
	for _, t := range told {
		refs := strings.Join(refStrings(t.Refs), ", ")
		switch t.Admins {
		case 0:
			fmt.Fprintf(w, "%s has no admin to tell: tell them another way about %s.\n", t.Organisation, refs)
		case 1:
			fmt.Fprintf(w, "Queued an email to the admin of %s naming %s.\n", t.Organisation, refs)
		default:
			fmt.Fprintf(w, "Queued an email to each of the %d admins of %s naming %s.\n", t.Admins, t.Organisation, refs)
		}
	}
}

func refStrings(refs []domain.Reference) []string {
	s := make([]string, len(refs))
	for i, r := range refs {
		s[i] = string(r)
	}
	return s
}

func (c *ctl) discloseCommand() *cli.Command {
	return leaf(&cli.Command{
		Name:  "disclose",
		Usage: "print an interaction's contact and meta data, for a lawful request",
		Flags: []cli.Flag{
			refFlag(),
			&cli.StringFlag{Name: "basis", Usage: "the lawful basis: court-order, police, consent or vital-interests (required)"},
			&cli.StringFlag{Name: "authority", Usage: "who asks, e.g. \"Avon and Somerset Police\" (required)"},
			&cli.StringFlag{Name: "reference", Usage: "their reference, e.g. a court order or crime number (required)"},
			reasonFlag(reasonRequired),
		},
		Action: func(cctx *cli.Context) error {
			svc, ref, err := c.refRequest(cctx, "basis", "authority", "reference")
			if err != nil {
				return err
			}
			in := app.Disclosure{
				Ref: ref, Basis: strings.TrimSpace(cctx.String("basis")), Authority: cctx.String("authority"),
				Reference: cctx.String("reference"), Reason: cctx.String("reason"),
			}
			got, err := svc.Operations.Disclose(cctx.Context, c.operator(), in)
			if err != nil {
				return err
			}
			out := disclosedJSON{
				Ref: string(got.Ref), Basis: in.Basis, Authority: strings.TrimSpace(in.Authority), Reference: strings.TrimSpace(in.Reference),
				Contact:  contactJSON{Email: got.Contact.Email, Phone: got.Contact.Phone},
				Messages: make([]disclosedMessageJSON, len(got.Messages)),
			}
			for i, m := range got.Messages {
				out.Messages[i] = disclosedMessageJSON{At: m.At.UTC(), Meta: toMetaJSON(m.Meta)}
			}
			return c.print(cctx, out, func(w io.Writer) { printDisclosed(w, out, svc.Zone) })
		},
	}, 0)
}

func printDisclosed(w io.Writer, d disclosedJSON, z domain.Zone) {
	fmt.Fprintf(w, "Disclosure of %s on the basis %s, to %s (their reference %s). Recorded in the audit log.\n",
		d.Ref, d.Basis, d.Authority, d.Reference)
	fmt.Fprintf(w, "Contact\n  Email: %s\n  Phone: %s\n", orNone(d.Contact.Email), orNone(d.Contact.Phone))
	if len(d.Messages) == 0 {
		fmt.Fprintln(w, "No messages from the reporter are held.")
		return
	}
	fmt.Fprintln(w, "The reporter's messages")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  AT\tIP\tLOCATION\tREGION\tNETWORK")
	for _, m := range d.Messages {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", z.ISO(m.At), orNone(m.Meta.IP), orNone(m.Meta.Location),
			orNone(m.Meta.Region), orNone(m.Meta.Network))
	}
	tw.Flush()
}

func (c *ctl) blockCommand() *cli.Command {
	return leaf(&cli.Command{
		Name:  "block",
		Usage: "stop the reporter of an interaction (their email, phone and IP addresses) opening new interactions",
		Flags: []cli.Flag{
			refFlag(), reasonFlag(reasonRequired),
			&cli.IntFlag{Name: "days", Usage: "lift the block by itself after `D` days (default: until unblocked)"},
		},
		Action: func(cctx *cli.Context) error {
			svc, ref, err := c.refRequest(cctx)
			if err != nil {
				return err
			}
			days := cctx.Int("days")
			n, err := svc.Operations.Block(cctx.Context, c.operator(), ref, cctx.String("reason"), days)
			if err != nil {
				return err
			}
			return c.print(cctx, actJSON{Ref: string(ref), Action: domain.AuditBlock, Blocked: &n, Days: &days}, func(w io.Writer) {
				until := "until unblocked"
				if days > 0 {
					until = fmt.Sprintf("for %d days", days)
				}
				fmt.Fprintf(w, "Blocked the reporter of %s %s: %d of their identities (email or phone number, IP addresses) may open no new interaction.\n", ref, until, n)
			})
		},
	}, 0)
}

func (c *ctl) unblockCommand() *cli.Command {
	return leaf(&cli.Command{
		Name:  "unblock",
		Usage: "lift every block on the reporter of an interaction",
		Flags: []cli.Flag{refFlag(), reasonFlag(reasonRequired)},
		Action: func(cctx *cli.Context) error {
			svc, ref, err := c.refRequest(cctx)
			if err != nil {
				return err
			}
			n, err := svc.Operations.Unblock(cctx.Context, c.operator(), ref, cctx.String("reason"))
			if err != nil {
				return err
			}
			return c.print(cctx, actJSON{Ref: string(ref), Action: domain.AuditUnblock, Lifted: &n}, func(w io.Writer) {
				fmt.Fprintf(w, "Lifted %d blocks on the reporter of %s.\n", n, ref)
			})
		},
	}, 0)
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
