package app_test

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/passhash"
	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

var ctx = context.Background()

// fixedClock is a clock tests move by hand.
type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { return c.t }

var start = time.Date(2026, 9, 1, 8, 30, 0, 123456789, time.UTC)

type harness struct {
	svc    *app.App
	store  ports.Store
	clock  *fixedClock
	hasher *passhash.Argon2id
}

func newHarness(t testing.TB) harness {
	t.Helper()
	return newHarnessOn(t, storetest.OpenSQLite(t))
}

// newHarnessOn is a harness on st.
func newHarnessOn(t testing.TB, st ports.Store) harness {
	t.Helper()
	h := harness{store: st, clock: &fixedClock{start}, hasher: passhash.New(passhash.TestParams(), 2)}
	h.svc = app.New(app.Deps{Store: st, Clock: h.clock, Random: rand.Reader, Hasher: h.hasher, PublicURL: "https://whisper.example.org/"})
	return h
}

func (h harness) org(t testing.TB) *domain.Organisation {
	t.Helper()
	org, err := h.svc.Operations.CreateOrganisation(ctx, app.CreateOrganisation{Name: "Oakfield Primary"})
	require.NoError(t, err)
	return org
}

func (h harness) countForms(t *testing.T, org domain.OrgID) int {
	t.Helper()
	var n int
	require.NoError(t, h.store.View(ctx, func(tx ports.Tx) error {
		forms, err := tx.Forms().List(ctx, ports.FormFilter{OrgID: &org})
		n = len(forms)
		return err
	}))
	return n
}

func TestCreateOrganisation(t *testing.T) {
	h := newHarness(t)
	org, err := h.svc.Operations.CreateOrganisation(ctx, app.CreateOrganisation{Name: "  Oakfield Primary "})
	require.NoError(t, err)
	assert.Equal(t, "Oakfield Primary", org.Name)
	assert.Equal(t, domain.OrgActive, org.Status, "no trial asked for")
	assert.Equal(t, domain.DefaultRetention, org.Retention)
	assert.Equal(t, start.Truncate(time.Microsecond), org.CreatedAt, "times are kept to the microsecond")

	trial, err := h.svc.Operations.CreateOrganisation(ctx, app.CreateOrganisation{Name: "Trial School", TrialDays: 30, RetentionMonths: 36})
	require.NoError(t, err)
	assert.Equal(t, domain.OrgTrial, trial.Status)
	require.NotNil(t, trial.TrialEndsAt)
	assert.Equal(t, org.CreatedAt.AddDate(0, 0, 30), *trial.TrialEndsAt)
	assert.Equal(t, domain.Retention36, trial.Retention)

	for name, in := range map[string]app.CreateOrganisation{
		"bad retention":  {Name: "X", RetentionMonths: 7},
		"no name":        {Name: "  "},
		"negative trial": {Name: "X", TrialDays: -1},
	} {
		_, err := h.svc.Operations.CreateOrganisation(ctx, in)
		assert.Equal(t, domain.KindInvalid, domain.KindOf(err), name)
	}
	orgs, err := h.svc.Operations.ListOrganisations(ctx)
	require.NoError(t, err)
	assert.Len(t, orgs, 2, "refused requests wrote nothing")
}

func TestSetOrganisationStatus(t *testing.T) {
	h := newHarness(t)
	org, err := h.svc.Operations.CreateOrganisation(ctx, app.CreateOrganisation{Name: "Trial School", TrialDays: 10})
	require.NoError(t, err)
	got, err := h.svc.Operations.SetOrganisationStatus(ctx, app.Operator{Name: "test"}, org.ID, domain.OrgActive, "test")
	require.NoError(t, err)
	assert.Equal(t, domain.OrgActive, got.Status)
	assert.Nil(t, got.TrialEndsAt, "an active organisation has no trial end")

	_, err = h.svc.Operations.SetOrganisationStatus(ctx, app.Operator{Name: "test"}, "org_aaaaaaaaaaaaaaaaaaaa", domain.OrgEnded, "test")
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err))
	assert.Equal(t, "no such organisation", domain.SafeMessage(err))
}

