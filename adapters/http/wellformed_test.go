package http_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	nethttp "net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	plivo "github.com/plivo/plivo-go/v7"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// badBytes are the two ways a value can fail to be text: a NUL, which
// PostgreSQL refuses in any text column, and bytes that are not UTF-8.
var badBytes = map[string]string{"NUL": "a\x00b", "invalid UTF-8": "a\xffb"}

// postRoute is a POST route with a form its caller may send, sent by as.
type postRoute struct {
	path string
	form url.Values
	as   *browser
}

// postRoutes are every POST route Whisper serves, each with valid input.
func postRoutes(p *portal, token string, ref domain.Reference, passwordToken string) []postRoute {
	admin, staff, anon := p.as(p.admin), p.as(p.staff), p.anonymous()
	f, ib, m := "/staff/admin/forms/"+string(p.form.ID), "/staff/admin/inboxes/"+string(p.inbox.ID), "/staff/admin/staff/"+string(p.staff.ID)
	return []postRoute{
		{"/r/OAK", url.Values{"name": {"Sam"}, "email": {"sam@example.org"}, "message": {"Someone took my bag."}, "category": {string(p.inbox.ID)}}, anon},
		{"/t/" + token, url.Values{"message": {"It happened again."}}, anon},
		{"/staff/login", url.Values{"email": {p.staff.Email}, "password": {staffPassword}, "code": {"123456"}}, anon},
		{"/staff/set-password/" + passwordToken, url.Values{"password": {"a brand new passphrase"}, "confirm": {"a brand new passphrase"}}, anon},
		{"/staff/interactions/" + string(ref) + "/messages", url.Values{"message": {"Thank you for telling us."}}, staff},
		{"/staff/interactions/" + string(ref) + "/status", url.Values{"status": {"closed"}}, staff},
		{"/staff/interactions/" + string(ref) + "/inbox", url.Values{"inbox": {string(p.second.ID)}}, admin},
		{"/staff/account/password", url.Values{"current": {staffPassword}, "password": {"a brand new passphrase"}, "confirm": {"a brand new passphrase"}}, staff},
		{"/staff/account/totp/confirm", url.Values{"code": {"123456"}}, staff},
		{"/staff/account/totp/disable", url.Values{"password": {staffPassword}}, staff},
		{"/staff/account/recovery-codes", url.Values{"password": {staffPassword}}, staff},
		{"/staff/admin/forms/new", url.Values{"name": {"Oakfield Juniors"}, "code": {"OAKJ"}}, admin},
		{f, url.Values{"name": {"Oakfield Primary"}, "intro": {"Tell us anything."}, "response_time": {"A day."}, "out_of_hours": {"Closed."}, "language": {"en"}, "swear_policy": {"flag"}}, admin},
		{f + "/inboxes", url.Values{"inbox_name": {"Bullying"}}, admin},
		{ib, url.Values{"name": {"Worries"}, "notify": {"dsl@oakfield.example"}, "staff": {string(p.staff.ID)}}, admin},
		{"/staff/admin/staff/new", url.Values{"email": {"nia@oakfield.example"}, "first_name": {"Nia"}, "last_name": {"Jones"}, "role": {"staff"}, "inboxes": {string(p.inbox.ID)}}, admin},
		{m, url.Values{"role": {"staff"}, "inboxes": {string(p.inbox.ID)}}, admin},
		{"/staff/admin/settings", url.Values{"retention": {"24"}, "swear_words": {"numpty"}, "require_totp": {"on"}}, admin},
	}
}

// everything is what a refused request must leave as it was: the admin
// state, and every interaction with its messages.
type everything struct {
	Admin        storetest.AdminState
	Interactions []*domain.Interaction
	Messages     int
}

func (p *portal) everything() everything {
	p.t.Helper()
	e := everything{Admin: p.adminState()}
	require.NoError(p.t, p.store.View(ctx, func(tx ports.Tx) error {
		for _, org := range []domain.OrgID{p.org.ID, p.orgB.ID} {
			list, err := tx.Interactions().List(ctx, ports.InteractionFilter{OrgID: &org})
			if err != nil {
				return err
			}
			for _, ia := range list {
				msgs, err := tx.Messages().List(ctx, ia.ID)
				if err != nil {
					return err
				}
				e.Messages += len(msgs)
			}
			e.Interactions = append(e.Interactions, list...)
		}
		return nil
	}))
	return e
}

