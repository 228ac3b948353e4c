package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for tampering
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite" // the "sqlite" driver, for tampering

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/cmd/internal/config"
	"github.com/whisper-schools/whisper/cmd/internal/wire"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/export"
)

// school is an organisation with one form (code OAK1) and its General
// inbox, set up through whisperctl.
type school struct {
	OrgID, FormID, Code, InboxID string
}

func (c operator) school() school {
	c.t.Helper()
	require.Equal(c.t, 0, c.run("", "db", "migrate").code)
	var org orgOut
	c.ok(&org, "org", "create", "--name", "Oakfield Primary")
	var form struct {
		ID, Code string
		InboxID  string `json:"inbox_id"`
	}
	c.ok(&form, "form", "create", "--org", org.ID, "--name", "Oakfield", "--code", "OAK1")
	return school{OrgID: org.ID, FormID: form.ID, Code: form.Code, InboxID: form.InboxID}
}

// raw runs whisperctl with --json and decodes into a generic value, to
// check the keys themselves.
func (c operator) raw(args ...string) any {
	c.t.Helper()
	var v any
	c.ok(&v, args...)
	return v
}

// exec changes the database behind whisperctl's back, as an attacker with
// database access would, and expects one row changed.
func (c operator) exec(query string) {
	c.t.Helper()
	driver, dsn := "pgx", c.env["WHISPER_DATABASE_URL"]
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		driver, dsn = "sqlite", path
	}
	db, err := sql.Open(driver, dsn)
	require.NoError(c.t, err)
	defer db.Close()
	res, err := db.Exec(query)
	require.NoError(c.t, err, query)
	n, err := res.RowsAffected()
	require.NoError(c.t, err)
	require.EqualValues(c.t, 1, n, query)
}

// testClock is the reporters' clock: the real one, or a moment set by the
// test, so that reports can be made old enough to be due for erasure.
type testClock struct{ at time.Time }

func (c *testClock) Now() time.Time {
	if c.at.IsZero() {
		return time.Now()
	}
	return c.at
}

// bristol places every address in Bristol.
type bristol struct{}

func (bristol) Locate(netip.Addr) domain.Place {
	return domain.Place{City: "Bristol", Region: "England", Country: "GB", Network: "Example Broadband"}
}

// reporters send reports and texts through the app, into the database the
// operator works on: the same configuration, hence the same data key.
type reporters struct {
	t     *testing.T
	svc   *app.App
	clock *testClock
	code  string
}

func (c operator) reporters(code string) *reporters {
	c.t.Helper()
	cfg, err := config.Load(config.Options{Getenv: func(k string) string { return c.env[k] }})
	require.NoError(c.t, err)
	st, err := wire.OpenStore(context.Background(), cfg, slog.New(slog.DiscardHandler))
	require.NoError(c.t, err)
	c.t.Cleanup(func() { st.Close() })
	clock := &testClock{}
	return &reporters{t: c.t, clock: clock, code: code, svc: app.New(app.Deps{
		Store: st, Clock: clock, Random: rand.Reader, Locator: bristol{}, PublicURL: cfg.PublicURL,
	})}
}

func (r *reporters) submit(name, email, ip, body string) (domain.Reference, error) {
	rc, err := r.svc.Reporting.SubmitReport(context.Background(), app.SubmitReport{
		FormCode: r.code, Name: name, Email: email, Body: body, IP: netip.MustParseAddr(ip),
	})
	return rc.Ref, err
}

func (r *reporters) report(name, email, ip, body string) domain.Reference {
	r.t.Helper()
	ref, err := r.submit(name, email, ip, body)
	require.NoError(r.t, err)
	return ref
}

func (r *reporters) text(id, from, text string) {
	r.t.Helper()
	out, err := r.svc.Reporting.ReceiveText(context.Background(), app.InboundText{MessageUUID: id, From: from, Text: text})
	require.NoError(r.t, err)
	require.Equal(r.t, app.TextOpened, out)
}

// osActor is how the audit log names whoever runs these tests.
func osActor() string { return (&ctl{}).operator().Actor() }

