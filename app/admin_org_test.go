package app_test

import (
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// adminWorld is a school (org A: form OAK, inbox General, staff member
// Alex assigned to it) with an admin, and a second organisation B with
// its own form and admin, each signed in through a real session.
type adminWorld struct {
	school
	org                        *domain.Organisation
	admin                      *domain.Staff
	asAdmin, asStaff           *app.Actor
	orgB                       *domain.Organisation
	formB                      *domain.Form
	inboxB                     *domain.Inbox
	adminB                     *domain.Staff
	asAdminB                   *app.Actor
	staffSession, adminSession domain.Token
}

func newAdminWorld(t *testing.T) adminWorld {
	t.Helper()
	w := adminWorld{school: newSchool(t)}
	w.org = w.adminOrg(t, w.form.OrgID)
	w.admin = w.adminMember(t, w.org.ID, "head@oakfield.example", "Hana", domain.RoleAdmin)
	w.asAdmin, w.adminSession = w.adminSignIn(t, w.admin)
	w.asStaff, w.staffSession = w.adminSignIn(t, w.staff)

	w.orgB = w.adminOrg(t, "")
	fc, err := w.svc.Operations.CreateForm(ctx, app.CreateForm{OrgID: w.orgB.ID, Name: "Birchwood High", Code: "BIRCH"})
	require.NoError(t, err)
	w.formB, w.inboxB = fc.Form, fc.Inbox
	w.adminB = w.adminMember(t, w.orgB.ID, "head@birchwood.example", "Bea", domain.RoleAdmin)
	w.asAdminB, _ = w.adminSignIn(t, w.adminB)
	return w
}

// adminOrg loads organisation id, or makes a new one when id is empty.
func (w adminWorld) adminOrg(t *testing.T, id domain.OrgID) *domain.Organisation {
	t.Helper()
	if id == "" {
		org, err := w.svc.Operations.CreateOrganisation(ctx, app.CreateOrganisation{Name: "Birchwood High"})
		require.NoError(t, err)
		return org
	}
	var org *domain.Organisation
	require.NoError(t, w.store.View(ctx, func(tx ports.Tx) (err error) {
		org, err = tx.Organisations().Get(ctx, id)
		return err
	}))
	return org
}

func (w adminWorld) adminMember(t *testing.T, org domain.OrgID, email, first string, role domain.Role, inboxes ...domain.InboxID) *domain.Staff {
	t.Helper()
	w.tick()
	out, err := w.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: org, Email: email, FirstName: first, Role: role, InboxIDs: inboxes})
	require.NoError(t, err)
	return out.Staff
}

// tick moves the clock on a second, so that what is made next sorts after
// what came before.
func (w adminWorld) tick() { w.clock.t = w.clock.t.Add(time.Second) }

// adminSignIn opens a session for m in the store and authenticates it,
// as the portal does on every request.
func (w adminWorld) adminSignIn(t *testing.T, m *domain.Staff) (*app.Actor, domain.Token) {
	t.Helper()
	token, err := domain.NewToken(rand.Reader)
	require.NoError(t, err)
	now := w.clock.Now()
	require.NoError(t, w.store.InTx(ctx, func(tx ports.Tx) error {
		return tx.Sessions().Create(ctx, &domain.Session{IDHash: token.Hash(), StaffID: m.ID, CreatedAt: now, LastSeenAt: now})
	}))
	a, err := w.svc.Portal.Authenticate(ctx, string(token))
	require.NoError(t, err)
	return a, token
}

// snapshot is everything an admin use case may change, so a refusal can
// be shown to have changed nothing.
func (w adminWorld) snapshot(t *testing.T) storetest.AdminState {
	t.Helper()
	return storetest.ReadAdminState(t, w.store)
}

func TestAdminUseCasesRefuseStaffAsNotFound(t *testing.T) {
	w := newAdminWorld(t)
	before := w.snapshot(t)
	for name, call := range adminCalls(w, w.asStaff) {
		err := call()
		assert.Equal(t, domain.KindNotFound, domain.KindOf(err), name)
		assert.Equal(t, "not found", domain.SafeMessage(err), name)
	}
	assert.Equal(t, before, w.snapshot(t), "a staff member changed nothing")
}

func TestAdminUseCasesRefuseAnotherOrganisationAsNotFound(t *testing.T) {
	w := newAdminWorld(t)
	before := w.snapshot(t)
	calls := adminCalls(w, w.asAdminB)
	// These act on the actor's own organisation, so B's admin may use them.
	for _, own := range []string{"AdminForms", "AdminCreateForm", "AdminStaff", "InviteStaff", "AdminOrganisation", "UpdateOrgSettings"} {
		delete(calls, own)
	}
	for name, call := range calls {
		assert.Equal(t, domain.KindNotFound, domain.KindOf(call()), name)
	}
	assert.Equal(t, before, w.snapshot(t), "B's admin changed nothing of A's")
}

