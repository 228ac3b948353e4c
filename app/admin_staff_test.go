package app_test

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

func TestAdminStaffListsCurrentMembersWithInboxes(t *testing.T) {
	w := newAdminWorld(t)
	gone := w.adminMember(t, w.org.ID, "gone@oakfield.example", "Gus", domain.RoleStaff)
	require.NoError(t, w.svc.Admin.RemoveMember(ctx, w.asAdmin, gone.ID))
	w.tick()
	juniors, err := w.svc.Admin.CreateForm(ctx, w.asAdmin, app.NewForm{Name: "Oakfield Juniors", Code: "OAKJ"})
	require.NoError(t, err)

	dir, err := w.svc.Admin.Staff(ctx, w.asAdmin)
	require.NoError(t, err)
	var emails []string
	for _, m := range dir.Members {
		emails = append(emails, m.Email)
	}
	assert.Equal(t, []string{"alex@oakfield.example", "head@oakfield.example"}, emails, "removed and other organisations' members are hidden")
	assert.Equal(t, []app.InboxChoice{
		{ID: w.inbox.ID, Label: "General (Oakfield Primary)"},
		{ID: juniors.Inbox.ID, Label: "General (Oakfield Juniors)"},
	}, dir.Inboxes, "with two forms, each General says whose it is")
}

func TestInviteStaffQueuesTheSetPasswordLink(t *testing.T) {
	w := newAdminWorld(t)
	// A report first, so that any leak of its data into the invitation
	// would show.
	rc, err := w.svc.Reporting.SubmitReport(ctx, app.SubmitReport{
		FormCode: "OAK", Name: secretName, Email: secretMail, Body: secretBody, IP: netip.MustParseAddr("203.0.113.5"),
	})
	require.NoError(t, err)
	before := w.snapshot(t)

	m, err := w.svc.Admin.InviteStaff(ctx, w.asAdmin, app.Invite{
		Email: "nia@Oakfield.Example", FirstName: " Nia ", LastName: "Jones", Role: "staff",
		InboxIDs: []domain.InboxID{w.inbox.ID, w.inbox.ID},
	})
	require.NoError(t, err)
	assert.Equal(t, "nia@oakfield.example", m.Email)
	assert.Equal(t, "Nia", m.FirstName)
	assert.Equal(t, domain.RoleStaff, m.Role)
	assert.Equal(t, w.org.ID, m.OrgID)
	assert.Equal(t, []domain.InboxID{w.inbox.ID}, m.InboxIDs)
	assert.Empty(t, m.PasswordHash, "the member chooses their own password")

	after := w.snapshot(t)
	require.Len(t, after.Deliveries, len(before.Deliveries)+1, "one email queued")
	var invite *domain.Delivery
	for _, d := range after.Deliveries {
		if d.Kind == domain.DeliveryStaffInvite {
			require.Nil(t, invite, "only one invitation")
			invite = d
		}
	}
	require.NotNil(t, invite)
	assert.Equal(t, domain.DeliveryStaffInvite, invite.Kind)
	assert.Equal(t, domain.DeliveryEmail, invite.Channel)
	assert.Equal(t, domain.DeliveryPending, invite.Status)
	assert.Equal(t, "nia@oakfield.example", invite.To)
	assert.Equal(t, w.org.ID, invite.OrgID)
	assert.Empty(t, invite.InteractionID)
	assert.Contains(t, invite.Subject, "Oakfield Primary", "the subject names the organisation")
	for _, field := range []string{invite.Subject, invite.To, invite.Link, invite.Body} {
		for _, secret := range []string{secretBody, secretName, secretMail, "203.0.113.5", string(rc.Token), string(rc.Ref)} {
			assert.NotContains(t, field, secret, "no reporter data in an invitation")
		}
	}

	token, ok := strings.CutPrefix(invite.Link, "https://whisper.example.org/staff/set-password/")
	require.True(t, ok, invite.Link)
	parsed, err := domain.ParseToken(token)
	require.NoError(t, err)
	require.NoError(t, w.store.View(ctx, func(tx ports.Tx) error {
		link, err := tx.Staff().GetPasswordLink(ctx, parsed.Hash())
		if err != nil {
			return err
		}
		assert.Equal(t, m.ID, link.StaffID, "the link sets this member's password")
		assert.True(t, link.Usable(w.clock.Now()))
		assert.False(t, link.Usable(w.clock.Now().Add(domain.PasswordLinkLifetime+1)), "for 24 hours")
		return nil
	}))
}

