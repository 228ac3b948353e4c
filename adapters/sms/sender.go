package sms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	plivo "github.com/plivo/plivo-go/v7"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

var (
	_ ports.SMSSender = (*Plivo)(nil)
	_ ports.SMSSender = (*Log)(nil)
)

// PlivoConfig is the Plivo account Whisper sends from.
type PlivoConfig struct {
	AuthID    string
	AuthToken string
	// Number is the service's number, which texters write to and replies
	// come from.
	Number string
	// APIURL is Plivo's API base, overridable for tests.
	APIURL  string
	Timeout time.Duration
}

// Plivo sends texts through Plivo's API with plivo-go.
type Plivo struct {
	client *plivo.Client
	number string
}

// NewPlivo returns a sender for the account in cfg.
func NewPlivo(cfg PlivoConfig) (*Plivo, error) {
	if cfg.AuthID == "" || cfg.AuthToken == "" || cfg.Number == "" {
		return nil, errors.New("sms: plivo needs an auth id, an auth token and a number")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	// plivo-go panics without options, and takes no context: its HTTP
	// client's timeout is what bounds a send.
	client, err := plivo.NewClient(cfg.AuthID, cfg.AuthToken, &plivo.ClientOptions{HttpClient: &http.Client{Timeout: cfg.Timeout}})
	if err != nil {
		return nil, fmt.Errorf("sms: %w", err)
	}
	if cfg.APIURL != "" {
		u, err := url.Parse(cfg.APIURL)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, errors.New("sms: sms.plivo.api_url is not an absolute URL")
		}
		client.BaseUrl = u
	}
	return &Plivo{client: client, number: cfg.Number}, nil
}

// Send texts d. Plivo is asked not to log the text or the whole number
// (Log: false), which it otherwise keeps for days. An answer without a
// message id is a failure, since plivo-go reports some failures as none.
func (p *Plivo) Send(ctx context.Context, d *domain.Delivery) error {
	text, err := Compose(d)
	if err != nil {
		return err
	}
	// "<" separates numbers in a bulk send: never let one through.
	if d.To == "" || strings.ContainsAny(d.To, "<, ") {
		return &domain.Error{Kind: domain.KindInvalid, Safe: domain.Say("the recipient's number is not usable")}
	}
	if err := ctx.Err(); err != nil {
		return &domain.Error{Kind: domain.KindUnavailable, Err: err}
	}
	resp, err := p.client.Messages.Create(plivo.MessageCreateParams{Src: p.number, Dst: d.To, Text: text, Log: false})
	if err != nil {
		return &domain.Error{Kind: domain.KindUnavailable, Safe: domain.Say("the carrier did not accept the text"), Err: redact(err, d.To, text)}
	}
	if resp == nil || len(resp.MessageUUID) == 0 || resp.MessageUUID[0] == "" {
		return &domain.Error{Kind: domain.KindUnavailable, Safe: domain.Say("the carrier gave no message id")}
	}
	return nil
}

// redact keeps the number and text out of an error, which plivo-go builds
// from the API's answer and which may quote the request back.
func redact(err error, values ...string) error {
	msg := err.Error()
	for _, v := range values {
		if v != "" {
			msg = strings.ReplaceAll(msg, v, "[redacted]")
		}
	}
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	return errors.New(msg)
}

// Log is the development sender: it sends nothing and writes one line per
// text, without the number or the words.
type Log struct{ log *slog.Logger }

// NewLog returns a sender that writes to log.
func NewLog(log *slog.Logger) *Log { return &Log{log: log} }

// Send logs a summary of d.
func (l *Log) Send(_ context.Context, d *domain.Delivery) error {
	text, err := Compose(d)
	if err != nil {
		return err
	}
	enc, segments := Segments(text)
	l.log.Info("text not sent (sms.driver is log)", slog.String("delivery", string(d.ID)),
		slog.String("kind", string(d.Kind)), slog.String("encoding", string(enc)), slog.Int("segments", segments))
	return nil
}
