package main

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	plivo "github.com/plivo/plivo-go/v7"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	httpadapter "github.com/whisper-schools/whisper/adapters/http"
	"github.com/whisper-schools/whisper/adapters/sms"
	"github.com/whisper-schools/whisper/domain"
)

const plivoToken = "plivo-auth-token-for-tests"

// edge is the web edge and Plivo webhook whisperd serves, over the
// database whisperctl works on. It believes X-Forwarded-For from loopback,
// so that each request can come from the address a test names.
type edge struct {
	t      *testing.T
	srv    *httptest.Server
	pupils *reporters
	school school
	nonces int
}

func (c operator) edge(s school) *edge {
	c.t.Helper()
	pupils := c.reporters(s.Code)
	public := c.env["WHISPER_PUBLIC_URL"]
	hook := sms.NewPlivoWebhook(sms.PlivoCheck{URL: public + sms.PlivoPath, AuthToken: plivoToken},
		pupils.svc.Reporting, slog.New(slog.DiscardHandler))
	h, err := httpadapter.New(httpadapter.Config{
		PublicURL: public, SMSWebhook: hook, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
	}, pupils.svc, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(c.t, err)
	srv := httptest.NewServer(h)
	c.t.Cleanup(srv.Close)
	return &edge{t: c.t, srv: srv, pupils: pupils, school: s}
}

// report posts the web form from ip and returns the status: 303 taken, 403
// refused.
func (e *edge) report(ip, email, message string) int {
	e.t.Helper()
	form := url.Values{"message": {message}, "category": {e.school.InboxID}, "email": {email}}
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/r/"+e.school.Code, strings.NewReader(form.Encode()))
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", ip)
	return e.do(req)
}

// text sends a text through the webhook, signed as Plivo signs it.
func (e *edge) text(from, text string) int {
	e.t.Helper()
	e.nonces++
	form := url.Values{"MessageUUID": {fmt.Sprintf("uuid-%d", e.nonces)}, "From": {from}, "To": {"447700900000"}, "Text": {text}, "Type": {"sms"}}
	flat := map[string]string{}
	for k := range form {
		flat[k] = form.Get(k)
	}
	nonce := fmt.Sprintf("nonce-%d", e.nonces)
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+sms.PlivoPath, strings.NewReader(form.Encode()))
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Plivo-Signature-V3", plivo.ComputeSignatureV3(plivoToken, "https://whisper.example.org"+sms.PlivoPath, "POST", nonce, flat))
	req.Header.Set("X-Plivo-Signature-V3-Nonce", nonce)
	return e.do(req)
}

