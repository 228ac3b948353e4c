package http

import (
	"log/slog"
	nethttp "net/http"

	"github.com/whisper-schools/whisper/adapters/sms"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// plivoWebhook takes an inbound text from Plivo. The signature is checked
// before anything else is believed; the text is then handled in one
// transaction, and answered 200 with an empty body as soon as it is stored —
// replies go out through the outbox, never in this response, so the carrier
// is never kept waiting on another service.
func (s *Server) plivoWebhook(w nethttp.ResponseWriter, r *nethttp.Request) error {
	if s.cfg.PlivoAuthToken == "" {
		return &domain.Error{Kind: domain.KindNotFound, Safe: "SMS is not configured"}
	}
	in, err := sms.ReadPlivo(w, r, sms.PlivoCheck{URL: s.cfg.PublicURL + "/sms/plivo", AuthToken: s.cfg.PlivoAuthToken, AcceptV2: s.cfg.PlivoAcceptV2})
	if err != nil {
		return err
	}
	// The number's limit counts the reports it opens, in the use case:
	// a text continuing a conversation is never held back by it.
	outcome, err := s.app.ReceiveText(r.Context(), app.InboundText{MessageUUID: in.MessageUUID, From: in.From, Text: in.Text, Nonce: in.Nonce})
	if err != nil {
		return err
	}
	if outcome == app.TextLimited {
		// Acknowledged, so the carrier stops retrying; the texter is told.
		// Nothing of it is logged but the fact.
		s.log.Warn("text refused by a rate limit: too many reports from its number, or replies to its conversation, this hour")
	}
	s.log.Debug("text received", slog.String("outcome", string(outcome)))
	w.WriteHeader(nethttp.StatusOK)
	return nil
}
