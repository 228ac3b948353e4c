package http_test

import (
	"fmt"
	"io"
	"log/slog"
	nethttp "net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	plivo "github.com/plivo/plivo-go/v7"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	httpadapter "github.com/whisper-schools/whisper/adapters/http"
	"github.com/whisper-schools/whisper/adapters/sms"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/ports"
)

// plivoToken is the auth token the test carrier signs with.
const plivoToken = "plivo-auth-token-for-tests"

// carrierSite is a site whose SMS webhook is on: the same app, store and
// clock behind a web edge configured with a Plivo auth token.
type carrierSite struct {
	*site
	hook   *httptest.Server
	nonces atomic.Int64
}

func newCarrierSite(t *testing.T, acceptV2 bool) *carrierSite {
	t.Helper()
	s := newSite(t, siteOptions{})
	h, err := httpadapter.New(httpadapter.Config{
		PublicURL: s.publicURL, SMSWebhook: smsWebhook(s.publicURL, plivoToken, acceptV2, s.svc), Now: s.clock.Now,
	}, s.svc, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	hook := httptest.NewServer(h)
	t.Cleanup(hook.Close)
	return &carrierSite{site: s, hook: hook}
}

// smsWebhook is the SMS adapter's Plivo webhook as whisperd mounts it, or
// none when token is empty: SMS off.
func smsWebhook(publicURL, token string, acceptV2 bool, svc *app.App) httpadapter.Webhook {
	if token == "" {
		return nil
	}
	return sms.NewPlivoWebhook(sms.PlivoCheck{URL: publicURL + sms.PlivoPath, AuthToken: token, AcceptV2: acceptV2},
		svc.Reporting, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// webhook is one signed request as Plivo sends it, kept so that it can be
// sent again exactly as an attacker who captured it would.
type webhook struct {
	form    url.Values
	headers map[string]string
}

// signedV3 is a webhook for a text, signed with V3 over the public URL
// and a fresh nonce.
func (c *carrierSite) signedV3(uuid, from, text string) webhook {
	form := url.Values{"MessageUUID": {uuid}, "From": {from}, "To": {"447700900000"}, "Text": {text}, "Type": {"sms"}}
	nonce := fmt.Sprintf("nonce-v3-%d", c.nonces.Add(1))
	sig := plivo.ComputeSignatureV3(plivoToken, c.publicURL+"/sms/plivo", "POST", nonce, flatForm(form))
	return webhook{form: form, headers: map[string]string{"X-Plivo-Signature-V3": sig, "X-Plivo-Signature-V3-Nonce": nonce}}
}

// signedV2 is the same, signed correctly with Plivo's older V2 scheme.
func (c *carrierSite) signedV2(uuid, from, text string) webhook {
	form := url.Values{"MessageUUID": {uuid}, "From": {from}, "To": {"447700900000"}, "Text": {text}, "Type": {"sms"}}
	nonce := fmt.Sprintf("nonce-v2-%d", c.nonces.Add(1))
	sig := plivo.ComputeSignatureV2(plivoToken, c.publicURL+"/sms/plivo", nonce)
	return webhook{form: form, headers: map[string]string{"X-Plivo-Signature-V2": sig, "X-Plivo-Signature-V2-Nonce": nonce}}
}

func flatForm(v url.Values) map[string]string {
	m := map[string]string{}
	for k := range v {
		m[k] = v.Get(k)
	}
	return m
}

// send posts w to the webhook and returns the status.
func (c *carrierSite) send(w webhook) int {
	c.t.Helper()
	req, err := nethttp.NewRequest(nethttp.MethodPost, c.hook.URL+"/sms/plivo", strings.NewReader(w.form.Encode()))
	require.NoError(c.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range w.headers {
		req.Header.Set(k, v)
	}
	resp, err := c.client.Do(req)
	require.NoError(c.t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// deliveries counts the outbox: every mail and text the service will send.
func (c *carrierSite) deliveries() int {
	c.t.Helper()
	var n int
	require.NoError(c.t, c.store.View(ctx, func(tx ports.Tx) error {
		ds, err := tx.Outbox().List(ctx, ports.OutboxFilter{})
		n = len(ds)
		return err
	}))
	return n
}

// messages counts the messages of every report of the site's organisation.
func (c *carrierSite) messages() int {
	c.t.Helper()
	n := 0
	require.NoError(c.t, c.store.View(ctx, func(tx ports.Tx) error {
		for _, ia := range c.interactions() {
			ms, err := tx.Messages().List(ctx, ia.ID)
			if err != nil {
				return err
			}
			n += len(ms)
		}
		return nil
	}))
	return n
}

// housekeep runs the housekeeping the retention sweep runs.
func (c *carrierSite) housekeep() {
	c.t.Helper()
	_, err := c.svc.Operations.Housekeep(ctx)
	require.NoError(c.t, err)
}

// A webhook signed correctly with V2, which does not sign the message, is
// refused unless the operator has said the account can send nothing
// better: an attacker who saw one V2 request could otherwise attach any
// text to its nonce.
func TestPlivoWebhookRefusesV2UnlessAccepted(t *testing.T) {
	c := newCarrierSite(t, false)
	assert.Equal(t, nethttp.StatusForbidden, c.send(c.signedV2("uuid-v2", "447700900123", "OAK someone hit me")), "V2 by default")
	assert.Empty(t, c.interactions(), "nothing stored")
	assert.Zero(t, c.deliveries(), "nothing sent")
	assert.Equal(t, nethttp.StatusOK, c.send(c.signedV3("uuid-v3", "447700900123", "OAK someone hit me")), "V3")
	assert.Len(t, c.interactions(), 1)

	lax := newCarrierSite(t, true)
	assert.Equal(t, nethttp.StatusOK, lax.send(lax.signedV2("uuid-v2", "447700900123", "OAK someone hit me")), "V2 when accepted")
	assert.Len(t, lax.interactions(), 1)
	// Accepting V2 is no downgrade: beside a V3 header, V2 counts for nothing.
	both := lax.signedV2("uuid-both", "447700900123", "OAK forged")
	both.headers["X-Plivo-Signature-V3"], both.headers["X-Plivo-Signature-V3-Nonce"] = "AAAA", "nonce-bad"
	assert.Equal(t, nethttp.StatusForbidden, lax.send(both))
	assert.Len(t, lax.interactions(), 1)
}
