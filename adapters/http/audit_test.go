package http_test

import (
	nethttp "net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
)

// Every sensitive act done in the portal leaves exactly one audit entry,
// naming its actor and organisation, and no entry holds anything of a
// reporter.
func TestPortalActsAreAudited(t *testing.T) {
	p := newPortal(t)
	const (
		name  = "Rowan Reporter"
		email = "rowan.reporter@pupil.example"
		body  = "The bins behind the sports hall, every Tuesday."
	)
	p.report(body, "name", name, "email", email)
	admin, staff := p.as(p.admin), p.as(p.staff)
	adminActor, staffActor := "staff:"+string(p.admin.ID), "staff:"+string(p.staff.ID)
	f, ib := "/staff/admin/forms/"+string(p.form.ID), "/staff/admin/inboxes/"+string(p.inbox.ID)
	m := "/staff/admin/staff/" + string(p.otherInbox.ID)
	post := func(b *browser, path string, form url.Values, want int) func() {
		return func() {
			r := b.post(path, form)
			require.Equal(t, want, r.status, r.body)
		}
	}
	var secret string
	acts := []struct {
		name   string
		do     func()
		action string
		actor  string
	}{
		{"sign in", func() {
			require.Equal(t, nethttp.StatusSeeOther, p.anonymous().signIn(p.staff.Email, staffPassword, "").status)
		}, domain.AuditStaffSignIn, staffActor},
		{"create a form", post(admin, "/staff/admin/forms/new", url.Values{"name": {"Oakfield Juniors"}, "code": {"OAKJ"}}, 303), domain.AuditFormCreate, adminActor},
		{"change a form's swear policy", post(admin, f, url.Values{"name": {"Oakfield Primary"}, "language": {"en"}, "swear_policy": {"block"}}, 303), domain.AuditFormChange, adminActor},
		{"close a form", post(admin, f+"/close", nil, 303), domain.AuditFormOpen, adminActor},
		{"create an inbox", post(admin, f+"/inboxes", url.Values{"inbox_name": {"Bullying"}}, 303), domain.AuditInboxCreate, adminActor},
		{"change an inbox", post(admin, ib, url.Values{"name": {"Worries"}, "notify": {"dsl@oakfield.example"}}, 303), domain.AuditInboxChange, adminActor},
		{"invite staff", post(admin, "/staff/admin/staff/new", url.Values{"email": {"nia@oakfield.example"}, "first_name": {"Nia"}, "role": {"staff"}}, 303), domain.AuditStaffInvite, adminActor},
		{"change a member's inboxes", post(admin, m, url.Values{"role": {"staff"}, "inboxes": {string(p.inbox.ID)}}, 303), domain.AuditStaffInboxes, adminActor},
		{"change a member's role", post(admin, m, url.Values{"role": {"admin"}, "inboxes": {string(p.inbox.ID)}}, 303), domain.AuditStaffRole, adminActor},
		{"change the retention", post(admin, "/staff/admin/settings", url.Values{"retention": {"24"}}, 303), domain.AuditOrgRetention, adminActor},
		{"change the swear words", post(admin, "/staff/admin/settings", url.Values{"retention": {"24"}, "swear_words": {"numpty"}}, 303), domain.AuditOrgSettings, adminActor},
		{"export as CSV", func() { require.Equal(t, 200, staff.get("/staff/export.csv").status) }, domain.AuditExport, staffActor},
		{"export as JSON", func() { require.Equal(t, 200, staff.get("/staff/export.json").status) }, domain.AuditExport, staffActor},
		{"enrol an authenticator", func() {
			post(staff, "/staff/account/totp/start", nil, 303)()
			secret = p.stored(p.staff.ID).TOTPSecret
			code, err := totp.GenerateCode(secret, p.clock.Now())
			require.NoError(t, err)
			post(staff, "/staff/account/totp/confirm", url.Values{"code": {code}}, 200)()
		}, domain.AuditTOTPEnrol, staffActor},
		{"new recovery codes", post(staff, "/staff/account/recovery-codes", url.Values{"password": {staffPassword}}, 200), domain.AuditRecoveryCodes, staffActor},
		{"turn the authenticator off", post(staff, "/staff/account/totp/disable", url.Values{"password": {staffPassword}}, 303), domain.AuditTOTPReset, staffActor},
		{"remove a member", post(admin, m+"/remove", nil, 303), domain.AuditStaffRemoved, adminActor},
	}
	seen := len(p.auditLog())
	for _, act := range acts {
		act.do()
		log := p.auditLog()
		if assert.Len(t, log, seen+1, act.name) {
			e := log[seen]
			assert.Equal(t, act.action, e.Action, act.name)
			assert.Equal(t, act.actor, e.Actor, act.name)
			assert.Equal(t, p.org.ID, e.OrgID, act.name)
		}
		seen = len(log)
	}
	for _, e := range p.auditLog() {
		fields := []string{e.Actor, e.Action, string(e.OrgID), string(e.Ref), e.Reason}
		for k, v := range e.Details {
			fields = append(fields, k, v)
		}
		all := strings.ToLower(strings.Join(fields, " "))
		for _, personal := range []string{name, email, body, "sports hall", "rowan", "127.0.0.1"} {
			assert.NotContains(t, all, strings.ToLower(personal), "entry %d (%s)", e.Seq, e.Action)
		}
		for _, m := range []*domain.Staff{p.admin, p.staff, p.otherInbox} {
			assert.NotContains(t, all, strings.ToLower(m.Email), "staff are named by id")
		}
	}
}

// auditLog is the whole audit log.
func (p *portal) auditLog() []*domain.AuditEntry {
	p.t.Helper()
	entries, err := p.svc.Operations.AuditLog(ctx, 0, 0)
	require.NoError(p.t, err)
	return entries
}
