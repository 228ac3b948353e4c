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
var ErrBadSignature = &domain.Error{Kind: domain.KindForbidden, Safe: domain.Say("bad or missing signature")}

// maxWebhookBytes bounds a webhook body; an SMS of 1,600 characters with
// Plivo's other fields fits many times over.
const maxWebhookBytes = 64 << 10

// PlivoCheck is what a Plivo webhook's signature is checked against.
type PlivoCheck struct {
	// URL is the public URL of the route as configured, never the
	// request's Host header, which an attacker controls.
	URL       string
	AuthToken string
	// AcceptV2 lets in a request signed only with Plivo's older V2 scheme,
	// for accounts that cannot send V3. V2 signs the URL and the nonce but
	// not the message, so whoever sees one V2 request can attach any text
	// to its nonce; off, the default, a V2 request is refused however well
	// signed.
	AcceptV2 bool
}

// ReadPlivo checks a Plivo webhook's signature as c says and returns the
// text. It reads the V3 (or Ma-V3) signature, and the V2 one only when c
// accepts V2 and no V3 header is present, so that a V3 request can never
// be downgraded.
func ReadPlivo(w http.ResponseWriter, r *http.Request, c PlivoCheck) (Inbound, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxWebhookBytes)
	if err := r.ParseForm(); err != nil {
		return Inbound{}, domain.Errorf(domain.KindInvalid, "the webhook body could not be read")
	}
	params := r.PostForm
	nonce, ok := c.verified(r.Header, params)
	if !ok {
		return Inbound{}, ErrBadSignature
	}
	in := Inbound{
		MessageUUID: strings.TrimSpace(params.Get("MessageUUID")),
		From:        strings.TrimSpace(params.Get("From")),
		To:          strings.TrimSpace(params.Get("To")),
		Text:        params.Get("Text"),
		Nonce:       nonce,
	}
	if in.MessageUUID == "" || in.From == "" {
		return Inbound{}, domain.Errorf(domain.KindInvalid, "the webhook has no MessageUUID or From")
	}
	if len(in.MessageUUID) > 100 || len(in.From) > 32 || len(in.To) > 32 {
		return Inbound{}, domain.Errorf(domain.KindInvalid, "the webhook's fields are malformed")
	}
	return in, nil
}

// verified checks the request's signature and returns the nonce it was
// signed with.
func (c PlivoCheck) verified(h http.Header, params url.Values) (nonce string, ok bool) {
	if c.AuthToken == "" {
		return "", false
	}
	v3, maV3 := h.Get("X-Plivo-Signature-V3"), h.Get("X-Plivo-Signature-Ma-V3")
	if v3 != "" || maV3 != "" {
		nonce := h.Get("X-Plivo-Signature-V3-Nonce")
		want, ok := signatureV3(c.AuthToken, c.URL, nonce, params)
		return nonce, ok && nonce != "" && (matches(v3, want) || matches(maV3, want))
	}
	if !c.AcceptV2 {
		return "", false
	}
	v2, maV2 := h.Get("X-Plivo-Signature-V2"), h.Get("X-Plivo-Signature-Ma-V2")
	nonce = h.Get("X-Plivo-Signature-V2-Nonce")
	want, ok := signatureV2(c.AuthToken, c.URL, nonce)
	return nonce, ok && nonce != "" && (matches(v2, want) || matches(maV2, want))
}
