// Package sms is Whisper's SMS edge: it checks and reads Plivo's inbound
// webhooks and sends texts through Plivo's API (or, in development, to the
// log), counting segments as carriers bill them.
package sms

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/whisper-schools/whisper/domain"
)

// Inbound is one text as the carrier handed it over.
type Inbound struct {
	// MessageUUID is the carrier's id for the text; the same text delivered
	// twice has the same id.
	MessageUUID string
	From        string // sensitive: the texter's number
	To          string
	Text        string // sensitive
	// Nonce is the signature's nonce; a nonce seen before is a replay.
	Nonce string
}

// ErrBadSignature is returned for a webhook whose signature is missing or
// wrong: nothing in it may be believed.
var ErrBadSignature = &domain.Error{Kind: domain.KindForbidden, Safe: "bad or missing signature"}

// maxWebhookBytes bounds a webhook body; an SMS of 1,600 characters with
// Plivo's other fields fits many times over.
const maxWebhookBytes = 64 << 10

// ReadPlivo checks a Plivo webhook's signature against webhookURL — the
// public URL of the route as configured, never the request's Host header,
// which an attacker controls — and returns the text. It reads the V3 (or
// Ma-V3) signature, and the V2 one only when no V3 header is present.
func ReadPlivo(w http.ResponseWriter, r *http.Request, webhookURL, authToken string) (Inbound, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxWebhookBytes)
	if err := r.ParseForm(); err != nil {
		return Inbound{}, domain.Errorf(domain.KindInvalid, "the webhook body could not be read")
	}
	params := r.PostForm
	if !verified(r.Header, webhookURL, authToken, params) {
		return Inbound{}, ErrBadSignature
	}
	in := Inbound{
		MessageUUID: strings.TrimSpace(params.Get("MessageUUID")),
		From:        strings.TrimSpace(params.Get("From")),
		To:          strings.TrimSpace(params.Get("To")),
		Text:        params.Get("Text"),
		Nonce:       nonceOf(r.Header),
	}
	if in.MessageUUID == "" || in.From == "" {
		return Inbound{}, domain.Errorf(domain.KindInvalid, "the webhook has no MessageUUID or From")
	}
	if len(in.MessageUUID) > 100 || len(in.From) > 32 || len(in.To) > 32 {
		return Inbound{}, domain.Errorf(domain.KindInvalid, "the webhook's fields are malformed")
	}
	return in, nil
}

func nonceOf(h http.Header) string {
	if n := h.Get("X-Plivo-Signature-V3-Nonce"); n != "" {
		return n
	}
	return h.Get("X-Plivo-Signature-V2-Nonce")
}

func verified(h http.Header, webhookURL, authToken string, params url.Values) bool {
	if authToken == "" {
		return false
	}
	v3, maV3 := h.Get("X-Plivo-Signature-V3"), h.Get("X-Plivo-Signature-Ma-V3")
	if v3 != "" || maV3 != "" {
		nonce := h.Get("X-Plivo-Signature-V3-Nonce")
		want, ok := signatureV3(authToken, webhookURL, nonce, params)
		return ok && nonce != "" && (matches(v3, want) || matches(maV3, want))
	}
	v2, maV2 := h.Get("X-Plivo-Signature-V2"), h.Get("X-Plivo-Signature-Ma-V2")
	nonce := h.Get("X-Plivo-Signature-V2-Nonce")
	want, ok := signatureV2(authToken, webhookURL, nonce)
	return ok && nonce != "" && (matches(v2, want) || matches(maV2, want))
}
