package sms

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"sort"
	"strings"
)

// signatureV3 computes Plivo's V3 signature of a POST to webhookURL with the
// given form parameters: HMAC-SHA256 under the auth token of the URL
// (scheme, host, path), then "?" and the parameters as sorted name+value
// pairs (with the URL's own query, if any, first as sorted k=v&k=v and a
// "."), then "." and the nonce; base64. It is written here rather than
// taken from plivo-go, whose helpers panic on a bad URL and compare
// signatures in variable time; the tests check it against plivo-go.
func signatureV3(authToken, webhookURL, nonce string, params url.Values) (string, bool) {
	u, err := url.Parse(webhookURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", false
	}
	var b strings.Builder
	b.WriteString(u.Scheme + "://" + u.Host + u.Path)
	post := sortedPairs(params, false)
	if u.RawQuery != "" || post != "" {
		b.WriteByte('?')
	}
	if u.RawQuery != "" {
		b.WriteString(sortedPairs(u.Query(), true))
		if post != "" {
			b.WriteByte('.')
			b.WriteString(post)
		}
	} else {
		b.WriteString(post)
	}
	b.WriteString("." + nonce)
	return sign(authToken, b.String()), true
}

// signatureV2 is Plivo's older scheme, which signs only the URL and the
// nonce, not the body: accepted only when the operator allows it
// (PlivoCheck.AcceptV2), and then only from a request that carries no V3
// header at all, so V3 can never be downgraded.
func signatureV2(authToken, webhookURL, nonce string) (string, bool) {
	u, err := url.Parse(webhookURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", false
	}
	return sign(authToken, u.Scheme+"://"+u.Host+u.Path+nonce), true
}

func sign(key, msg string) string {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(msg))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// sortedPairs joins the first value of each parameter, sorted by name,
// as k=v&k=v (query) or kv (body), as Plivo does; repeated names keep their
// first value, as Plivo's own helpers do.
func sortedPairs(params url.Values, query bool) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		v := params.Get(k)
		if query {
			if i > 0 {
				b.WriteByte('&')
			}
			b.WriteString(k + "=" + v)
		} else {
			b.WriteString(k + v)
		}
	}
	return b.String()
}

// matches reports whether any of the comma-separated signatures in header
// equals want, comparing in constant time.
func matches(header, want string) bool {
	ok := false
	for _, got := range strings.Split(header, ",") {
		if hmac.Equal([]byte(strings.TrimSpace(got)), []byte(want)) {
			ok = true
		}
	}
	return ok
}