// auditLog is the log without the school's set-up (org.create,
// form.create), which every test here begins with.
func (c operator) auditLog() []auditJSON {
	c.t.Helper()
	return slices.DeleteFunc(c.wholeAuditLog(), func(e auditJSON) bool {
		return e.Action == domain.AuditOrgCreate || e.Action == domain.AuditFormCreate
	})
}

func (c operator) wholeAuditLog() []auditJSON {
	c.t.Helper()
	var entries []auditJSON
	c.ok(&entries, "audit", "list")
	return entries
}

func actions(entries []auditJSON) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Action
	}
	return out
}

const (
	pupilEmail = "jo@pupil.example"
	pupilIP    = "203.0.113.7"
	pupilPhone = "+447700900123"
)

func TestDataProtectionCommands(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		s := c.school()
		pupils := c.reporters(s.Code)
		pupils.clock.at = time.Now().UTC() // one month for every report, for the statistics
		refA := string(pupils.report("Jo", pupilEmail, pupilIP, "Someone took my phone at break."))
		pupils.text("carrier-1", pupilPhone, s.Code+" I am scared on the bus")

		// dsar: by email, by phone, and both.
		raw := c.raw("dsar", "--reason", "subject access request", "--email", pupilEmail)
		ia := raw.(map[string]any)["interactions"].([]any)[0].(map[string]any)
		for _, key := range []string{"ref", "organisation", "form", "inbox", "channel", "status", "reporter_name", "contact", "legal_hold", "created_at", "last_activity_at", "messages"} {
			assert.Contains(t, ia, key)
		}
		msg := ia["messages"].([]any)[0].(map[string]any)
		assert.Equal(t, true, msg["from_reporter"])
		assert.Equal(t, map[string]any{"ip": pupilIP, "location": "Bristol, England, GB", "region": "England, GB", "network": "Example Broadband"}, msg["meta"])

		var byEmail dsarJSON
		c.ok(&byEmail, "dsar", "--reason", "subject access request", "--email", pupilEmail)
		require.Len(t, byEmail.Interactions, 1)
		web := byEmail.Interactions[0]
		assert.Equal(t, refA, web.Ref)
		assert.Equal(t, "Oakfield Primary", web.Organisation)
		assert.Equal(t, "Oakfield", web.Form)
		assert.Equal(t, "General", web.Inbox)
		assert.Equal(t, "web", web.Channel)
		assert.Equal(t, "Jo", web.ReporterName)
		assert.Equal(t, contactJSON{Email: pupilEmail}, web.Contact)
		require.Len(t, web.Messages, 1)
		assert.Equal(t, "Someone took my phone at break.", web.Messages[0].Body)

		var byPhone dsarJSON
		c.ok(&byPhone, "dsar", "--reason", "subject access request", "--phone", "+44 7700 900123")
		require.Len(t, byPhone.Interactions, 1)
		sms := byPhone.Interactions[0]
		assert.Equal(t, "sms", sms.Channel)
		assert.Equal(t, pupilPhone, sms.Contact.Phone)
		assert.Equal(t, "I am scared on the bus", sms.Messages[0].Body)
		refSMS := sms.Ref

		var both dsarJSON
		c.ok(&both, "dsar", "--email", pupilEmail, "--phone", pupilPhone, "--reason", "request by letter of 3 March")
		got := []string{both.Interactions[0].Ref, both.Interactions[1].Ref}
		assert.ElementsMatch(t, []string{refA, refSMS}, got)

		text := c.run("", "dsar", "--reason", "subject access request", "--email", pupilEmail)
		require.Equal(t, 0, text.code, text.stderr)
		assert.Contains(t, text.stdout, refA)
		assert.Contains(t, text.stdout, "--json")
		assert.NotContains(t, text.stdout, "Someone took my phone", "the summary leaves the record to --json")

		// disclose
		disclose := []string{"disclose", "--ref", refA, "--basis", "police", "--authority", "Avon and Somerset Police",
			"--reference", "CAD-1234", "--reason", "threat to life reported"}
		var disclosed disclosedJSON
		c.ok(&disclosed, disclose...)
		assert.Equal(t, refA, disclosed.Ref)
		assert.Equal(t, pupilEmail, disclosed.Contact.Email)
		require.Len(t, disclosed.Messages, 1)
		assert.Equal(t, pupilIP, disclosed.Messages[0].Meta.IP)
		assert.Equal(t, "Example Broadband", disclosed.Messages[0].Meta.Network)
		text = c.run("", disclose...)
		require.Equal(t, 0, text.code, text.stderr)
		assert.Contains(t, text.stdout, pupilIP)
		assert.Contains(t, text.stdout, pupilEmail)
		assert.Contains(t, text.stdout, "Bristol, England, GB")

		// block, then unblock
		var blocked actJSON
		c.ok(&blocked, "block", "--ref", refA, "--reason", "abusive reports", "--days", "30", "--ip")
		assert.Equal(t, refA, blocked.Ref)
		require.NotNil(t, blocked.Blocked)
		assert.Equal(t, 2, *blocked.Blocked, "the email and the IP address")
		_, err := pupils.submit("Jo", pupilEmail, "198.51.100.9", "Again from the same address.")
		assert.ErrorIs(t, err, app.ErrRefused, "a blocked email")
		_, err = pupils.submit("", "", pupilIP, "Again from the same network.")
		assert.ErrorIs(t, err, app.ErrRefused, "a blocked IP address")
		var unblocked actJSON
		c.ok(&unblocked, "unblock", "--ref", refA, "--reason", "appeal upheld")
		require.NotNil(t, unblocked.Lifted)
		assert.Equal(t, 2, *unblocked.Lifted)
		refAgain := string(pupils.report("Jo", pupilEmail, pupilIP, "Thank you for listening."))

		// hold, then erase
		var held actJSON
		c.ok(&held, "hold", "set", "--ref", refA, "--reason", "county court claim 7QX01234")
		require.NotNil(t, held.LegalHold)
		assert.True(t, *held.LegalHold)
		assert.Contains(t, c.fails(exitConflict, "erase", "--ref", refA, "--reason", "erasure request"), "legal hold")
		c.ok(&byEmail, "dsar", "--reason", "subject access request", "--email", pupilEmail)
		require.Len(t, byEmail.Interactions, 2)
		for _, si := range byEmail.Interactions {
			if si.Ref == refA {
				assert.True(t, si.LegalHold)
				assert.Equal(t, "Someone took my phone at break.", si.Messages[0].Body, "nothing erased under hold")
				assert.Nil(t, si.ErasedAt)
			}
		}
		var released actJSON
		c.ok(&released, "hold", "release", "--ref", refA, "--reason", "claim settled")
		assert.False(t, *released.LegalHold)
		var erased actJSON
		c.ok(&erased, "erase", "--ref", refA, "--reason", "erasure request of 4 March")
		assert.Equal(t, refA, erased.Ref)
		assert.True(t, *erased.Erased)
		c.ok(&byEmail, "dsar", "--reason", "subject access request", "--email", pupilEmail)
		require.Len(t, byEmail.Interactions, 1, "the erased interaction is found no more")
		assert.Equal(t, refAgain, byEmail.Interactions[0].Ref)

		// export
		pupils.report("=SUM(A1:A9)", "", "198.51.100.20", "-1 is how I feel")
		var rows []map[string]any
		c.ok(&rows, "export", "--org", s.OrgID)
		var refs []string
		for _, row := range rows {
			refs = append(refs, row["ref"].(string))
			assert.Contains(t, row, "last_activity_at")
		}
		assert.Contains(t, refs, refSMS)
		assert.Contains(t, refs, refAgain)
		assert.NotContains(t, refs, refA, "erased interactions are not exported")

		out := c.run("", "export", "--org", s.OrgID, "--format", "csv")
		require.Equal(t, 0, out.code, out.stderr)
		records, err := csv.NewReader(strings.NewReader(out.stdout)).ReadAll()
		require.NoError(t, err)
		assert.Equal(t, export.Columns, records[0])
		require.Len(t, records, len(rows)+1)
		var defused bool
		for _, rec := range records[1:] {
			if rec[4] == "'=SUM(A1:A9)" {
				defused = true
				assert.Contains(t, rec[9], "-1 is how I feel")
			}
			assert.False(t, strings.HasPrefix(rec[4], "="), "no cell starts a formula")
		}
		assert.True(t, defused, "the formula in the reporter's name is quoted")

		// stats: five web reports and one text this month. The text is
		// hidden; so is the five beside it, or the month's total of six
		// would give the one away.
		for i := range 2 {
			pupils.report("", "", "198.51.100.30", "Report "+string(rune('a'+i)))
		}
		var cells []map[string]any
		c.ok(&cells, "stats")
		london, err := time.LoadLocation(domain.DefaultTimeZone)
		require.NoError(t, err)
		thisMonth := time.Now().In(london).Format("2006-01") // months are the service's zone's
		var web5, sms1, month, grand map[string]any
		for _, cell := range cells {
			assert.Contains(t, cell, "month")
			switch {
			case cell["total"] == false && cell["channel"] == "web" && cell["region"] == "England, GB" && cell["inbox"] == "General":
				web5 = cell
			case cell["total"] == false && cell["channel"] == "sms":
				sms1 = cell
			case cell["total"] == true && cell["month"] == thisMonth:
				month = cell
			case cell["total"] == true && cell["month"] == "" && cell["inbox"] == "":
				grand = cell
			}
		}
		require.NotNil(t, sms1, "%v", cells)
		assert.Equal(t, "unknown", sms1["region"])
		assert.Nil(t, sms1["count"])
		assert.Equal(t, true, sms1["suppressed"])
		require.NotNil(t, web5, "%v", cells)
		assert.Nil(t, web5["count"], "6 - 5 would give the text away")
		assert.Equal(t, true, web5["suppressed"])
		require.NotNil(t, month, "%v", cells)
		assert.Equal(t, 6.0, month["count"], "erased interactions still count")
		require.NotNil(t, grand, "%v", cells)
		assert.Equal(t, 6.0, grand["count"])
		text = c.run("", "stats", "--org", s.OrgID)
		require.Equal(t, 0, text.code, text.stderr)
		assert.Regexp(t, `(?m)^`+thisMonth+` +General +web +England, GB +\*$`, text.stdout)
		assert.Regexp(t, `(?m)^`+thisMonth+` +\(all\) +\(all\) +\(all\) +6$`, text.stdout)
		var none []statsRowJSON
		c.ok(&none, "stats", "--from", "2001-01-01", "--to", "2001-12-31")
		require.Len(t, none, 13, "twelve empty months and the total")
		for _, r := range none {
			assert.True(t, r.Total)
			require.NotNil(t, r.Count, "zero singles no one out")
			assert.Equal(t, 0, *r.Count)
		}
		assert.Equal(t, "2001-12", none[11].Month)

		// Every act is in the audit log under the operating-system user,
		// and the log never holds what was disclosed.
		entries := c.auditLog()
		for _, e := range entries {
			assert.Equal(t, osActor(), e.Actor, "entry %d", e.Seq)
		}
		assert.Equal(t, []string{
			"dsar", "dsar", "dsar", "dsar", "dsar", "disclose", "disclose", "block", "unblock", "hold.set",
			"dsar", "hold.release", "erase", "dsar", "export", "export",
		}, actions(entries), "the erase refused under hold recorded nothing")
		disc := entries[slices.Index(actions(entries), "disclose")]
		assert.Equal(t, refA, disc.Ref)
		assert.Equal(t, s.OrgID, disc.OrgID)
		assert.Equal(t, "threat to life reported", disc.Reason)
		assert.Equal(t, "police", disc.Details["basis"])
		assert.Equal(t, "Avon and Somerset Police", disc.Details["authority"])
		assert.Equal(t, "CAD-1234", disc.Details["reference"])
		listed := c.run("", "audit", "list", "--json")
		for _, secret := range []string{pupilEmail, pupilIP, pupilPhone, "Someone took my phone"} {
			assert.NotContains(t, listed.stdout, secret)
		}
		var page []auditJSON
		c.ok(&page, "audit", "list", "--after", "2", "--limit", "3")
		require.Len(t, page, 3)
		assert.EqualValues(t, 3, page[0].Seq)
		text = c.run("", "audit", "list")
		require.Equal(t, 0, text.code, text.stderr)
		assert.Contains(t, text.stdout, "hold.set")
		assert.Contains(t, text.stdout, osActor())

		var verified struct {
			Checked int
			Intact  bool
		}
		c.ok(&verified, "audit", "verify")
		assert.Equal(t, len(c.wholeAuditLog()), verified.Checked)
		assert.True(t, verified.Intact)
	})
}

