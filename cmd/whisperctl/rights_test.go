package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"maps"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/mail/smtptest"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/cmd/internal/config"
	"github.com/whisper-schools/whisper/cmd/internal/wire"
	"github.com/whisper-schools/whisper/domain"
)

// found is what dsar finds: the references, in any order.
func (c operator) found(args ...string) []string {
	c.t.Helper()
	var out dsarJSON
	c.ok(&out, append([]string{"dsar", "--reason", "subject access request"}, args...)...)
	refs := []string{}
	for _, si := range out.Interactions {
		refs = append(refs, si.Ref)
	}
	return refs
}

// A reporter's data put right: the new value is held and finds the
// interaction, the old one finds it no more, and the audit log says which
// field was corrected, never the value.
func TestRectify(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		s := c.school()
		pupils := c.reporters(s.Code)
		web := string(pupils.report("Jo", pupilEmail, pupilIP, "Someone took my phone at break."))
		pupils.text("carrier-1", "447700900123", s.Code+" I am scared on the bus")
		texted := c.found("--phone", "07700 900123")
		require.Len(t, texted, 1)

		var done rectifiedJSON
		c.ok(&done, "rectify", "--ref", web, "--email", "jo.new@pupil.example", "--reason", "letter of 3 March")
		assert.Equal(t, rectifiedJSON{Ref: web, Action: "rectify", Field: "email"}, done)
		assert.Equal(t, []string{web}, c.found("--email", "JO.NEW@pupil.example"))
		assert.Empty(t, c.found("--email", pupilEmail), "the old address finds nothing")

		// A UK number as people say it, stored in E.164.
		c.ok(&done, "rectify", "--ref", strings.ToLower(texted[0]), "--phone", "07700 900999", "--reason", "new phone")
		assert.Equal(t, "phone", done.Field)
		assert.Equal(t, texted, c.found("--phone", "+447700900999"))
		assert.Empty(t, c.found("--phone", "07700900123"), "the old number finds nothing")

		c.ok(&done, "rectify", "--ref", web, "--name", "  Jo Bloggs ", "--reason", "spelling")
		var record dsarJSON
		c.ok(&record, "dsar", "--email", "jo.new@pupil.example", "--reason", "check")
		require.Len(t, record.Interactions, 1)
		assert.Equal(t, "Jo Bloggs", record.Interactions[0].ReporterName)
		assert.Equal(t, contactJSON{Email: "jo.new@pupil.example"}, record.Interactions[0].Contact)
		assert.Equal(t, "Someone took my phone at break.", record.Interactions[0].Messages[0].Body, "the rest as it was")

		r := c.run("", "rectify", "--ref", web, "--name", "Jo B", "--reason", "spelling")
		require.Equal(t, 0, r.code, r.stderr)
		assert.Equal(t, "Corrected the reporter's name on "+web+". Recorded in the audit log, without the value.\n", r.stdout)

		var rectified []auditJSON
		for _, e := range c.auditLog() {
			if e.Action == domain.AuditRectify {
				rectified = append(rectified, e)
			}
		}
		require.Len(t, rectified, 4)
		assert.Equal(t, map[string]string{"field": "email"}, rectified[0].Details)
		assert.Equal(t, map[string]string{"field": "phone"}, rectified[1].Details)
		assert.Equal(t, map[string]string{"field": "name"}, rectified[2].Details)
		assert.Equal(t, web, rectified[0].Ref)
		assert.Equal(t, s.OrgID, rectified[0].OrgID)
		assert.Equal(t, "letter of 3 March", rectified[0].Reason)
		assert.Equal(t, osActor(), rectified[0].Actor)
		whole, err := json.Marshal(c.wholeAuditLog())
		require.NoError(t, err)
		for _, secret := range []string{"jo.new", "900999", "Bloggs", "Jo B"} {
			assert.NotContains(t, string(whole), secret, "the audit log holds no value")
		}
	})
}

