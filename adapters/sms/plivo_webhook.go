package sms

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/whisper-schools/whisper/app"
)

// PlivoPath is the route Plivo is told to post inbound texts to; the web
// edge serves it, and its signature covers the public URL plus this path.
const PlivoPath = "/sms/plivo"

// TextReceiver is the use case an inbound text is handed to. The webhook
// declares it for itself, on the consumer side, so that it needs nothing
// else of the app.
type TextReceiver interface {
	ReceiveText(ctx context.Context, in app.InboundText) (app.TextOutcome, error)
}

// PlivoWebhook takes inbound texts from Plivo. The web edge mounts it on
// PlivoPath, behind its checks on every request (bad bytes are refused
// before any handler), and turns the errors it returns into statuses with
// its one table, as for every other route.
type PlivoWebhook struct {
	check PlivoCheck
	texts TextReceiver
	log   *slog.Logger
}

// NewPlivoWebhook returns the webhook checking signatures as c says and
// handing each text to texts. c.URL is the public URL plus PlivoPath.
func NewPlivoWebhook(c PlivoCheck, texts TextReceiver, log *slog.Logger) *PlivoWebhook {
	return &PlivoWebhook{check: c, texts: texts, log: log}
}

// Path is PlivoPath, where the web edge mounts the webhook.
func (h *PlivoWebhook) Path() string { return PlivoPath }

// ServeWebhook takes one inbound text. The signature is checked before
// anything else is believed; the text is then handled in one transaction,
// and answered 200 with an empty body as soon as it is stored — replies go
// out through the outbox, never in this response, so the carrier is never
// kept waiting on another service. Its errors carry their kinds for the
// web edge to answer with.
func (h *PlivoWebhook) ServeWebhook(w http.ResponseWriter, r *http.Request) error {
	in, err := ReadPlivo(w, r, h.check)
	if err != nil {
		return err
	}
	// The number's limit counts the reports it opens, in the use case:
	// a text continuing a conversation is never held back by it.
	outcome, err := h.texts.ReceiveText(r.Context(), app.InboundText{MessageUUID: in.MessageUUID, From: in.From, Text: in.Text, Nonce: in.Nonce})
	if err != nil {
		return err
	}
	if outcome == app.TextLimited {
		// Acknowledged, so the carrier stops retrying; the texter is told.
		// Nothing of it is logged but the fact.
		h.log.Warn("text refused by a rate limit: too many reports from its number, or replies to its conversation, this hour")
	}
	h.log.Debug("text received", slog.String("outcome", string(outcome)))
	w.WriteHeader(http.StatusOK)
	return nil
}