func TestDataProtectionRefusals(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		s := c.school()
		ref := string(c.reporters(s.Code).report("Jo", pupilEmail, pupilIP, "Please help."))
		const ghost = "WSP-0000-0000"

		for _, cmd := range [][]string{
			{"erase", "--ref", ref},
			{"hold", "set", "--ref", ref},
			{"hold", "release", "--ref", ref},
			{"block", "--ref", ref},
			{"unblock", "--ref", ref},
			{"disclose", "--ref", ref, "--basis", "police", "--authority", "Police", "--reference", "X1"},
			{"erase", "--ref", ref, "--reason", "   "},
		} {
			assert.Contains(t, c.fails(exitUsage, cmd...), "--reason is required", "%v", cmd)
		}
		for _, cmd := range [][]string{
			{"erase", "--reason", "r"},
			{"hold", "set", "--reason", "r"},
			{"block", "--reason", "r"},
			{"unblock", "--reason", "r"},
		} {
			assert.Contains(t, c.fails(exitUsage, cmd...), "--ref is required", "%v", cmd)
		}
		assert.Contains(t, c.fails(exitUsage, "erase"), "--ref and --reason are required")
		assert.Contains(t, c.fails(exitUsage, "disclose", "--ref", ref, "--authority", "Police", "--reference", "X1", "--reason", "r"), "--basis is required")
		assert.Contains(t, c.fails(exitUsage, "disclose", "--ref", ref, "--basis", "police", "--reference", "X1", "--reason", "r"), "--authority is required")
		assert.Contains(t, c.fails(exitUsage, "disclose", "--ref", ref, "--basis", "police", "--authority", "Police", "--reason", "r"), "--reference is required")
		assert.Contains(t, c.fails(exitInvalid, "disclose", "--ref", ref, "--basis", "curiosity", "--authority", "Police", "--reference", "X1", "--reason", "r"), "court-order")

		assert.Contains(t, c.fails(exitInvalid, "erase", "--ref", "not-a-ref", "--reason", "r"), "not a reference")
		c.fails(exitInvalid, "hold", "set", "--ref", "WSP-12", "--reason", "r")
		c.fails(exitNotFound, "erase", "--ref", ghost, "--reason", "r")
		c.fails(exitNotFound, "hold", "set", "--ref", ghost, "--reason", "r")
		c.fails(exitNotFound, "block", "--ref", ghost, "--reason", "r")
		c.fails(exitNotFound, "unblock", "--ref", ghost, "--reason", "r")
		c.fails(exitNotFound, "disclose", "--ref", ghost, "--basis", "court-order", "--authority", "Bristol County Court", "--reference", "X1", "--reason", "r")
		c.fails(exitInvalid, "block", "--ref", ref, "--reason", "r", "--days", "-1")

		assert.Contains(t, c.fails(exitUsage, "dsar"), "--email or --phone")
		c.fails(exitUsage, "dsar", "--reason", "r")
		assert.Contains(t, c.fails(exitUsage, "dsar", "--email", pupilEmail), "--reason is required")
		c.fails(exitInvalid, "dsar", "--email", "not-an-address", "--reason", "r")
		c.fails(exitInvalid, "dsar", "--phone", "call me", "--reason", "r")

		assert.Contains(t, c.fails(exitInvalid, "purge", "--as-of", "2030-01-01T00:00:00Z"), "--dry-run")
		c.fails(exitUsage, "purge", "--dry-run", "--as-of", "next year")

		assert.Contains(t, c.fails(exitUsage, "export"), "--org is required")
		c.fails(exitUsage, "export", "--org", s.OrgID, "--format", "xlsx")
		c.fails(exitUsage, "export", "--org", s.OrgID, "--format", "csv", "--json")
		c.fails(exitInvalid, "export", "--org", "frm_aaaaaaaaaaaaaaaaaaaa")
		c.fails(exitNotFound, "export", "--org", "org_aaaaaaaaaaaaaaaaaaaa")

		c.fails(exitUsage, "stats", "--from", "March")
		c.fails(exitUsage, "stats", "--to", "2026-02-30")
		c.fails(exitInvalid, "stats", "--from", "2026-05-01", "--to", "2026-04-01")
		c.fails(exitInvalid, "stats", "--org", "nonsense")
		c.fails(exitNotFound, "stats", "--org", "org_aaaaaaaaaaaaaaaaaaaa")

		c.fails(exitUsage, "audit", "list", "--limit", "0")
		c.fails(exitUsage, "audit", "list", "--after", "-1")
		c.fails(exitUsage, "audit", "frobnicate")

		assert.Empty(t, c.auditLog(), "no refused command recorded or did anything")
		var found dsarJSON
		c.ok(&found, "dsar", "--reason", "subject access request", "--email", pupilEmail)
		require.Len(t, found.Interactions, 1)
		assert.False(t, found.Interactions[0].LegalHold)
		assert.Nil(t, found.Interactions[0].ErasedAt)
	})
}