func TestCreateForm(t *testing.T) {
	h := newHarness(t)
	org := h.org(t)
	out, err := h.svc.Operations.CreateForm(ctx, app.CreateForm{OrgID: org.ID, Name: "Oakfield", Code: "oak1"})
	require.NoError(t, err)
	assert.Equal(t, domain.FormCode("OAK1"), out.Form.Code)
	assert.Equal(t, "https://whisper.example.org/r/OAK1", out.URL)
	assert.Equal(t, domain.DefaultInboxName, out.Inbox.Name)
	assert.Equal(t, out.Form.ID, out.Inbox.FormID)

	_, err = h.svc.Operations.CreateForm(ctx, app.CreateForm{OrgID: org.ID, Name: "Copy", Code: "OAK1"})
	assert.Equal(t, domain.KindConflict, domain.KindOf(err))
	assert.Contains(t, domain.SafeMessage(err), "OAK1")
	assert.Equal(t, 1, h.countForms(t, org.ID), "the clash wrote no form")

	suggested, err := h.svc.Operations.CreateForm(ctx, app.CreateForm{OrgID: org.ID, Name: "Oakfield Primary School"})
	require.NoError(t, err)
	assert.Regexp(t, `^OPS\d\d$`, suggested.Form.Code)

	for name, in := range map[string]app.CreateForm{
		"bad code":    {OrgID: org.ID, Name: "X", Code: "no spaces"},
		"short code":  {OrgID: org.ID, Name: "X", Code: "AB"},
		"no name":     {OrgID: org.ID, Name: "", Code: "GOOD1"},
		"carrier cmd": {OrgID: org.ID, Name: "X", Code: "stop"},
	} {
		_, err := h.svc.Operations.CreateForm(ctx, in)
		assert.Equal(t, domain.KindInvalid, domain.KindOf(err), name)
	}
	_, err = h.svc.Operations.CreateForm(ctx, app.CreateForm{OrgID: "org_aaaaaaaaaaaaaaaaaaaa", Name: "X", Code: "GHOST1"})
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err))
	assert.Equal(t, 2, h.countForms(t, org.ID))
}

func TestCreateInbox(t *testing.T) {
	h := newHarness(t)
	form, err := h.svc.Operations.CreateForm(ctx, app.CreateForm{OrgID: h.org(t).ID, Name: "Oakfield", Code: "OAK2"})
	require.NoError(t, err)
	ib, err := h.svc.Operations.CreateInbox(ctx, app.CreateInbox{FormID: form.Form.ID, Name: "Online worries", Notify: []string{"DSL@Oakfield.example", " "}})
	require.NoError(t, err)
	assert.Equal(t, 1, ib.Position, "after General")
	assert.Equal(t, []string{"DSL@oakfield.example"}, ib.Notify)
	second, err := h.svc.Operations.CreateInbox(ctx, app.CreateInbox{FormID: form.Form.ID, Name: "Bullying"})
	require.NoError(t, err)
	assert.Equal(t, 2, second.Position)

	_, err = h.svc.Operations.CreateInbox(ctx, app.CreateInbox{FormID: form.Form.ID, Name: "X", Notify: []string{"not an address"}})
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err))
	_, err = h.svc.Operations.CreateInbox(ctx, app.CreateInbox{FormID: "frm_aaaaaaaaaaaaaaaaaaaa", Name: "X"})
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err))
}

