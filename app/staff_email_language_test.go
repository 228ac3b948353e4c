package app_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// queued are the deliveries of kind in the outbox, by address.
func queued(t *testing.T, st ports.Store, kind domain.DeliveryKind) map[string]*domain.Delivery {
	t.Helper()
	out := map[string]*domain.Delivery{}
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		all, err := tx.Outbox().List(ctx, ports.OutboxFilter{})
		for _, d := range all {
			if d.Kind == kind {
				out[d.To] = d
			}
		}
		return err
	}))
	return out
}

// The service writes to each admin of an organisation in the language
// they chose, and to a contact who is no member in English: trial
// reminders, and the operator's notices, with their Welsh when the
// operator wrote one.
func TestNoticesToAnOrganisationAreInEachRecipientsLanguage(t *testing.T) {
	h := newHarness(t)
	op := app.Operator{Name: "test"}
	org, err := h.svc.Operations.CreateOrganisation(ctx, app.CreateOrganisation{Name: "Ysgol Gymraeg", TrialDays: 10})
	require.NoError(t, err)
	_, err = h.svc.Subscriptions.SetContact(ctx, op, org.ID, "bursar@ysgol.example", "Bursar", "test")
	require.NoError(t, err)
	for _, m := range []app.CreateStaff{
		{OrgID: org.ID, Email: "pennaeth@ysgol.example", FirstName: "Nia", Role: domain.RoleAdmin, Language: domain.Welsh},
		{OrgID: org.ID, Email: "head@ysgol.example", FirstName: "Hana", Role: domain.RoleAdmin},
		{OrgID: org.ID, Email: "dsl@ysgol.example", FirstName: "Dev", Role: domain.RoleStaff, Language: domain.Welsh},
	} {
		_, err := h.svc.Operations.CreateStaff(ctx, m)
		require.NoError(t, err)
	}

	h.clock.t = h.clock.t.AddDate(0, 0, 8) // within three days of the end
	out, err := h.svc.Operations.Housekeep(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, out.TrialReminders)
	reminders := queued(t, h.store, domain.DeliveryTrialReminder)
	require.Len(t, reminders, 3, "the contact and the two admins")
	assert.Equal(t, domain.Welsh, reminders["pennaeth@ysgol.example"].Language)
	assert.Equal(t, domain.English, reminders["head@ysgol.example"].Language)
	assert.Equal(t, domain.English, reminders["bursar@ysgol.example"].Language, "a contact who is no member")
	for _, d := range reminders {
		assert.Equal(t, "Ysgol Gymraeg", d.Subject)
		assert.Equal(t, h.svc.Zone.Day(h.svc.Zone.LastDay(*org.TrialEndsAt)), d.Body, "the last day as a calendar day, for the email to name")
	}

	_, err = h.svc.Subscriptions.Notify(ctx, op, app.Notice{
		OrgID: org.ID, Subject: "Planned maintenance", Body: "Down for an hour.",
		WelshSubject: "Gwaith cynnal a chadw", WelshBody: "Ar gau am awr.", Reason: "test",
	})
	require.NoError(t, err)
	notices := queued(t, h.store, domain.DeliveryOperatorNotice)
	require.Len(t, notices, 3)
	assert.Equal(t, [3]any{domain.Welsh, "Gwaith cynnal a chadw", "Ar gau am awr."},
		[3]any{notices["pennaeth@ysgol.example"].Language, notices["pennaeth@ysgol.example"].Subject, notices["pennaeth@ysgol.example"].Body})
	for _, to := range []string{"head@ysgol.example", "bursar@ysgol.example"} {
		assert.Equal(t, [3]any{domain.English, "Planned maintenance", "Down for an hour."},
			[3]any{notices[to].Language, notices[to].Subject, notices[to].Body}, to)
	}

	_, err = h.svc.Subscriptions.Notify(ctx, op, app.Notice{OrgID: org.ID, Subject: "S", Body: "B", WelshSubject: "Pwnc", Reason: "test"})
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err), "Welsh needs both a subject and a body")
	assert.Equal(t, "a notice's Welsh needs both a subject and a body, or neither", domain.SafeMessage(err))
}

