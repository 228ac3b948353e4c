package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