// TestBadBytesInAnyFieldAreRefusedByName sends a NUL and invalid UTF-8 in
// every field of every POST route, in the query and in the path, on both
// stores: each is answered 422 naming the field, never 500, and nothing
// changes.
func TestBadBytesInAnyFieldAreRefusedByName(t *testing.T) {
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			p := newPortalWith(t, siteOptions{postgres: store == "postgres", plivoToken: "plivo-token"})
			token := p.report("Someone took my bag.")
			ref := p.caseRefOf(token)
			routes := postRoutes(p, token, ref, p.setPasswordToken(p.staff))
			before := p.everything()

			for _, rt := range routes {
				fields := slices.Sorted(func(yield func(string) bool) {
					for k := range rt.form {
						if !yield(k) {
							return
						}
					}
				})
				for _, field := range fields {
					for what, bad := range badBytes {
						form := url.Values{}
						for k, v := range rt.form {
							form[k] = slices.Clone(v)
						}
						form.Set(field, bad)
						r := rt.as.post(rt.path, form)
						assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status, "%s %s in %s", rt.path, what, field)
						assert.Contains(t, r.body, "“"+field+"”", "%s %s in %s names the field", rt.path, what, field)
					}
				}
				r := rt.as.post(rt.path+"?lang=en&x=a%00b", rt.form)
				assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status, "%s NUL in the query", rt.path)
				assert.Contains(t, r.body, "“x”", "%s names the query parameter", rt.path)
				r = rt.as.post(rt.path, url.Values{"a\xffb": {"c"}})
				assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status, "%s invalid UTF-8 in a field's name", rt.path)
				assert.Contains(t, r.body, `a\xffb`, "%s names the field as well as it can", rt.path)
			}

			for _, path := range []string{"/r/OA%00K", "/r/OA%FFK", "/t/" + token + "%00", "/staff/interactions/" + string(ref) + "%FF"} {
				for who, b := range map[string]*browser{"anonymous": p.anonymous(), "staff": p.as(p.staff)} {
					r := b.get(path)
					assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status, "%s GET %s", who, path)
					assert.Contains(t, r.body, "web address", "%s GET %s", who, path)
					r = b.post(path, url.Values{"message": {"fine"}})
					assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status, "%s POST %s", who, path)
				}
			}
			r := p.as(p.staff).get("/staff/?status=open&q=a%FFb")
			assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
			assert.Contains(t, r.body, "“q”")

			assert.Equal(t, before, p.everything(), "no refused request changed anything")
		})
	}
}

// The SMS webhook's fields are checked as any form's, once the carrier's
// signature holds: what Plivo forwards is stored too.
func TestBadBytesInASignedTextAreRefusedByName(t *testing.T) {
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			p := newPortalWith(t, siteOptions{postgres: store == "postgres", plivoToken: "plivo-token"})
			before := p.everything()
			valid := url.Values{"MessageUUID": {"uuid-1"}, "From": {"447700900123"}, "To": {"447700900000"}, "Text": {"OAK the bus stop"}, "Type": {"sms"}}
			n := 0
			for _, field := range []string{"From", "MessageUUID", "Text", "To", "Type"} {
				for what, bad := range badBytes {
					form := url.Values{}
					for k, v := range valid {
						form[k] = slices.Clone(v)
					}
					form.Set(field, bad)
					n++
					r := p.plivo(form, fmt.Sprintf("nonce-%d", n))
					assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status, "%s in %s", what, field)
					assert.Equal(t, "text/plain; charset=utf-8", r.header.Get("Content-Type"), "%s in %s", what, field)
					assert.Contains(t, r.body, "“"+field+"”", "%s in %s", what, field)
				}
			}
			assert.Equal(t, before, p.everything(), "no refused text changed anything")
		})
	}
}

// plivo posts form to the webhook signed as Plivo signs (V3).
func (p *portal) plivo(form url.Values, nonce string) response {
	p.t.Helper()
	params := map[string]string{}
	for k := range form {
		params[k] = form.Get(k)
	}
	req, err := nethttp.NewRequest(nethttp.MethodPost, p.srv.URL+"/sms/plivo", strings.NewReader(form.Encode()))
	require.NoError(p.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Plivo-Signature-V3", plivo.ComputeSignatureV3("plivo-token", p.publicURL+"/sms/plivo", "POST", nonce, params))
	req.Header.Set("X-Plivo-Signature-V3-Nonce", nonce)
	return p.do(req)
}

// A browser may send a form as multipart/form-data; the handlers would read
// its fields, so they are checked as well.
func TestBadBytesInAMultipartFormAreRefused(t *testing.T) {
	p := newPortal(t)
	before := p.everything()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	require.NoError(t, mw.WriteField("current", staffPassword))
	require.NoError(t, mw.WriteField("password", "a new\x00passphrase"))
	require.NoError(t, mw.WriteField("confirm", "a new passphrase"))
	require.NoError(t, mw.Close())
	req, err := nethttp.NewRequest(nethttp.MethodPost, p.srv.URL+"/staff/account/password", &body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	r := p.as(p.staff).send(req)
	assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, "“password”")
	assert.Equal(t, before, p.everything())
}

// send sends req with b's cookies.
func (b *browser) send(req *nethttp.Request) response {
	b.p.t.Helper()
	resp, err := b.client.Do(req)
	require.NoError(b.p.t, err)
	defer resp.Body.Close()
	var raw bytes.Buffer
	_, err = raw.ReadFrom(resp.Body)
	require.NoError(b.p.t, err)
	return response{status: resp.StatusCode, header: resp.Header, body: raw.String()}
}

// The reporter's error page is a page of its own, in their language.
func TestBadBytesOnAReporterPageAreExplainedInWelsh(t *testing.T) {
	s := newSite(t, siteOptions{})
	r := s.post("/r/OAK", url.Values{"message": {"a\x00b"}, "category": {string(s.inbox.ID)}}, "Accept-Language", "cy")
	assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, `<html lang="cy">`)
	assert.Contains(t, r.body, "Doedd dim modd darllen")
	assert.Contains(t, r.body, "“message”")
	assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
	assert.Empty(t, s.interactions())
}

// Large bodies are still bounded by the route: the check at the edge does
// not let a handler read more than it would have.
func TestBadBytesCheckKeepsTheSizeLimits(t *testing.T) {
	s := newSite(t, siteOptions{})
	r := s.post("/r/OAK", url.Values{"message": {strings.Repeat("x", 300<<10)}, "category": {string(s.inbox.ID)}})
	assert.Equal(t, nethttp.StatusRequestEntityTooLarge, r.status)
	assert.Empty(t, s.interactions())
}