func TestInviteStaffRefusesBadInput(t *testing.T) {
	w := newAdminWorld(t)
	w.adminMember(t, w.org.ID, "removed@oakfield.example", "Rae", domain.RoleStaff)
	before := w.snapshot(t)
	for name, c := range map[string]struct {
		in     app.Invite
		fields []string
	}{
		"everything wrong":     {app.Invite{Email: "nope", LastName: strings.Repeat("l", 101), Role: "boss"}, []string{"email", "first_name", "last_name", "role"}},
		"no role":              {app.Invite{Email: "a@oakfield.example", FirstName: "A"}, []string{"role"}},
		"another org's inbox":  {app.Invite{Email: "a@oakfield.example", FirstName: "A", Role: "staff", InboxIDs: []domain.InboxID{w.inboxB.ID}}, []string{"inboxes"}},
		"unknown inbox":        {app.Invite{Email: "a@oakfield.example", FirstName: "A", Role: "staff", InboxIDs: []domain.InboxID{"inb_nonsense"}}, []string{"inboxes"}},
		"taken here":           {app.Invite{Email: "ALEX@oakfield.example", FirstName: "A", Role: "staff"}, []string{"email"}},
		"taken, and bad inbox": {app.Invite{Email: "alex@oakfield.example", FirstName: "A", Role: "staff", InboxIDs: []domain.InboxID{w.inboxB.ID}}, []string{"email", "inboxes"}},
	} {
		_, err := w.svc.Admin.InviteStaff(ctx, w.asAdmin, c.in)
		require.Equal(t, domain.KindInvalid, domain.KindOf(err), name)
		for _, field := range c.fields {
			assert.NotEmpty(t, domain.ProblemsOf(err).Of(field), "%s: %s", name, field)
		}
	}
	assert.Equal(t, before, w.snapshot(t), "no account, no link, no email")
	// An address with an account in another organisation is no bad input:
	// refusing it would tell the admin so (see
	// TestInvitingAnAddressOfAnotherOrganisationRevealsNothing in
	// adapters/http).
	m, err := w.svc.Admin.InviteStaff(ctx, w.asAdmin, app.Invite{Email: "head@birchwood.example", FirstName: "A", Role: "admin"})
	require.NoError(t, err)
	assert.True(t, m.SignsInElsewhere)
}

func TestInviteStaffReusesARemovedMembersAddress(t *testing.T) {
	w := newAdminWorld(t)
	old := w.adminMember(t, w.org.ID, "back@oakfield.example", "Bo", domain.RoleStaff)
	require.NoError(t, w.svc.Admin.RemoveMember(ctx, w.asAdmin, old.ID))
	m, err := w.svc.Admin.InviteStaff(ctx, w.asAdmin, app.Invite{Email: "back@oakfield.example", FirstName: "Bo", Role: "staff"})
	require.NoError(t, err)
	assert.NotEqual(t, old.ID, m.ID, "a new account")
}

func TestUpdateMember(t *testing.T) {
	w := newAdminWorld(t)
	second, err := w.svc.Admin.CreateInbox(ctx, w.asAdmin, w.form.ID, "Online worries")
	require.NoError(t, err)

	m, err := w.svc.Admin.UpdateMember(ctx, w.asAdmin, w.staff.ID, app.MemberSettings{Role: "admin", InboxIDs: []domain.InboxID{second.ID}})
	require.NoError(t, err)
	assert.Equal(t, domain.RoleAdmin, m.Role)
	assert.Equal(t, []domain.InboxID{second.ID}, m.InboxIDs)
	a, err := w.svc.Portal.Authenticate(ctx, string(w.staffSession))
	require.NoError(t, err)
	assert.True(t, a.IsAdmin(), "the new role holds from the next request")
	assert.Nil(t, a.Viewer.InboxIDs, "and the member sees every inbox")

	// With two admins, either may make the other staff again.
	m, err = w.svc.Admin.UpdateMember(ctx, w.asAdmin, w.staff.ID, app.MemberSettings{Role: "staff"})
	require.NoError(t, err)
	assert.Equal(t, domain.RoleStaff, m.Role)
	assert.Empty(t, m.InboxIDs)

	self, err := w.svc.Admin.UpdateMember(ctx, w.asAdmin, w.admin.ID, app.MemberSettings{Role: "admin", InboxIDs: []domain.InboxID{w.inbox.ID}})
	require.NoError(t, err, "an admin may change their own inboxes")
	assert.Equal(t, []domain.InboxID{w.inbox.ID}, self.InboxIDs)
}