func TestRectifyRefusals(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		s := c.school()
		pupils := c.reporters(s.Code)
		ref := string(pupils.report("Jo", pupilEmail, pupilIP, "Someone took my phone at break."))

		assert.Contains(t, c.fails(exitUsage, "rectify", "--ref", ref, "--email", "a@b.example"), "--reason is required")
		assert.Contains(t, c.fails(exitUsage, "rectify", "--ref", ref, "--reason", "r"), "exactly one of --email, --phone or --name")
		c.fails(exitUsage, "rectify", "--ref", ref, "--email", "a@b.example", "--name", "Jo", "--reason", "r")
		c.fails(exitUsage, "rectify", "--email", "a@b.example", "--reason", "r")
		assert.Contains(t, c.fails(exitInvalid, "rectify", "--ref", ref, "--email", "not-an-address", "--reason", "r"), "email")
		assert.Contains(t, c.fails(exitInvalid, "rectify", "--ref", ref, "--phone", "call me", "--reason", "r"), "that is not a phone number")
		assert.Contains(t, c.fails(exitInvalid, "rectify", "--ref", ref, "--name", "   ", "--reason", "r"), "exactly one")
		assert.Contains(t, c.fails(exitInvalid, "rectify", "--ref", ref, "--name", strings.Repeat("n", 101), "--reason", "r"), "a name is at most 100 characters")
		assert.Contains(t, c.fails(exitNotFound, "rectify", "--ref", "WSP-AAAA-AAAA", "--name", "Jo", "--reason", "r"), "no such interaction")
		assert.Equal(t, []string{ref}, c.found("--email", pupilEmail), "nothing changed")

		var erased actJSON
		c.ok(&erased, "erase", "--ref", ref, "--reason", "the reporter asked")
		assert.Contains(t, c.fails(exitConflict, "rectify", "--ref", ref, "--email", "again@pupil.example", "--reason", "r"), "erased")
		assert.Empty(t, c.found("--email", "again@pupil.example"), "nothing written back")
		for _, e := range c.auditLog() {
			assert.NotEqual(t, domain.AuditRectify, e.Action, "a refusal is not recorded as done")
		}
	})
}

// deliver sends what whisperctl queued in the outbox, as whisperd's relay
// does, through a real SMTP server, and returns every message it has
// received.
func (c operator) deliver(srv *smtptest.Server) []smtptest.Received {
	c.t.Helper()
	env := maps.Clone(c.env)
	maps.Copy(env, map[string]string{
		"WHISPER_MAIL_DRIVER": "smtp", "WHISPER_MAIL_FROM": "whisper@whisper.example.org", "WHISPER_MAIL_SMTP_HOST": srv.Host(),
		"WHISPER_MAIL_SMTP_PORT": strconv.Itoa(srv.Port()), "WHISPER_MAIL_SMTP_TLS": "none",
	})
	cfg, err := config.Load(config.Options{Getenv: func(k string) string { return env[k] }})
	require.NoError(c.t, err)
	log := slog.New(slog.DiscardHandler)
	st, err := wire.OpenStore(context.Background(), cfg, log)
	require.NoError(c.t, err)
	defer st.Close()
	mailer, err := wire.Mailer(cfg, log)
	require.NoError(c.t, err)
	texts, err := wire.SMSSender(cfg, log)
	require.NoError(c.t, err)
	svc := app.New(app.Deps{Store: st, Clock: app.SystemClock{}, Random: rand.Reader, PublicURL: cfg.PublicURL})
	_, err = svc.Delivery.NewRelay(mailer, texts, app.RelayConfig{}, log).Pass(context.Background())
	require.NoError(c.t, err)
	return srv.Messages()
}

// member adds an admin (or, with role staff, a member) to an organisation.
func (c operator) member(org, email, role string) {
	c.t.Helper()
	r := c.run("a long enough passphrase\n", "staff", "create", "--org", org, "--email", email, "--first-name", "Sam",
		"--role", role, "--password-stdin", "--json")
	require.Equal(c.t, 0, r.code, r.stderr)
}