func TestCreateStaff(t *testing.T) {
	h := newHarness(t)
	org := h.org(t)
	form, err := h.svc.Operations.CreateForm(ctx, app.CreateForm{OrgID: org.ID, Name: "Oakfield", Code: "OAK3"})
	require.NoError(t, err)

	withPassword, err := h.svc.Operations.CreateStaff(ctx, app.CreateStaff{
		OrgID: org.ID, Email: "head@oakfield.example", FirstName: "Sam", Role: domain.RoleAdmin,
		Password: "correct horse battery staple",
	})
	require.NoError(t, err)
	assert.Empty(t, withPassword.SetPasswordURL)
	ok, err := h.hasher.Verify(ctx, "correct horse battery staple", withPassword.Staff.PasswordHash)
	require.NoError(t, err)
	assert.True(t, ok)

	withLink, err := h.svc.Operations.CreateStaff(ctx, app.CreateStaff{
		OrgID: org.ID, Email: "dsl@oakfield.example", FirstName: "Alex", InboxIDs: []domain.InboxID{form.Inbox.ID},
	})
	require.NoError(t, err)
	assert.Equal(t, domain.RoleStaff, withLink.Staff.Role, "staff by default")
	assert.Equal(t, []domain.InboxID{form.Inbox.ID}, withLink.Staff.InboxIDs)
	assert.True(t, strings.HasPrefix(withLink.SetPasswordURL, "https://whisper.example.org/staff/set-password/"), withLink.SetPasswordURL)
	token := strings.TrimPrefix(withLink.SetPasswordURL, "https://whisper.example.org/staff/set-password/")
	_, err = domain.ParseToken(token)
	assert.NoError(t, err, "the link carries a full-strength token")
	assert.Equal(t, start.Truncate(time.Microsecond).Add(24*time.Hour), withLink.LinkExpiresAt)

	var stored *domain.Staff
	require.NoError(t, h.store.View(ctx, func(tx ports.Tx) (err error) {
		stored, err = tx.Staff().GetByEmail(ctx, "DSL@oakfield.example")
		return err
	}))
	assert.Equal(t, withLink.Staff, stored)
}

func TestCreateStaffRefusals(t *testing.T) {
	h := newHarness(t)
	org := h.org(t)
	other := h.org(t)
	otherForm, err := h.svc.Operations.CreateForm(ctx, app.CreateForm{OrgID: other.ID, Name: "Elsewhere", Code: "ELSE1"})
	require.NoError(t, err)
	_, err = h.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: org.ID, Email: "taken@oakfield.example", FirstName: "Kim"})
	require.NoError(t, err)

	cases := map[string]struct {
		in   app.CreateStaff
		kind domain.Kind
	}{
		"short password":       {app.CreateStaff{OrgID: org.ID, Email: "a@oakfield.example", FirstName: "A", Password: "short"}, domain.KindInvalid},
		"bad email":            {app.CreateStaff{OrgID: org.ID, Email: "nope", FirstName: "A"}, domain.KindInvalid},
		"no first name":        {app.CreateStaff{OrgID: org.ID, Email: "b@oakfield.example"}, domain.KindInvalid},
		"another org's inbox":  {app.CreateStaff{OrgID: org.ID, Email: "c@oakfield.example", FirstName: "C", InboxIDs: []domain.InboxID{otherForm.Inbox.ID}}, domain.KindInvalid},
		"unknown inbox":        {app.CreateStaff{OrgID: org.ID, Email: "d@oakfield.example", FirstName: "D", InboxIDs: []domain.InboxID{"inb_aaaaaaaaaaaaaaaaaaaa"}}, domain.KindNotFound},
		"unknown organisation": {app.CreateStaff{OrgID: "org_aaaaaaaaaaaaaaaaaaaa", Email: "e@oakfield.example", FirstName: "E"}, domain.KindNotFound},
		"email taken":          {app.CreateStaff{OrgID: org.ID, Email: "Taken@oakfield.example", FirstName: "F"}, domain.KindConflict},
	}
	for name, c := range cases {
		_, err := h.svc.Operations.CreateStaff(ctx, c.in)
		assert.Equal(t, c.kind, domain.KindOf(err), "%s: %v", name, err)
	}
	var staff []*domain.Staff
	require.NoError(t, h.store.View(ctx, func(tx ports.Tx) (err error) {
		staff, err = tx.Staff().List(ctx, ports.StaffFilter{OrgID: &org.ID})
		return err
	}))
	assert.Len(t, staff, 1, "no refused request left an account behind")
}
