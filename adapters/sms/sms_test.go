package sms

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	plivo "github.com/plivo/plivo-go/v7"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/sms/plivotest"
	"github.com/whisper-schools/whisper/domain"
)

const (
	token   = "auth-token-for-tests"
	hookURL = "https://whisper.example.org/sms/plivo"
)

func flat(v url.Values) map[string]string {
	m := map[string]string{}
	for k := range v {
		m[k] = v.Get(k)
	}
	return m
}

func TestSignaturesMatchPlivoGo(t *testing.T) {
	cases := []url.Values{
		{"From": {"447700900123"}, "To": {"447700900000"}, "Text": {"OAK someone is hurting me"}, "MessageUUID": {"abc-123"}, "Type": {"sms"}},
		{"Text": {"ümlauts & symbols = + ?"}, "From": {"1"}},
		{},
	}
	for i, params := range cases {
		for _, u := range []string{hookURL, "https://whisper.example.org:8443/sms/plivo?tenant=a&x=1"} {
			nonce := fmt.Sprintf("nonce-%d", i)
			got, ok := signatureV3(token, u, nonce, params)
			require.True(t, ok)
			assert.Equal(t, plivo.ComputeSignatureV3(token, u, "POST", nonce, flat(params)), got, "case %d %s", i, u)
			v2, ok := signatureV2(token, u, nonce)
			require.True(t, ok)
			assert.Equal(t, plivo.ComputeSignatureV2(token, u, nonce), v2)
		}
	}
	_, ok := signatureV3(token, "::not a url", "n", nil)
	assert.False(t, ok, "a bad URL is refused, not a panic")
}

func signedRequest(t *testing.T, params url.Values, headers map[string]string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "http://internal-host:8080/sms/plivo", strings.NewReader(params.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	return r
}

// check is the check of a default configuration: V3 only.
var check = PlivoCheck{URL: hookURL, AuthToken: token}

func TestReadPlivo(t *testing.T) {
	params := url.Values{"From": {"447700900123"}, "To": {"447700900000"}, "Text": {"OAK hello"}, "MessageUUID": {"uuid-1"}}
	v3 := plivo.ComputeSignatureV3(token, hookURL, "POST", "n1", flat(params))
	v2 := plivo.ComputeSignatureV2(token, hookURL, "n2")
	cases := map[string]struct {
		headers map[string]string
		params  url.Values
		ok      bool
	}{
		"V3":                       {map[string]string{"X-Plivo-Signature-V3": v3, "X-Plivo-Signature-V3-Nonce": "n1"}, params, true},
		"Ma-V3":                    {map[string]string{"X-Plivo-Signature-Ma-V3": v3, "X-Plivo-Signature-V3-Nonce": "n1"}, params, true},
		"one of several":           {map[string]string{"X-Plivo-Signature-V3": "bogus," + v3, "X-Plivo-Signature-V3-Nonce": "n1"}, params, true},
		"V2 alone":                 {map[string]string{"X-Plivo-Signature-V2": v2, "X-Plivo-Signature-V2-Nonce": "n2"}, params, false},
		"no signature":             {nil, params, false},
		"wrong signature":          {map[string]string{"X-Plivo-Signature-V3": "AAAA", "X-Plivo-Signature-V3-Nonce": "n1"}, params, false},
		"text changed":             {map[string]string{"X-Plivo-Signature-V3": v3, "X-Plivo-Signature-V3-Nonce": "n1"}, url.Values{"From": {"447700900123"}, "To": {"447700900000"}, "Text": {"OAK evil"}, "MessageUUID": {"uuid-1"}}, false},
		"nonce changed":            {map[string]string{"X-Plivo-Signature-V3": v3, "X-Plivo-Signature-V3-Nonce": "n9"}, params, false},
		"V2 beside a bad V3":       {map[string]string{"X-Plivo-Signature-V3": "AAAA", "X-Plivo-Signature-V3-Nonce": "n1", "X-Plivo-Signature-V2": v2, "X-Plivo-Signature-V2-Nonce": "n2"}, params, false},
		"V3 without nonce":         {map[string]string{"X-Plivo-Signature-V3": v3}, params, false},
		"signed for another token": {map[string]string{"X-Plivo-Signature-V3": plivo.ComputeSignatureV3("other", hookURL, "POST", "n1", flat(params)), "X-Plivo-Signature-V3-Nonce": "n1"}, params, false},
	}
	for name, c := range cases {
		in, err := ReadPlivo(httptest.NewRecorder(), signedRequest(t, c.params, c.headers), check)
		if !c.ok {
			assert.ErrorIs(t, err, ErrBadSignature, name)
			continue
		}
		require.NoError(t, err, name)
		assert.Equal(t, Inbound{MessageUUID: "uuid-1", From: "447700900123", To: "447700900000", Text: "OAK hello", Nonce: in.Nonce}, in, name)
		assert.NotEmpty(t, in.Nonce, name)
	}

	// Signed over the public URL, not the Host the request arrived with.
	bad := plivo.ComputeSignatureV3(token, "http://internal-host:8080/sms/plivo", "POST", "n1", flat(params))
	_, err := ReadPlivo(httptest.NewRecorder(), signedRequest(t, params, map[string]string{"X-Plivo-Signature-V3": bad, "X-Plivo-Signature-V3-Nonce": "n1"}), check)
	assert.ErrorIs(t, err, ErrBadSignature)

	// Signed but incomplete.
	partial := url.Values{"Text": {"hi"}}
	sig := plivo.ComputeSignatureV3(token, hookURL, "POST", "n1", flat(partial))
	_, err = ReadPlivo(httptest.NewRecorder(), signedRequest(t, partial, map[string]string{"X-Plivo-Signature-V3": sig, "X-Plivo-Signature-V3-Nonce": "n1"}), check)
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err))
}