func TestPurge(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		s := c.school()
		pupils := c.reporters(s.Code)
		now := time.Now().UTC()
		pupils.clock.at = now.AddDate(-2, 0, 0)
		old := string(pupils.report("Old", "old@pupil.example", "198.51.100.1", "Two years ago."))
		kept := string(pupils.report("Kept", "kept@pupil.example", "198.51.100.2", "Evidence in a claim."))
		pupils.clock.at = now.AddDate(-1, 0, 7)
		soon := string(pupils.report("Soon", "soon@pupil.example", "198.51.100.3", "Almost a year ago."))
		pupils.clock.at = now
		fresh := string(pupils.report("New", "new@pupil.example", "198.51.100.4", "Today."))
		c.ok(&actJSON{}, "hold", "set", "--ref", kept, "--reason", "claim 7QX01234")

		var dry purgeJSON
		c.ok(&dry, "purge", "--dry-run")
		assert.Equal(t, purgeJSON{AsOf: dry.AsOf, DryRun: true, Erased: 1, Held: 1}, dry)
		assert.WithinDuration(t, time.Now(), dry.AsOf, time.Minute)
		var ahead purgeJSON
		c.ok(&ahead, "purge", "--dry-run", "--as-of", now.AddDate(3, 0, 0).Format(time.RFC3339))
		assert.Equal(t, 3, ahead.Erased, "old, soon and fresh would be due in three years")
		assert.Equal(t, 1, ahead.Held)
		text := c.run("", "purge", "--dry-run")
		require.Equal(t, 0, text.code, text.stderr)
		assert.Contains(t, text.stdout, "Nothing was changed")

		// The dry runs changed nothing and recorded nothing.
		var found dsarJSON
		c.ok(&found, "dsar", "--reason", "subject access request", "--email", "old@pupil.example")
		require.Len(t, found.Interactions, 1)
		assert.Equal(t, "Two years ago.", found.Interactions[0].Messages[0].Body)
		assert.NotContains(t, actions(c.auditLog()), "purge")

		var done purgeJSON
		c.ok(&done, "purge")
		assert.Equal(t, purgeJSON{AsOf: done.AsOf, Erased: 1, Held: 1, Warned: 1}, done)
		c.ok(&found, "dsar", "--reason", "subject access request", "--email", "old@pupil.example")
		assert.Empty(t, found.Interactions, "erased")
		for email, ref := range map[string]string{"kept@pupil.example": kept, "soon@pupil.example": soon, "new@pupil.example": fresh} {
			c.ok(&found, "dsar", "--reason", "subject access request", "--email", email)
			require.Len(t, found.Interactions, 1, email)
			assert.Equal(t, ref, found.Interactions[0].Ref)
			assert.Nil(t, found.Interactions[0].ErasedAt)
		}
		entries := c.auditLog()
		var purge *auditJSON
		for i := range entries {
			if entries[i].Action == "purge" {
				purge = &entries[i]
			}
		}
		require.NotNil(t, purge)
		assert.Equal(t, osActor(), purge.Actor)
		assert.Equal(t, map[string]string{"erased": "1", "held": "1", "warned": "1"}, purge.Details)
		var rows []struct{ Ref string }
		c.ok(&rows, "export", "--org", s.OrgID)
		for _, row := range rows {
			assert.NotEqual(t, old, row.Ref)
		}

		// Again: nothing left to do, each warning sent once.
		c.ok(&done, "purge")
		assert.Equal(t, purgeJSON{AsOf: done.AsOf, Erased: 0, Held: 1, Warned: 0}, done)
		text = c.run("", "purge")
		require.Equal(t, 0, text.code, text.stderr)
		assert.Contains(t, text.stdout, "Erased 0 interactions")
	})
}