// dsar --tell-school emails the admins of each school concerned, through
// the outbox and a real SMTP server, naming that school's references that
// are not erased and nothing of who asked; it is audited.
func TestDSARTellsTheSchools(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		oak := c.school()
		c.member(oak.OrgID, "head@oakfield.example", "admin")
		c.member(oak.OrgID, "dsl@oakfield.example", "admin")
		c.member(oak.OrgID, "teacher@oakfield.example", "staff")
		var elm orgOut
		c.ok(&elm, "org", "create", "--name", "Elm Academy")
		var form struct{ ID string }
		c.ok(&form, "form", "create", "--org", elm.ID, "--name", "Elm", "--code", "ELM1")
		c.member(elm.ID, "head@elm.example", "admin")
		var ash orgOut
		c.ok(&ash, "org", "create", "--name", "Ash Infants")
		c.ok(&form, "form", "create", "--org", ash.ID, "--name", "Ash", "--code", "ASH1")
		c.member(ash.ID, "head@ash.example", "admin")

		atOak, atElm, atAsh := c.reporters("OAK1"), c.reporters("ELM1"), c.reporters("ASH1")
		oak1 := string(atOak.report("Jo", pupilEmail, pupilIP, "Someone took my phone at break."))
		oak2 := string(atOak.report("Jo", pupilEmail, pupilIP, "It happened again."))
		otherPupil := string(atOak.report("Kim", "kim@pupil.example", pupilIP, "Not me."))
		elm1 := string(atElm.report("Jo", pupilEmail, pupilIP, "At my new school too."))
		ash1 := string(atAsh.report("Jo", pupilEmail, pupilIP, "Long ago."))
		var erased actJSON
		c.ok(&erased, "erase", "--ref", ash1, "--reason", "the reporter asked")
		srv := smtptest.Start(t, "", "")
		before := len(c.deliver(srv))

		var out struct {
			Interactions []struct{ Ref string }
			SchoolsTold  []schoolToldJSON `json:"schools_told"`
		}
		c.ok(&out, "dsar", "--email", pupilEmail, "--reason", "letter of 3 March", "--tell-school")
		assert.Len(t, out.Interactions, 3, "an erased interaction keeps nothing that finds it")
		require.Len(t, out.SchoolsTold, 2, "Ash holds nothing of the reporter's any more")
		byOrg := map[string]schoolToldJSON{}
		for _, told := range out.SchoolsTold {
			byOrg[told.OrgID] = told
		}
		assert.ElementsMatch(t, []string{oak1, oak2}, byOrg[oak.OrgID].Refs)
		assert.Equal(t, 2, byOrg[oak.OrgID].Admins)
		assert.Equal(t, "Oakfield Primary", byOrg[oak.OrgID].Organisation)
		assert.Equal(t, []string{elm1}, byOrg[elm.ID].Refs)
		assert.Equal(t, 1, byOrg[elm.ID].Admins)

		mails := c.deliver(srv)[before:]
		require.Len(t, mails, 3, "one to each admin; none to staff, none to Ash")
		got := map[string]string{}
		for _, m := range mails {
			require.Len(t, m.To, 1)
			got[m.To[0]] = m.Data
		}
		require.ElementsMatch(t, []string{"head@oakfield.example", "dsl@oakfield.example", "head@elm.example"}, slicesOf(got))
		for to, data := range got {
			assert.Contains(t, data, "subject access request", to)
			for _, secret := range []string{pupilEmail, "Jo", pupilIP, "phone at break", "Bristol", otherPupil, ash1} {
				assert.NotContains(t, data, secret, "%s: names references only", to)
			}
		}
		assert.Contains(t, got["head@oakfield.example"], oak1)
		assert.Contains(t, got["head@oakfield.example"], oak2)
		assert.NotContains(t, got["head@oakfield.example"], elm1, "each school its own references")
		assert.Contains(t, got["head@elm.example"], elm1)
		assert.NotContains(t, got["head@elm.example"], oak1)

		log := c.auditLog()
		last := log[len(log)-1]
		assert.Equal(t, domain.AuditDSAR, last.Action)
		assert.Equal(t, map[string]string{"by": "email", "found": "3", "schools_told": "2"}, last.Details)
		assert.Equal(t, "letter of 3 March", last.Reason)

		// Without --tell-school no one is told; the text says who was.
		var quiet map[string]any
		c.ok(&quiet, "dsar", "--email", pupilEmail, "--reason", "again")
		assert.NotContains(t, quiet, "schools_told")
		assert.Len(t, c.deliver(srv), before+3, "nothing more sent")
		r := c.run("", "dsar", "--email", pupilEmail, "--reason", "again", "--tell-school")
		require.Equal(t, 0, r.code, r.stderr)
		assert.Contains(t, r.stdout, "Queued an email to each of the 2 admins of Oakfield Primary naming ")
		assert.Contains(t, r.stdout, "Queued an email to the admin of Elm Academy naming "+elm1+".")
		r = c.run("", "dsar", "--email", "nobody@pupil.example", "--reason", "again", "--tell-school")
		require.Equal(t, 0, r.code, r.stderr)
		assert.Contains(t, r.stdout, "No school was told")
	})
}

func slicesOf(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