// A contact address that is an admin's is written to in that admin's
// language.
func TestAContactWhoIsAnAdminIsWrittenToInTheirLanguage(t *testing.T) {
	h := newHarness(t)
	op := app.Operator{Name: "test"}
	org, err := h.svc.Operations.CreateOrganisation(ctx, app.CreateOrganisation{Name: "Ysgol Gymraeg"})
	require.NoError(t, err)
	_, err = h.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: org.ID, Email: "pennaeth@ysgol.example", FirstName: "Nia", Role: domain.RoleAdmin, Language: domain.Welsh})
	require.NoError(t, err)
	_, err = h.svc.Subscriptions.SetContact(ctx, op, org.ID, "Pennaeth@Ysgol.example", "Nia", "test")
	require.NoError(t, err)
	_, err = h.svc.Subscriptions.Notify(ctx, op, app.Notice{OrgID: org.ID, Subject: "S", Body: "B", Reason: "test"})
	require.NoError(t, err)
	notices := queued(t, h.store, domain.DeliveryOperatorNotice)
	require.Len(t, notices, 1, "one email to the one address")
	for _, d := range notices {
		assert.Equal(t, domain.Welsh, d.Language)
		assert.Equal(t, "S", d.Subject, "no Welsh was written: the English")
	}
}

// An invitation is in the language the admin chose for the new member,
// theirs by default, and the member's portal starts in it.
func TestAnInvitationIsInTheLanguageTheAdminChose(t *testing.T) {
	w := newAdminWorld(t)
	m, err := w.svc.Admin.InviteStaff(ctx, w.asAdmin, app.Invite{Email: "nia@oakfield.example", FirstName: "Nia", Role: "staff", Language: "cy"})
	require.NoError(t, err)
	assert.Equal(t, domain.Welsh, m.Language, "stored as the member's language")
	invites := queued(t, w.store, domain.DeliveryStaffInvite)
	require.Contains(t, invites, "nia@oakfield.example")
	assert.Equal(t, domain.Welsh, invites["nia@oakfield.example"].Language)
	assert.Equal(t, "Oakfield Primary", invites["nia@oakfield.example"].Subject, "the organisation, for the template to say in the email's language")

	// Without a choice, the inviting admin's own language.
	require.NoError(t, w.svc.Portal.SetLanguage(ctx, w.asAdmin, domain.Welsh))
	asWelshAdmin, _ := w.adminSignIn(t, w.admin)
	m, err = w.svc.Admin.InviteStaff(ctx, asWelshAdmin, app.Invite{Email: "rhys@oakfield.example", FirstName: "Rhys", Role: "staff"})
	require.NoError(t, err)
	assert.Equal(t, domain.Welsh, m.Language)
	m, err = w.svc.Admin.InviteStaff(ctx, asWelshAdmin, app.Invite{Email: "sam@oakfield.example", FirstName: "Sam", Role: "staff", Language: "en"})
	require.NoError(t, err)
	assert.Equal(t, domain.English, m.Language)
	assert.Equal(t, domain.English, queued(t, w.store, domain.DeliveryStaffInvite)["sam@oakfield.example"].Language)

	_, err = w.svc.Admin.InviteStaff(ctx, w.asAdmin, app.Invite{Email: "x@oakfield.example", FirstName: "X", Role: "staff", Language: "fr"})
	require.Equal(t, domain.KindInvalid, domain.KindOf(err))
	require.Len(t, domain.ProblemsOf(err), 1)
	assert.Equal(t, domain.FieldProblem{Field: "language", Safe: domain.Say("choose English or Welsh")}, domain.ProblemsOf(err)[0])
}