func TestAuditVerifyFindsTampering(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		s := c.school()
		ref := string(c.reporters(s.Code).report("Jo", pupilEmail, pupilIP, "Please help."))
		c.ok(&actJSON{}, "hold", "set", "--ref", ref, "--reason", "claim")
		c.ok(&actJSON{}, "hold", "release", "--ref", ref, "--reason", "settled")
		c.ok(&actJSON{}, "erase", "--ref", ref, "--reason", "erasure request")

		// The school's set-up is entries 1 and 2.
		text := c.run("", "audit", "verify")
		require.Equal(t, 0, text.code, text.stderr)
		assert.Equal(t, "5 entries, chain intact\n", text.stdout)

		c.exec("UPDATE audit_log SET reason = 'tampered' WHERE seq = 4")
		msg := c.fails(exitConflict, "audit", "verify")
		assert.Contains(t, msg, "altered")
		assert.Contains(t, msg, "entry 4 ")
		c.fails(exitConflict, "audit", "verify", "--json")

		c.exec("UPDATE audit_log SET reason = 'settled' WHERE seq = 4")
		c.ok(&struct{}{}, "audit", "verify")

		c.exec("DELETE FROM audit_log WHERE seq = 4")
		assert.Contains(t, c.fails(exitConflict, "audit", "verify"), "entry 5 ")
	})
}