// With V2 accepted, a V2 signature alone is read, with its nonce; beside
// any V3 header it counts for nothing, so V3 cannot be downgraded.
func TestReadPlivoAcceptingV2(t *testing.T) {
	params := url.Values{"From": {"447700900123"}, "To": {"447700900000"}, "Text": {"OAK hello"}, "MessageUUID": {"uuid-1"}}
	v2 := plivo.ComputeSignatureV2(token, hookURL, "n2")
	lax := PlivoCheck{URL: hookURL, AuthToken: token, AcceptV2: true}
	for _, h := range []string{"X-Plivo-Signature-V2", "X-Plivo-Signature-Ma-V2"} {
		in, err := ReadPlivo(httptest.NewRecorder(), signedRequest(t, params, map[string]string{h: v2, "X-Plivo-Signature-V2-Nonce": "n2"}), lax)
		require.NoError(t, err, h)
		assert.Equal(t, "n2", in.Nonce, h)
	}
	_, err := ReadPlivo(httptest.NewRecorder(), signedRequest(t, params, map[string]string{
		"X-Plivo-Signature-V3": "AAAA", "X-Plivo-Signature-V3-Nonce": "n1", "X-Plivo-Signature-V2": v2, "X-Plivo-Signature-V2-Nonce": "n2"}), lax)
	assert.ErrorIs(t, err, ErrBadSignature, "V2 beside a bad V3")
	_, err = ReadPlivo(httptest.NewRecorder(), signedRequest(t, params, map[string]string{
		"X-Plivo-Signature-V2": plivo.ComputeSignatureV2(token, hookURL, "n3"), "X-Plivo-Signature-V2-Nonce": "n2"}), lax)
	assert.ErrorIs(t, err, ErrBadSignature, "V2 over another nonce")
}

