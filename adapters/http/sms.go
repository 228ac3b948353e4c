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
	if !s.perNumber.take(in.From) {
		// A flood from one number: acknowledged, so the carrier stops
		// retrying, and dropped. Nothing of it is logged but the fact.
		s.log.Warn("text dropped: too many from one number this hour")
		w.WriteHeader(nethttp.StatusOK)
		return nil
	}
	outcome, err := s.app.ReceiveText(r.Context(), app.InboundText{MessageUUID: in.MessageUUID, From: in.From, Text: in.Text, Nonce: in.Nonce})
	if err != nil || outcome == app.TextDuplicate {
		// A refused or repeated text takes no place in the number's limit.
		s.perNumber.release(in.From)
	}
	if err != nil {
		return err
	}
	s.log.Debug("text received", slog.String("outcome", string(outcome)))
	w.WriteHeader(nethttp.StatusOK)
	return nil
}