// The JSON a test decodes must be what the operator's scripts read.
func TestProtectionJSONKeys(t *testing.T) {
	b, err := json.Marshal(statsRowJSON{Month: "2026-01", Suppressed: true})
	require.NoError(t, err)
	assert.JSONEq(t, `{"month":"2026-01","inbox":"","channel":"","region":"","total":false,"count":null,"suppressed":true}`, string(b))
}

func TestPurgeErasesDamagedRowsAndFailsLoudly(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		s := c.school()
		pupils := c.reporters(s.Code)
		pupils.clock.at = time.Now().UTC().AddDate(-2, 0, 0)
		damaged := string(pupils.report("Damaged", "damaged@pupil.example", "198.51.100.5", "Two years ago."))
		pupils.report("Whole", "whole@pupil.example", "198.51.100.6", "Two years ago too.")
		// A sealed name that no longer opens: a ciphertext of another column.
		c.exec("UPDATE interactions SET reporter_name_sealed = email_sealed WHERE ref = '" + damaged + "'")
		var done purgeJSON
		c.ok(&done, "purge")
		assert.Equal(t, 2, done.Erased, "the damaged row with the rest")

		// What is due can no longer be read: the purge fails, not reports
		// that nothing was due.
		pupils.report("Later", "later@pupil.example", "198.51.100.7", "Also old.")
		c.execAny("ALTER TABLE interactions RENAME COLUMN created_at TO created_when")
		r := c.run("", "purge")
		assert.Equal(t, exitInternal, r.code, r.stdout)
		assert.Contains(t, r.stderr, "reading what is due")
	})
}

// execAny changes the database's schema behind whisperctl's back.
func (c operator) execAny(query string) {
	c.t.Helper()
	driver, dsn := "pgx", c.env["WHISPER_DATABASE_URL"]
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		driver, dsn = "sqlite", path
	}
	db, err := sql.Open(driver, dsn)
	require.NoError(c.t, err)
	defer db.Close()
	_, err = db.Exec(query)
	require.NoError(c.t, err, query)
}