func TestSegments(t *testing.T) {
	cases := []struct {
		text     string
		enc      Encoding
		segments int
	}{
		{"", GSM7, 0},
		{strings.Repeat("a", 160), GSM7, 1},
		{strings.Repeat("a", 161), GSM7, 2},
		{strings.Repeat("a", 306), GSM7, 2},
		{strings.Repeat("a", 307), GSM7, 3},
		{strings.Repeat("€", 80), GSM7, 1},
		{strings.Repeat("€", 81), GSM7, 2},
		{"Diolch – ŵ", UCS2, 1},
		{strings.Repeat("ŵ", 70), UCS2, 1},
		{strings.Repeat("ŵ", 71), UCS2, 2},
		{strings.Repeat("😀", 35), UCS2, 1},
		{strings.Repeat("😀", 36), UCS2, 2},
	}
	for _, c := range cases {
		enc, n := Segments(c.text)
		assert.Equal(t, c.enc, enc, c.text)
		assert.Equal(t, c.segments, n, c.text)
	}
}

func TestPlivoSender(t *testing.T) {
	stand := plivotest.Start(t, "MAID", "tok")
	p, err := NewPlivo(PlivoConfig{AuthID: "MAID", AuthToken: "tok", Number: "+447700900000", APIURL: stand.URL()})
	require.NoError(t, err)
	d := &domain.Delivery{ID: "dlv_1", Kind: domain.DeliveryReporterSMS, Channel: domain.DeliverySMS, To: "+447700900123", Body: "We are here to help."}
	require.NoError(t, p.Send(context.Background(), d))
	sent := stand.Sent()
	require.Len(t, sent, 1)
	assert.Equal(t, plivotest.Sent{Src: "+447700900000", Dst: "+447700900123", Text: "We are here to help.", Log: false}, sent[0])

	stand.FailNext(1)
	err = p.Send(context.Background(), d)
	assert.Equal(t, domain.KindUnavailable, domain.KindOf(err))
	assert.NotContains(t, err.Error(), "+447700900123")
	assert.NotContains(t, err.Error(), "We are here")

	bulk := *d
	bulk.To = "+447700900123<+447700900999"
	assert.Equal(t, domain.KindInvalid, domain.KindOf(p.Send(context.Background(), &bulk)))
	assert.Len(t, stand.Sent(), 1, "nothing else was sent")

	wrong, err := NewPlivo(PlivoConfig{AuthID: "MAID", AuthToken: "nope", Number: "+447700900000", APIURL: stand.URL()})
	require.NoError(t, err)
	assert.Equal(t, domain.KindUnavailable, domain.KindOf(wrong.Send(context.Background(), d)))
}

func TestPlivoWithoutAMessageIDFails(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) }))
	defer srv.Close()
	p, err := NewPlivo(PlivoConfig{AuthID: "MAID", AuthToken: "tok", Number: "+447700900000", APIURL: srv.URL})
	require.NoError(t, err)
	err = p.Send(context.Background(), &domain.Delivery{Kind: domain.DeliveryReporterSMS, Channel: domain.DeliverySMS, To: "+447700900123", Body: "hi"})
	assert.Equal(t, domain.KindUnavailable, domain.KindOf(err), "an empty answer is not success")
}

func TestComposeAndLog(t *testing.T) {
	link := &domain.Delivery{ID: "dlv_2", Kind: domain.DeliveryReporterLink, Channel: domain.DeliverySMS, To: "+447700900123", Link: "https://w.example/t/SECRET"}
	text, err := Compose(link)
	require.NoError(t, err)
	assert.Contains(t, text, "https://w.example/t/SECRET")
	help, err := Compose(&domain.Delivery{Kind: domain.DeliverySMSHelp, Channel: domain.DeliverySMS})
	require.NoError(t, err)
	assert.NotContains(t, help, "OAK")
	_, err = Compose(&domain.Delivery{Kind: domain.DeliveryReporterSMS, Channel: domain.DeliverySMS, Body: strings.Repeat("a", MaxLength+1)})
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err))
	_, err = Compose(&domain.Delivery{Kind: domain.DeliveryReporterLink, Channel: domain.DeliveryEmail})
	assert.Error(t, err)

	var buf bytes.Buffer
	require.NoError(t, NewLog(slog.New(slog.NewJSONHandler(&buf, nil))).Send(context.Background(), link))
	assert.Contains(t, buf.String(), `"segments":`)
	assert.NotContains(t, buf.String(), "447700900123")
	assert.NotContains(t, buf.String(), "SECRET")
}
