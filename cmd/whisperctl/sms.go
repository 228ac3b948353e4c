package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/whisper-schools/whisper/adapters/sms"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/cmd/internal/config"
)

func (c *ctl) smsCommand() *cli.Command {
	return &cli.Command{
		Name:  "sms",
		Usage: "try texting without a carrier",
		Subcommands: []*cli.Command{
			leaf(&cli.Command{
				Name: "receive",
				Usage: "hand in a text as if the carrier had delivered it from --from, through the same path as the webhook; " +
					"prints what became of it and the texts sent back (audited)",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "from", Usage: "the texter's `NUMBER`, e.g. +447700900123 or, in sms.default_region, 07700900123 (required)"},
					&cli.StringFlag{Name: "text", Usage: "the `TEXT`: a form's code and a message opens a report, e.g. \"DEMO I need help\"; " +
						"a later text from the same number continues it (required)"},
				},
				Action: c.smsReceive,
			}, 0),
		},
	}
}

// receivedJSON is what sms receive prints with --json.
type receivedJSON struct {
	Outcome string `json:"outcome"`
	Ref     string `json:"ref,omitempty"`
	// Replies are the texts queued back to the number.
	Replies []replyJSON `json:"replies"`
	// Folder is where whisperd writes them, with sms.driver file.
	Folder string `json:"folder,omitempty"`
}

type replyJSON struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	To   string `json:"to"`
	Text string `json:"text"`
}

func (c *ctl) smsReceive(cctx *cli.Context) error {
	if err := required(cctx, "from", "text"); err != nil {
		return err
	}
	cfg, err := c.config(cctx)
	if err != nil {
		return err
	}
	svc, err := c.service(cctx, false)
	if err != nil {
		return err
	}
	// A message id of its own, as a carrier gives each text, so that the
	// same words sent twice are two texts; no nonce, since no webhook
	// signature was checked.
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return err
	}
	in := app.InboundText{MessageUUID: "whisperctl-" + hex.EncodeToString(id), From: cctx.String("from"), Text: cctx.String("text")}
	got, err := svc.Delivery.ReceiveText(cctx.Context, c.operator(), in)
	if err != nil {
		return err
	}
	view := receivedJSON{Outcome: string(got.Outcome), Ref: string(got.Ref), Replies: []replyJSON{}}
	if cfg.SMS.Driver == config.FileDriver {
		view.Folder = cfg.SMS.File.Dir
	}
	for _, d := range got.Replies {
		text, err := sms.Compose(d)
		if err != nil {
			return err
		}
		view.Replies = append(view.Replies, replyJSON{ID: string(d.ID), Kind: string(d.Kind), To: d.To, Text: text})
	}
	return c.print(cctx, view, func(w io.Writer) { printReceived(w, view) })
}

// outcomeWords say what became of a text, for the operator.
var outcomeWords = map[app.TextOutcome]string{
	app.TextOpened:    "A new report was opened: %s.",
	app.TextContinued: "The text was added to the conversation %s.",
	app.TextLinked:    "A fresh link to the conversation %s was texted back; the old one no longer works.",
	app.TextHelped:    "Ignored: no form has that code and the number has no conversation. The help text was texted back.",
	app.TextDropped:   "Ignored: nothing was kept (the form is closed, the organisation takes no reports now, the number is blocked, the message was empty or refused, or help was already texted today).",
	app.TextDuplicate: "Ignored: this text was handled before.",
	app.TextLimited:   "Refused by a rate limit: too many reports from this number, or replies to its conversation, this hour.",
}

func printReceived(w io.Writer, v receivedJSON) {
	words, ok := outcomeWords[app.TextOutcome(v.Outcome)]
	if !ok {
		words = "Outcome: " + v.Outcome + "."
	}
	if strings.Contains(words, "%s") {
		ref := v.Ref
		if ref == "" {
			ref = "(erased since)" // between the text and the look-up
		}
		words = fmt.Sprintf(words, ref)
	}
	fmt.Fprintln(w, words)
	if len(v.Replies) == 0 {
		fmt.Fprintln(w, "No text was sent back.")
		return
	}
	// whisperd sends them, as its own configuration says; only a folder
	// is worth naming, since whisperctl cannot know whisperd's flags.
	if v.Folder != "" {
		fmt.Fprintf(w, "Texted back (queued; whisperd writes them to %s):\n", v.Folder)
	} else {
		fmt.Fprintln(w, "Texted back (queued; whisperd sends them):")
	}
	for _, r := range v.Replies {
		fmt.Fprintf(w, "  to %s: %s\n", r.To, r.Text)
	}
}