// adminCalls calls every admin use case as a on organisation A's things,
// with input that would be accepted from A's admin.
func adminCalls(w adminWorld, a *app.Actor) map[string]func() error {
	keep := func(_ any, err error) error { return err }
	return map[string]func() error{
		"AdminForms":      func() error { return keep(w.svc.Admin.Forms(ctx, a)) },
		"AdminForm":       func() error { return keep(w.svc.Admin.Form(ctx, a, w.form.ID)) },
		"AdminCreateForm": func() error { return keep(w.svc.Admin.CreateForm(ctx, a, app.NewForm{Name: "New", Code: "NEW1"})) },
		"UpdateForm": func() error {
			return keep(w.svc.Admin.UpdateForm(ctx, a, w.form.ID, app.FormSettings{Name: "X", Language: "en", SwearPolicy: "off"}))
		},
		"SetFormOpen":      func() error { return w.svc.Admin.SetFormOpen(ctx, a, w.form.ID, false) },
		"AdminCreateInbox": func() error { return keep(w.svc.Admin.CreateInbox(ctx, a, w.form.ID, "Bullying")) },
		"AdminInbox":       func() error { return keep(w.svc.Admin.Inbox(ctx, a, w.inbox.ID)) },
		"UpdateInbox": func() error {
			return keep(w.svc.Admin.UpdateInbox(ctx, a, w.inbox.ID, app.InboxSettings{Name: "Renamed"}))
		},
		"AdminStaff":  func() error { return keep(w.svc.Admin.Staff(ctx, a)) },
		"AdminMember": func() error { return keep(w.svc.Admin.Member(ctx, a, w.staff.ID)) },
		"InviteStaff": func() error {
			return keep(w.svc.Admin.InviteStaff(ctx, a, app.Invite{Email: "new@oakfield.example", FirstName: "Nia", Role: "staff"}))
		},
		"UpdateMember": func() error {
			return keep(w.svc.Admin.UpdateMember(ctx, a, w.staff.ID, app.MemberSettings{Role: "admin"}))
		},
		"RemoveMember":      func() error { return w.svc.Admin.RemoveMember(ctx, a, w.staff.ID) },
		"AdminOrganisation": func() error { return keep(w.svc.Admin.Organisation(ctx, a)) },
		"UpdateOrgSettings": func() error {
			return keep(w.svc.Admin.UpdateOrgSettings(ctx, a, app.OrgSettings{RetentionMonths: "6"}))
		},
	}
}

func TestUpdateOrgSettings(t *testing.T) {
	w := newAdminWorld(t)
	org, err := w.svc.Admin.UpdateOrgSettings(ctx, w.asAdmin, app.OrgSettings{
		RetentionMonths: "24", RequireTOTP: true, SwearWords: "  numpty \r\nplonker\n\nNumpty\n  two  words ",
	})
	require.NoError(t, err)
	assert.Equal(t, domain.Retention24, org.Retention)
	assert.True(t, org.RequireTOTP)
	assert.Equal(t, []string{"numpty", "plonker", "two words"}, org.SwearWords, "trimmed, blank lines and repeats dropped")
	got, err := w.svc.Admin.Organisation(ctx, w.asAdmin)
	require.NoError(t, err)
	assert.Equal(t, org, got, "saved")

	got, err = w.svc.Admin.UpdateOrgSettings(ctx, w.asAdmin, app.OrgSettings{RetentionMonths: "6"})
	require.NoError(t, err)
	assert.Equal(t, domain.Retention6, got.Retention)
	assert.False(t, got.RequireTOTP)
	assert.Empty(t, got.SwearWords, "an empty box clears the list")
}

func TestUpdateOrgSettingsRefusesBadInput(t *testing.T) {
	w := newAdminWorld(t)
	_, err := w.svc.Admin.UpdateOrgSettings(ctx, w.asAdmin, app.OrgSettings{RetentionMonths: "12", SwearWords: "numpty"})
	require.NoError(t, err)
	before := w.snapshot(t)

	tooMany := make([]string, app.MaxSwearWords+1)
	for i := range tooMany {
		tooMany[i] = "word" + strings.Repeat("x", i%40) + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	for name, c := range map[string]struct {
		in    app.OrgSettings
		field string
	}{
		"retention 7":     {app.OrgSettings{RetentionMonths: "7"}, "retention"},
		"retention words": {app.OrgSettings{RetentionMonths: "a year"}, "retention"},
		"retention empty": {app.OrgSettings{}, "retention"},
		"long word":       {app.OrgSettings{RetentionMonths: "6", SwearWords: "ok\n" + strings.Repeat("z", app.MaxSwearWordLength+1)}, "swear_words"},
		"too many words":  {app.OrgSettings{RetentionMonths: "6", SwearWords: strings.Join(tooMany, "\n")}, "swear_words"},
	} {
		_, err := w.svc.Admin.UpdateOrgSettings(ctx, w.asAdmin, c.in)
		require.Equal(t, domain.KindInvalid, domain.KindOf(err), name)
		assert.NotEmpty(t, domain.ProblemsOf(err).Of(c.field), name)
	}
	_, err = w.svc.Admin.UpdateOrgSettings(ctx, w.asAdmin, app.OrgSettings{RetentionMonths: "6", SwearWords: "ok\n" + strings.Repeat("z", 51)})
	assert.Equal(t, "line 2 is longer than 50 characters", domain.ProblemsOf(err).Of("swear_words"), "the line is named, not repeated")
	assert.Equal(t, before, w.snapshot(t), "nothing changed")

	exactly, err := w.svc.Admin.UpdateOrgSettings(ctx, w.asAdmin, app.OrgSettings{RetentionMonths: "36", SwearWords: strings.Join(tooMany[:app.MaxSwearWords], "\n")})
	require.NoError(t, err, "the limit itself is allowed")
	assert.Len(t, exactly.SwearWords, app.MaxSwearWords)
}
