package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// mailed returns the set-password links queued to email, in order, of
// kind.
func (a accounts) mailed(t *testing.T, email string, kind domain.DeliveryKind) []string {
	t.Helper()
	var ds []*domain.Delivery
	require.NoError(t, a.store.View(ctx, func(tx ports.Tx) (err error) {
		ds, err = tx.Outbox().List(ctx, ports.OutboxFilter{})
		return err
	}))
	var links []string
	for _, d := range ds {
		if d.To == email && d.Kind == kind {
			links = append(links, d.Link)
		}
	}
	return links
}

// tokenOf is the token at the end of a set-password link.
func tokenOf(link string) string { return link[strings.LastIndex(link, "/")+1:] }

// admin adds an admin to the organisation and signs them in.
func (a accounts) admin(t *testing.T) *app.Actor {
	t.Helper()
	out, err := a.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: a.org.ID, Email: "head@oakfield.example", FirstName: "Rhian", Role: domain.RoleAdmin, Password: goodPassword})
	require.NoError(t, err)
	return a.actor(t, out.Staff, "")
}

// audited counts the audit entries of action.
func (a accounts) audited(t *testing.T, action string) []*domain.AuditEntry {
	t.Helper()
	var all, out []*domain.AuditEntry
	require.NoError(t, a.store.View(ctx, func(tx ports.Tx) (err error) {
		all, err = tx.Audit().List(ctx, 0, 0)
		return err
	}))
	for _, e := range all {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

const newPassword = "violet harbour compass 88"

func TestAForgottenPasswordIsResetThroughItsEmail(t *testing.T) {
	a := newAccounts(t)
	before, err := a.signIn(t, a.sam.Email, goodPassword, "")
	require.NoError(t, err)

	require.NoError(t, a.svc.Portal.ForgotPassword(ctx, app.ForgotPassword{Email: "SAM@oakfield.example", IP: homeIP}))
	require.NoError(t, a.svc.Portal.ForgotPassword(ctx, app.ForgotPassword{Email: "nobody@oakfield.example", IP: homeIP}),
		"an unknown address is answered alike")
	require.NoError(t, a.svc.Portal.ForgotPassword(ctx, app.ForgotPassword{Email: "not an address", IP: homeIP}))
	links := a.mailed(t, a.sam.Email, domain.DeliveryStaffPasswordReset)
	require.Len(t, links, 1)
	assert.Empty(t, a.mailed(t, "nobody@oakfield.example", domain.DeliveryStaffPasswordReset))

	who, err := a.svc.Portal.PasswordLink(ctx, tokenOf(links[0]))
	require.NoError(t, err)
	assert.WithinDuration(t, a.clock.t.Add(time.Hour), who.ExpiresAt, time.Millisecond, "a reset link works for an hour")
	_, err = a.signIn(t, a.sam.Email, goodPassword, "")
	require.NoError(t, err, "asking changes nothing until the link is used")

	require.NoError(t, a.svc.Portal.SetPassword(ctx, tokenOf(links[0]), newPassword, newPassword))
	_, err = a.svc.Portal.Authenticate(ctx, string(before))
	assert.Error(t, err, "using the link signs out every other session")
	_, err = a.signIn(t, a.sam.Email, goodPassword, "")
	assert.ErrorIs(t, err, app.ErrSignInFailed)
	_, err = a.signIn(t, a.sam.Email, newPassword, "")
	assert.NoError(t, err, "the member is back in")
	assert.ErrorIs(t, a.svc.Portal.SetPassword(ctx, tokenOf(links[0]), goodPassword, goodPassword), app.ErrPasswordLinkDead, "once")
}

func TestAResetLinkExpiresAfterAnHour(t *testing.T) {
	a := newAccounts(t)
	require.NoError(t, a.svc.Portal.ForgotPassword(ctx, app.ForgotPassword{Email: a.sam.Email, IP: homeIP}))
	links := a.mailed(t, a.sam.Email, domain.DeliveryStaffPasswordReset)
	require.Len(t, links, 1)
	a.clock.t = a.clock.t.Add(time.Hour)
	assert.ErrorIs(t, a.svc.Portal.SetPassword(ctx, tokenOf(links[0]), newPassword, newPassword), app.ErrPasswordLinkDead)
}

func TestForgotPasswordIsLimited(t *testing.T) {
	a := newAccounts(t)
	for range app.ForgotPerAccount + 2 {
		require.NoError(t, a.svc.Portal.ForgotPassword(ctx, app.ForgotPassword{Email: a.sam.Email, IP: homeIP}))
	}
	assert.Len(t, a.mailed(t, a.sam.Email, domain.DeliveryStaffPasswordReset), app.ForgotPerAccount)
	a.clock.t = a.clock.t.Add(ports.LimitWindow)
	require.NoError(t, a.svc.Portal.ForgotPassword(ctx, app.ForgotPassword{Email: a.sam.Email, IP: homeIP}))
	assert.Len(t, a.mailed(t, a.sam.Email, domain.DeliveryStaffPasswordReset), app.ForgotPerAccount+1, "an hour later, again")
}

func TestAnAdminLetsAMemberBackIn(t *testing.T) {
	a := newAccounts(t)
	head := a.admin(t)
	before, err := a.signIn(t, a.sam.Email, goodPassword, "")
	require.NoError(t, err)

	require.NoError(t, a.svc.Admin.SendPasswordReset(ctx, head, a.sam.ID))
	links := a.mailed(t, a.sam.Email, domain.DeliveryStaffPasswordReset)
	require.Len(t, links, 1)
	require.NoError(t, a.svc.Portal.SetPassword(ctx, tokenOf(links[0]), newPassword, newPassword))
	_, err = a.svc.Portal.Authenticate(ctx, string(before))
	assert.Error(t, err, "signed out everywhere")
	_, err = a.signIn(t, a.sam.Email, newPassword, "")
	assert.NoError(t, err)
	assert.Len(t, a.audited(t, domain.AuditStaffPasswordLink), 1)

	assert.Equal(t, domain.KindConflict, domain.KindOf(a.svc.Admin.ResendInvitation(ctx, head, a.sam.ID)), "Sam has a password")
	nia, token := a.invite(t, "nia@oakfield.example")
	niaID := nia.ID
	list, err := a.svc.Operations.ListStaff(ctx, a.org.ID)
	require.NoError(t, err)
	assert.Len(t, list, 4)
	assert.Equal(t, domain.KindConflict, domain.KindOf(a.svc.Admin.SendPasswordReset(ctx, head, niaID)), "Nia has no password yet")
	require.NoError(t, a.svc.Admin.ResendInvitation(ctx, head, niaID))
	invites := a.mailed(t, "nia@oakfield.example", domain.DeliveryStaffInvite)
	require.Len(t, invites, 1)
	_, err = a.svc.Portal.PasswordLink(ctx, token)
	assert.NoError(t, err, "the first invitation's link still works until it expires")
	require.NoError(t, a.svc.Portal.SetPassword(ctx, tokenOf(invites[0]), newPassword, newPassword))
	_, err = a.signIn(t, "nia@oakfield.example", newPassword, "")
	assert.NoError(t, err)

	staff := a.actor(t, a.kim, "")
	assert.Equal(t, domain.KindNotFound, domain.KindOf(a.svc.Admin.SendPasswordReset(ctx, staff, a.sam.ID)), "only admins")
}

func TestAnAdminResetsALostAuthenticator(t *testing.T) {
	a := newAccounts(t)
	head := a.admin(t)
	secret, _ := a.enrol(t, a.sam)
	withCode, err := a.signIn(t, a.sam.Email, goodPassword, a.code(t, secret, 30*time.Second))
	require.NoError(t, err)

	require.NoError(t, a.svc.Admin.ResetAuthenticator(ctx, head, a.sam.ID))
	_, err = a.svc.Portal.Authenticate(ctx, string(withCode))
	assert.Error(t, err, "their sessions end")
	m := a.stored(t, a.sam.ID)
	assert.False(t, m.TOTPEnabled)
	assert.True(t, m.EnrolTOTP)

	act := a.actor(t, a.sam, "")
	assert.True(t, act.MustEnrolTOTP(), "back in with the password, and must set up an authenticator first")
	key, err := a.svc.Portal.StartTOTP(ctx, act)
	require.NoError(t, err)
	a.clock.t = a.clock.t.Add(2 * time.Minute)
	_, err = a.svc.Portal.ConfirmTOTP(ctx, act, a.code(t, key.Secret, 0))
	require.NoError(t, err)
	assert.False(t, a.stored(t, a.sam.ID).EnrolTOTP, "enrolled again")
	assert.Len(t, a.audited(t, domain.AuditTOTPReset), 1)
}

func TestAnAdminEditsAMembersNameAndAddress(t *testing.T) {
	a := newAccounts(t)
	head := a.admin(t)
	_, err := a.svc.Admin.UpdateMemberDetails(ctx, head, a.sam.ID, app.MemberDetails{FirstName: "Sam", LastName: "Jones", Email: a.kim.Email})
	assert.NotEmpty(t, domain.ProblemsOf(err).Of("email"), "an address another member has")
	_, err = a.svc.Admin.UpdateMemberDetails(ctx, head, a.sam.ID, app.MemberDetails{FirstName: " ", Email: "nope"})
	assert.NotEmpty(t, domain.ProblemsOf(err).Of("email"))
	assert.NotEmpty(t, domain.ProblemsOf(err).Of("first_name"))

	m, err := a.svc.Admin.UpdateMemberDetails(ctx, head, a.sam.ID, app.MemberDetails{FirstName: "Samantha", LastName: "Jones", Email: "samantha@oakfield.example"})
	require.NoError(t, err)
	assert.Equal(t, "Samantha Jones", m.FullName())
	_, err = a.signIn(t, "samantha@oakfield.example", goodPassword, "")
	assert.NoError(t, err, "signs in with the new address")
	_, err = a.signIn(t, "sam@oakfield.example", goodPassword, "")
	assert.ErrorIs(t, err, app.ErrSignInFailed)
	entries := a.audited(t, domain.AuditStaffDetails)
	require.Len(t, entries, 1)
	assert.Equal(t, "name,email", entries[0].Details["changed"])
	assert.NotContains(t, entries[0].Details, "email", "values stay out of the log")
}

func TestTheOperatorLetsAMemberBackIn(t *testing.T) {
	a := newAccounts(t)
	op := app.Operator{Name: "alice"}
	a.enrol(t, a.sam)
	_, err := a.svc.Operations.ResetStaff(ctx, op, app.ResetStaff{ID: a.sam.ID})
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err), "a reason is required")

	out, err := a.svc.Operations.ResetStaff(ctx, op, app.ResetStaff{ID: a.sam.ID, Authenticator: true, Reason: "lost phone, ticket 42"})
	require.NoError(t, err)
	assert.WithinDuration(t, a.clock.t.Add(time.Hour), out.ExpiresAt, time.Millisecond)
	require.NoError(t, a.svc.Portal.SetPassword(ctx, tokenOf(out.URL), newPassword, newPassword))
	token, err := a.signIn(t, a.sam.Email, newPassword, "")
	require.NoError(t, err, "back in with the new password and no code")
	act, err := a.svc.Portal.Authenticate(ctx, string(token))
	require.NoError(t, err)
	assert.True(t, act.MustEnrolTOTP())

	out, err = a.svc.Operations.ResetStaff(ctx, op, app.ResetStaff{ID: a.kim.ID, Email: true, Reason: "asked by phone"})
	require.NoError(t, err)
	assert.Empty(t, out.URL, "an emailed link is not shown")
	assert.Len(t, a.mailed(t, a.kim.Email, domain.DeliveryStaffPasswordReset), 1)
	entries := a.audited(t, domain.AuditStaffPasswordLink)
	require.Len(t, entries, 2)
	assert.Equal(t, "os:alice", entries[0].Actor)
	assert.Equal(t, "lost phone, ticket 42", entries[0].Reason)
	assert.Equal(t, "reset", entries[0].Details["authenticator"])
}

func TestCreateStaffAppliesThePortalsPasswordRules(t *testing.T) {
	h := newHarness(t)
	org := h.org(t)
	_, err := h.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: org.ID, Email: "x@oakfield.example", FirstName: "X", Password: "Liverpool1892!"})
	require.Equal(t, domain.KindInvalid, domain.KindOf(err))
	assert.Contains(t, domain.SafeMessage(err), "too common")
}