func (e *edge) do(req *http.Request) int {
	e.t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	require.NoError(e.t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// refsOf are the references of a reporter's interactions, found as an
// operator would: by a subject access request.
func (c operator) refsOf(flag, value string) []string {
	c.t.Helper()
	var found dsarJSON
	c.ok(&found, "dsar", "--reason", "finding the reporter to block", flag, value)
	var refs []string
	for _, ia := range found.Interactions {
		refs = append(refs, ia.Ref)
	}
	return refs
}

// blocksInForce are the blocks in force by reference and kind.
func (c operator) blocksInForce(args ...string) []string {
	c.t.Helper()
	var list []blockJSON
	c.ok(&list, append([]string{"block", "list"}, args...)...)
	var out []string
	for _, b := range list {
		out = append(out, b.Ref+" "+b.Kind)
	}
	return out
}

// A block by reference stops the person — their email address, their
// phone number — and not the school's shared IP address, unless the
// operator asks with --ip, is warned, and the IP block then ends after 7
// days.
func TestBlocksHitThePersonNotTheSchool(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		s := c.school()
		web := c.edge(s)
		const schoolIP, troll, phone = "192.0.2.10", "troll@example.org", "447700900123"
		require.Equal(t, http.StatusSeeOther, web.report(schoolIP, troll, "You are all useless."))
		require.Equal(t, http.StatusOK, web.text(phone, s.Code+" you are all useless"))
		webRef, textRef := c.refsOf("--email", troll)[0], c.refsOf("--phone", phone)[0]

		r := c.run("", "block", "--ref", webRef, "--reason", "abusive reports")
		require.Equal(t, 0, r.code, r.stderr)
		assert.Empty(t, r.stderr, "no warning without --ip")
		assert.Contains(t, r.stdout, "their email address until unblocked")
		assert.NotContains(t, r.stdout, "IP address")
		assert.Equal(t, http.StatusSeeOther, web.report(schoolIP, "", "Someone in my class is being hit."),
			"another pupil behind the school's address still reports")
		assert.Equal(t, http.StatusForbidden, web.report("203.0.113.9", "Troll@Example.org", "Again."), "the same email, from anywhere")

		var texter blockedJSON
		c.ok(&texter, "block", "--ref", textRef, "--reason", "abusive texts")
		require.Len(t, texter.Blocks, 1)
		assert.Equal(t, "phone", texter.Blocks[0].Kind)
		assert.Nil(t, texter.Blocks[0].ExpiresAt)
		assert.Equal(t, http.StatusOK, web.text(phone, s.Code+" again"))
		assert.Len(t, c.refsOf("--phone", phone), 1, "the blocked number opened nothing")

		assert.Equal(t, []string{webRef + " email", textRef + " phone"}, c.blocksInForce())

		r = c.run("", "block", "--ref", webRef, "--reason", "reports from every address in the school", "--ip")
		require.Equal(t, 0, r.code, r.stderr)
		assert.Contains(t, r.stderr, "whisperctl: warning: a school often reaches the internet through one shared IP address, so every pupil behind it is blocked too")
		week := time.Now().UTC().AddDate(0, 0, 7)
		assert.Contains(t, r.stderr, "until "+week.Format("2006-01-02"))
		assert.Contains(t, r.stdout, "an IP address until "+week.Format("2006-01-02"))
		assert.Equal(t, http.StatusForbidden, web.report(schoolIP, "", "My friend is being hurt."), "now the whole school is blocked")

		var list []blockJSON
		c.ok(&list, "block", "list")
		require.Len(t, list, 4)
		var ip blockJSON
		for _, b := range list {
			if b.Kind == "ip" {
				ip = b
			}
		}
		assert.Equal(t, []string{webRef, "ip", "reports from every address in the school"}, []string{ip.Ref, ip.Kind, ip.Reason})
		require.NotNil(t, ip.ExpiresAt)
		assert.WithinDuration(t, week, *ip.ExpiresAt, time.Minute)
		text := c.run("", "block", "list")
		require.Equal(t, 0, text.code, text.stderr)
		for _, want := range []string{"ID", "REF", "KIND", "EXPIRES", "REASON", webRef, textRef, "until unblocked", "abusive texts", week.Format("2006-01-02")} {
			assert.Contains(t, text.stdout, want)
		}
		raw := c.run("", "block", "list", "--json").stdout + text.stdout
		for _, secret := range []string{troll, "447700900123", "07700 900123", schoolIP} {
			assert.NotContains(t, raw, secret, "a list of blocks never shows what is blocked")
		}

		after := week.Add(time.Hour).Format(time.RFC3339)
		assert.ElementsMatch(t, []string{webRef + " email", textRef + " phone", webRef + " email"}, c.blocksInForce("--as-of", after),
			"the IP block ends after 7 days; the others do not")
		web.pupils.clock.at = week.Add(time.Hour)
		assert.Equal(t, http.StatusSeeOther, web.report(schoolIP, "", "Someone is hurting me."), "a week on, the school's address reports again")
		assert.Equal(t, http.StatusForbidden, web.report(schoolIP, troll, "Still here."))

		var unblocked actJSON
		c.ok(&unblocked, "unblock", "--ref", webRef, "--reason", "appeal upheld")
		assert.Equal(t, 3, *unblocked.Lifted)
		assert.Equal(t, []string{textRef + " phone"}, c.blocksInForce(), "a lifted block is not in force")

		r = c.run("", "block", "--ref", textRef, "--reason", "r", "--ip", "--days", "30")
		require.Equal(t, 0, r.code, r.stderr)
		assert.Contains(t, r.stderr, "--ip blocked no IP address", "a texter has none")
		assert.Contains(t, r.stdout, "their phone number until "+time.Now().UTC().AddDate(0, 0, 30).Format("2006-01-02"))

		for _, e := range c.auditLog() {
			if e.Action == domain.AuditBlock && e.Ref == webRef {
				assert.NotContains(t, fmt.Sprint(e.Details), troll)
			}
		}
	})
}

// hold list shows the legal holds in force, with when and why each was
// set, and forgets one once released.
func TestHoldListShowsTheHoldsInForce(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		s := c.school()
		pupils := c.reporters(s.Code)
		held := string(pupils.report("", "", "192.0.2.10", "A teacher hurt me."))
		other := string(pupils.report("", "", "192.0.2.11", "Someone took my bag."))
		assert.Equal(t, "No legal hold is in force.\n", c.run("", "hold", "list").stdout)

		c.ok(&actJSON{}, "hold", "set", "--ref", other, "--reason", "first claim")
		c.ok(&actJSON{}, "hold", "release", "--ref", other, "--reason", "claim settled")
		c.ok(&actJSON{}, "hold", "set", "--ref", held, "--reason", "county court claim 7QX01234")
		var list []holdJSON
		c.ok(&list, "hold", "list")
		require.Len(t, list, 1)
		assert.Equal(t, held, list[0].Ref)
		assert.Equal(t, s.OrgID, list[0].OrgID)
		assert.Equal(t, "Oakfield Primary", list[0].Organisation)
		assert.Equal(t, "county court claim 7QX01234", list[0].Reason)
		require.NotNil(t, list[0].Since)
		assert.WithinDuration(t, time.Now(), *list[0].Since, time.Minute)
		text := c.run("", "hold", "list")
		assert.Contains(t, text.stdout, held)
		assert.Contains(t, text.stdout, "county court claim 7QX01234")
		assert.NotContains(t, text.stdout, other)

		c.ok(&actJSON{}, "hold", "release", "--ref", held, "--reason", "claim settled")
		c.ok(&list, "hold", "list")
		assert.Empty(t, list)
		assert.NotContains(t, actions(c.auditLog()), "hold.list", "reads are not audited")
	})
}
