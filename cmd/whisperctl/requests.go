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
	// InternalNotesHeldBySchool counts the school's internal notes, whose
	// texts the school discloses, or not, itself.
	InternalNotesHeldBySchool int `json:"internal_notes_held_by_school"`
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
		InternalNotesHeldBySchool: si.InternalNotes,
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
	printSchoolNotes(w, found)
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

// blockJSON is one block: where it came from and what kind of identity it
// stops, never the identity itself (the store keeps only a blind index).
type blockJSON struct {
	ID        string     `json:"id"`
	Ref       string     `json:"ref"`
	Kind      string     `json:"kind"`
	Reason    string     `json:"reason"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at"`
}

func toBlocksJSON(blocks []*domain.Block) []blockJSON {
	out := make([]blockJSON, len(blocks))
	for i, b := range blocks {
		out[i] = blockJSON{ID: string(b.ID), Ref: string(b.Ref), Kind: string(b.Kind), Reason: b.Reason,
			CreatedAt: b.CreatedAt.UTC(), ExpiresAt: utc(b.ExpiresAt)}
	}
	return out
}

// blockedJSON is what `block` did.
type blockedJSON struct {
	actJSON
	Blocks []blockJSON `json:"blocks"`
}

func (c *ctl) blockCommand() *cli.Command {
	cmd := leaf(&cli.Command{
		Name:  "block",
		Usage: "stop the reporter of an interaction (their email address or phone number; with --ip their IP addresses) opening new interactions",
		Flags: []cli.Flag{
			refFlag(), reasonFlag(reasonRequired),
			&cli.BoolFlag{Name: "ip", Usage: fmt.Sprintf("also block every IP address they wrote from, for %d days unless --days says otherwise; a school often shares one address, so this blocks every pupil behind it", domain.IPBlockDays)},
			&cli.IntFlag{Name: "days", Usage: fmt.Sprintf("lift every part of the block by itself after `D` days (default: email and phone until unblocked, IP addresses %d days)", domain.IPBlockDays)},
		},
		Action: func(cctx *cli.Context) error {
			svc, ref, err := c.refRequest(cctx)
			if err != nil {
				return err
			}
			days, ip := cctx.Int("days"), cctx.Bool("ip")
			made, err := svc.Operations.Block(cctx.Context, c.operator(), app.Blocking{Ref: ref, Reason: cctx.String("reason"), Days: days, IP: ip})
			if err != nil {
				return err
			}
			if ip {
				c.warnIPBlock(made)
			}
			n := len(made)
			out := blockedJSON{actJSON: actJSON{Ref: string(ref), Action: domain.AuditBlock, Blocked: &n, Days: &days}, Blocks: toBlocksJSON(made)}
			return c.print(cctx, out, func(w io.Writer) { printBlocked(w, ref, made) })
		},
	}, 0)
	cmd.Subcommands = []*cli.Command{c.blockListCommand()}
	return cmd
}

// warnIPBlock tells the operator, on stderr, what a block on IP addresses
// costs, and when it ends.
func (c *ctl) warnIPBlock(made []*domain.Block) {
	for _, b := range made {
		if b.Kind == domain.BlockIP {
			fmt.Fprintf(c.stderr, "whisperctl: warning: a school often reaches the internet through one shared IP address, so every pupil behind it is blocked too, %s\n", until(b.ExpiresAt))
			return
		}
	}
	fmt.Fprintln(c.stderr, "whisperctl: warning: --ip blocked no IP address: the reporter wrote from none (a texter has only a phone number)")
}

// printBlocked says what a block stops and until when, kind by kind.
func printBlocked(w io.Writer, ref domain.Reference, made []*domain.Block) {
	if len(made) == 0 {
		fmt.Fprintf(w, "Blocked nothing: the reporter of %s left no email address, phone number or IP address to block by.\n", ref)
		return
	}
	fmt.Fprintf(w, "Blocked the reporter of %s from opening new interactions:\n", ref)
	for _, b := range made {
		fmt.Fprintf(w, "  %s %s\n", blockKindWords[b.Kind], until(b.ExpiresAt))
	}
}

var blockKindWords = map[domain.BlockKind]string{
	domain.BlockEmail: "their email address", domain.BlockPhone: "their phone number", domain.BlockIP: "an IP address",
}

// until says when a block ends.
func until(end *time.Time) string {
	if end == nil {
		return "until unblocked"
	}
	return "until " + end.UTC().Format(minuteUTC)
}

// minuteUTC is how the lists here write a moment.
const minuteUTC = "2006-01-02 15:04 UTC"

func (c *ctl) blockListCommand() *cli.Command {
	return leaf(&cli.Command{
		Name:  "list",
		Usage: "list the blocks in force: where each came from, what kind of identity it stops (never the identity), until when, why",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "as-of", Usage: "list those that will still be in force at `TIME` (RFC 3339, e.g. 2027-01-31T00:00:00Z)"},
		},
		Action: func(cctx *cli.Context) error {
			var asOf time.Time
			if cctx.IsSet("as-of") {
				t, err := time.Parse(time.RFC3339, strings.TrimSpace(cctx.String("as-of")))
				if err != nil {
					return usagef("--as-of takes a time like 2027-01-31T00:00:00Z (RFC 3339), not %q", cctx.String("as-of"))
				}
				asOf = t
			}
			svc, err := c.service(cctx, false)
			if err != nil {
				return err
			}
			in, err := svc.Operations.InForce(cctx.Context, asOf)
			if err != nil {
				return err
			}
			return c.print(cctx, toBlocksJSON(in.Blocks), func(w io.Writer) {
				if len(in.Blocks) == 0 {
					fmt.Fprintln(w, "No block is in force.")
					return
				}
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tREF\tKIND\tCREATED\tEXPIRES\tREASON")
				for _, b := range in.Blocks {
					expires := "until unblocked"
					if b.ExpiresAt != nil {
						expires = b.ExpiresAt.UTC().Format(minuteUTC)
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", b.ID, orNone(string(b.Ref)), b.Kind, b.CreatedAt.UTC().Format(minuteUTC), expires, b.Reason)
				}
				tw.Flush()
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

// printSchoolNotes says which references carry internal notes by school
// staff. Their texts are not in the record: the school, which wrote them
// about the reporter and often about others, decides what of them to
// disclose (--tell-school names the references).
func printSchoolNotes(w io.Writer, found app.SubjectAccess) {
	for _, si := range found.Interactions {
		if si.InternalNotes > 0 {
			fmt.Fprintf(w, "%s: the school holds %d internal note(s) by its staff, not printed here; the school decides what of them to disclose.\n", si.Ref, si.InternalNotes)
		}
	}
}