func TestUpdateMemberRefusals(t *testing.T) {
	w := newAdminWorld(t)
	deputy := w.adminMember(t, w.org.ID, "deputy@oakfield.example", "Dee", domain.RoleAdmin)
	asDeputy, _ := w.adminSignIn(t, deputy)
	before := w.snapshot(t)

	_, err := w.svc.Admin.UpdateMember(ctx, w.asAdmin, w.admin.ID, app.MemberSettings{Role: "staff"})
	require.Equal(t, domain.KindInvalid, domain.KindOf(err))
	assert.Contains(t, domain.ProblemsOf(err).Of("role"), "your own role", "not even with another admin about")

	for name, c := range map[string]struct {
		in    app.MemberSettings
		field string
	}{
		"bad role":            {app.MemberSettings{Role: "owner"}, "role"},
		"no role":             {app.MemberSettings{}, "role"},
		"another org's inbox": {app.MemberSettings{Role: "staff", InboxIDs: []domain.InboxID{w.inboxB.ID}}, "inboxes"},
	} {
		_, err := w.svc.Admin.UpdateMember(ctx, w.asAdmin, w.staff.ID, c.in)
		require.Equal(t, domain.KindInvalid, domain.KindOf(err), name)
		assert.NotEmpty(t, domain.ProblemsOf(err).Of(c.field), name)
	}
	_, err = w.svc.Admin.UpdateMember(ctx, w.asAdmin, w.adminB.ID, app.MemberSettings{Role: "staff"})
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err), "another organisation's member")
	assert.Equal(t, before, w.snapshot(t), "nothing changed")

	// Deputy demotes Hana; Hana's session now acts as staff and cannot
	// touch Deputy, the last admin, who cannot demote themselves.
	_, err = w.svc.Admin.UpdateMember(ctx, asDeputy, w.admin.ID, app.MemberSettings{Role: "staff"})
	require.NoError(t, err)
	hana, err := w.svc.Portal.Authenticate(ctx, string(w.adminSession))
	require.NoError(t, err)
	_, err = w.svc.Admin.UpdateMember(ctx, hana, deputy.ID, app.MemberSettings{Role: "staff"})
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err), "no longer an admin")
	_, err = w.svc.Admin.UpdateMember(ctx, asDeputy, deputy.ID, app.MemberSettings{Role: "staff"})
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err), "the last admin stays")
	assert.Equal(t, domain.RoleAdmin, w.members(t)[deputy.ID].Role)
}

func TestLastAdminRuleHoldsEvenForAStaleActor(t *testing.T) {
	w := newAdminWorld(t)
	deputy := w.adminMember(t, w.org.ID, "deputy@oakfield.example", "Dee", domain.RoleAdmin)
	// Hana's actor was loaded while she was admin; Deputy then demotes her.
	// Acting on that stale actor, she must not leave the school without an
	// admin.
	stale := w.asAdmin
	asDeputy, _ := w.adminSignIn(t, deputy)
	_, err := w.svc.Admin.UpdateMember(ctx, asDeputy, w.admin.ID, app.MemberSettings{Role: "staff"})
	require.NoError(t, err)
	_, err = w.svc.Admin.UpdateMember(ctx, stale, deputy.ID, app.MemberSettings{Role: "staff"})
	require.Equal(t, domain.KindInvalid, domain.KindOf(err))
	assert.Contains(t, domain.ProblemsOf(err).Of("role"), "at least one admin")
	err = w.svc.Admin.RemoveMember(ctx, stale, deputy.ID)
	require.Equal(t, domain.KindInvalid, domain.KindOf(err))
	assert.Contains(t, domain.ProblemsOf(err).Of("remove"), "at least one admin")
	assert.Equal(t, domain.RoleAdmin, w.members(t)[deputy.ID].Role)
	assert.Nil(t, w.members(t)[deputy.ID].RemovedAt)
}

