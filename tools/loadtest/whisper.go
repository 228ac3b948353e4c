package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	plivo "github.com/plivo/plivo-go/v7"

	httpadapter "github.com/whisper-schools/whisper/adapters/http"
	"github.com/whisper-schools/whisper/adapters/passhash"
	"github.com/whisper-schools/whisper/adapters/sms"
	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/adapters/store/seal"
	"github.com/whisper-schools/whisper/adapters/swearing"
	"github.com/whisper-schools/whisper/app"
)

// The webhook URL signatures are computed over, and the token.
const (
	publicURL  = "https://whisper.example.org"
	plivoToken = "loadtest-plivo-token"
)

// whisperServer is the real web edge over the real app and store, with a
// form BENCH of one inbox, and the rate limits on as whisperd's defaults
// set them, but for the form's: a form of a busy school takes 600 reports
// an hour, and the load tool sends thousands a second. Each web report
// comes from an address of its own, told by a trusted proxy's
// X-Forwarded-For, and each text from a number of its own, so every report
// takes its places in the limits, a new key each, as real reporters do.
type whisperServer struct {
	url   string
	close func()
}

// startWhisper serves Whisper on the store at dbURL, sealed with key: an
// existing database's data key, or nil for a new one.
func startWhisper(ctx context.Context, dbURL string, key []byte) (*whisperServer, error) {
	if key == nil {
		key = make([]byte, seal.KeySize)
		rand.Read(key)
	}
	st, err := openStore(ctx, dbURL, key)
	if err != nil {
		return nil, err
	}
	limits := app.Limits{ReportsPerIP: 30, ReportsPerForm: 1 << 30, TextsPerNumber: 30, RepliesPerConversation: 20}
	svc := app.New(app.Deps{Store: st, Clock: app.SystemClock{}, Random: rand.Reader,
		Hasher: passhash.New(passhash.DefaultParams(), 0), Swearing: swearing.New(), PublicURL: publicURL,
		IntakeCacheFor: app.IntakeCacheFor, Limits: limits})
	org, err := svc.Operations.CreateOrganisation(ctx, app.CreateOrganisation{Name: "Load Test Academy"})
	if err != nil {
		st.Close()
		return nil, err
	}
	if _, err := svc.Operations.CreateForm(ctx, app.CreateForm{OrgID: org.ID, Name: "Load Test Academy", Code: "BENCH"}); err != nil {
		st.Close()
		return nil, err
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	hook := sms.NewPlivoWebhook(sms.PlivoCheck{URL: publicURL + sms.PlivoPath, AuthToken: plivoToken}, svc.Reporting, quiet)
	h, err := httpadapter.New(httpadapter.Config{PublicURL: publicURL, SMSWebhook: hook,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, svc, quiet)
	if err != nil {
		st.Close()
		return nil, err
	}
	u, stop, err := serve(h)
	if err != nil {
		st.Close()
		return nil, err
	}
	return &whisperServer{url: u, close: func() { stop(); st.Close() }}, nil
}

// webRequest posts a report with a message of the given size, the nth
// from an address of its own (see whisperServer; the ceiling ignores it).
func webRequest(target string, messageBytes int) func(int) (*http.Request, error) {
	body := url.Values{"name": {""}, "email": {""}, "message": {message(messageBytes)}}.Encode()
	return func(n int) (*http.Request, error) {
		req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", n>>16&0xff, n>>8&0xff, n&0xff))
		return req, nil
	}
}

// smsRequest is a first text with the form's code from a new number each
// time, signed with a fresh nonce: the heaviest path, which opens an
// interaction and queues the reply.
func smsRequest(target string, messageBytes int) func(int) (*http.Request, error) {
	text := "BENCH " + message(min(messageBytes, 1500))
	return func(n int) (*http.Request, error) {
		form := url.Values{
			"MessageUUID": {fmt.Sprintf("load-%d-%d", time.Now().UnixNano(), n)},
			"From":        {fmt.Sprintf("4477%08d", n)},
			"To":          {"447700900000"},
			"Text":        {text},
		}
		params := map[string]string{}
		for k := range form {
			params[k] = form.Get(k)
		}
		nonce := fmt.Sprintf("nonce-%d-%d", time.Now().UnixNano(), n)
		req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Plivo-Signature-V3", plivo.ComputeSignatureV3(plivoToken, publicURL+sms.PlivoPath, "POST", nonce, params))
		req.Header.Set("X-Plivo-Signature-V3-Nonce", nonce)
		return req, nil
	}
}

var (
	webReports = scenario{
		name: "Web report submission", key: "web", minThroughput: 0.8, maxP99: 1.5,
		ceiling: ceilingWeb,
		whisper: func(w *whisperServer, n int) (side, error) {
			return side{name: "whisper", url: w.url, request: webRequest(w.url+"/r/BENCH", n), want: http.StatusSeeOther}, nil
		},
	}
	smsWebhook = scenario{
		name: "Signed SMS webhook", key: "sms", minThroughput: 0.7,
		ceiling: ceilingSMS,
		whisper: func(w *whisperServer, n int) (side, error) {
			return side{name: "whisper", url: w.url, request: smsRequest(w.url+sms.PlivoPath, n), want: http.StatusOK}, nil
		},
	}
)

// openStore opens and migrates the store at dbURL, sealed with key.
func openStore(ctx context.Context, dbURL string, key []byte) (*store.Store, error) {
	keys, err := seal.New(key)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, dbURL, keys)
	if err != nil {
		return nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}