func TestRemoveMemberEndsTheirSessionsAtOnce(t *testing.T) {
	w := newAdminWorld(t)
	_, second := w.adminSignIn(t, w.staff)
	require.NoError(t, w.store.InTx(ctx, func(tx ports.Tx) error {
		return tx.Staff().SetRecoveryCodes(ctx, w.staff.ID, []string{"h1", "h2"})
	}))

	require.NoError(t, w.svc.Admin.RemoveMember(ctx, w.asAdmin, w.staff.ID))
	for _, token := range []domain.Token{w.staffSession, second} {
		_, err := w.svc.Portal.Authenticate(ctx, string(token))
		assert.ErrorIs(t, err, app.ErrNotSignedIn, "every session ended")
	}
	gone := w.members(t)[w.staff.ID]
	require.NotNil(t, gone.RemovedAt)
	assert.Equal(t, w.clock.Now().UTC().Truncate(1000), *gone.RemovedAt)
	assert.Empty(t, gone.InboxIDs, "no more alerts")
	assert.Empty(t, gone.PasswordHash)
	assert.Empty(t, gone.TOTPSecret)
	assert.Equal(t, "Alex", gone.FirstName, "replies keep their author's name")
	require.NoError(t, w.store.View(ctx, func(tx ports.Tx) error {
		left, err := tx.Staff().RecoveryCodesLeft(ctx, w.staff.ID)
		assert.Zero(t, left)
		return err
	}))

	_, err := w.svc.Admin.Member(ctx, w.asAdmin, w.staff.ID)
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err), "a removed member is gone from the admin pages")
	err = w.svc.Admin.RemoveMember(ctx, w.asAdmin, w.staff.ID)
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err), "and cannot be removed twice")
	_, err = w.svc.Portal.Authenticate(ctx, string(w.adminSession))
	assert.NoError(t, err, "the admin's own session is untouched")
}

func TestRemoveMemberRefusals(t *testing.T) {
	w := newAdminWorld(t)
	before := w.snapshot(t)
	err := w.svc.Admin.RemoveMember(ctx, w.asAdmin, w.admin.ID)
	require.Equal(t, domain.KindInvalid, domain.KindOf(err))
	assert.Contains(t, domain.ProblemsOf(err).Of("remove"), "yourself")
	err = w.svc.Admin.RemoveMember(ctx, w.asAdmin, w.adminB.ID)
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err))
	assert.Equal(t, before, w.snapshot(t), "nothing changed")
	_, err = w.svc.Portal.Authenticate(ctx, string(w.adminSession))
	assert.NoError(t, err, "the refused admin is still signed in")
}

func TestADemotedAdminsStaleActorChangesNoOne(t *testing.T) {
	w := newAdminWorld(t)
	deputy := w.adminMember(t, w.org.ID, "deputy@oakfield.example", "Dee", domain.RoleAdmin)
	// Hana's actor was loaded while she was admin; Deputy then demotes her.
	stale := w.asAdmin
	asDeputy, _ := w.adminSignIn(t, deputy)
	_, err := w.svc.Admin.UpdateMember(ctx, asDeputy, w.admin.ID, app.MemberSettings{Role: "staff"})
	require.NoError(t, err)
	before := w.snapshot(t)
	_, err = w.svc.Admin.UpdateMember(ctx, stale, w.staff.ID, app.MemberSettings{Role: "admin"})
	assert.ErrorIs(t, err, app.ErrAdminOnly, "no longer an admin, so no promotions")
	err = w.svc.Admin.RemoveMember(ctx, stale, w.staff.ID)
	assert.ErrorIs(t, err, app.ErrAdminOnly, "nor removals")
	assert.Equal(t, before, w.snapshot(t), "nothing changed")
}
