package app_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

func TestAdminFormsListsOnlyTheOrganisations(t *testing.T) {
	w := newAdminWorld(t)
	second, err := w.svc.Admin.CreateInbox(ctx, w.asAdmin, w.form.ID, "Online worries")
	require.NoError(t, err)

	forms, err := w.svc.Admin.Forms(ctx, w.asAdmin)
	require.NoError(t, err)
	require.Len(t, forms, 1, "B's form is not listed")
	f := forms[0]
	assert.Equal(t, w.form.ID, f.Form.ID)
	assert.Equal(t, "https://whisper.example.org/r/OAK", f.URL)
	assert.Equal(t, w.svc.Links.FormSnippet(f.Form), f.Snippet)
	require.Len(t, f.Inboxes, 2)
	assert.Equal(t, w.inbox.ID, f.Inboxes[0].ID, "in order: General first")
	assert.Equal(t, second.ID, f.Inboxes[1].ID)

	one, err := w.svc.Admin.Form(ctx, w.asAdmin, w.form.ID)
	require.NoError(t, err)
	assert.Equal(t, f, one)

	_, err = w.svc.Admin.Form(ctx, w.asAdmin, w.formB.ID)
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err), "another organisation's form")
	_, err = w.svc.Admin.Form(ctx, w.asAdmin, "frm_nonsense")
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err), "a malformed id")
}

func TestAdminCreateForm(t *testing.T) {
	w := newAdminWorld(t)
	out, err := w.svc.Admin.CreateForm(ctx, w.asAdmin, app.NewForm{Name: " Oakfield Juniors ", Code: " oakj "})
	require.NoError(t, err)
	assert.Equal(t, domain.FormCode("OAKJ"), out.Form.Code)
	assert.Equal(t, "Oakfield Juniors", out.Form.Name)
	assert.Equal(t, w.org.ID, out.Form.OrgID, "always the actor's organisation")
	assert.Equal(t, domain.DefaultInboxName, out.Inbox.Name)

	suggested, err := w.svc.Admin.CreateForm(ctx, w.asAdmin, app.NewForm{Name: "Oakfield Infant School"})
	require.NoError(t, err)
	assert.Regexp(t, `^OIS\d\d$`, suggested.Form.Code)
}

func TestAdminCreateFormRefusesBadInput(t *testing.T) {
	w := newAdminWorld(t)
	before := w.snapshot(t)
	for name, c := range map[string]struct {
		in     app.NewForm
		fields []string
	}{
		"no name":           {app.NewForm{Name: " ", Code: "GOOD1"}, []string{"name"}},
		"long name":         {app.NewForm{Name: strings.Repeat("n", 201)}, []string{"name"}},
		"bad code":          {app.NewForm{Name: "X", Code: "no spaces"}, []string{"code"}},
		"both":              {app.NewForm{Code: "AB"}, []string{"name", "code"}},
		"carrier command":   {app.NewForm{Name: "X", Code: "stop"}, []string{"code"}},
		"taken, own org":    {app.NewForm{Name: "X", Code: "oak"}, []string{"code"}},
		"taken, other org":  {app.NewForm{Name: "X", Code: "BIRCH"}, []string{"code"}},
		"taken, any spaces": {app.NewForm{Name: "X", Code: " Birch "}, []string{"code"}},
	} {
		_, err := w.svc.Admin.CreateForm(ctx, w.asAdmin, c.in)
		require.Equal(t, domain.KindInvalid, domain.KindOf(err), name)
		for _, field := range c.fields {
			assert.NotEmpty(t, domain.ProblemsOf(err).Of(field), "%s: %s", name, field)
		}
	}
	assert.Equal(t, before, w.snapshot(t), "nothing was written")
}

func TestUpdateForm(t *testing.T) {
	w := newAdminWorld(t)
	long := strings.Repeat("é", app.MaxFormText)
	form, err := w.svc.Admin.UpdateForm(ctx, w.asAdmin, w.form.ID, app.FormSettings{
		Name: " Oakfield Primary School ", Intro: "  Tell us.\r\nWe listen. ", ResponseTime: long,
		OutOfHours: "We are closed until Monday.", Language: "CY", SwearPolicy: "block",
		PrivacyURL: " https://oakfield.example/privacy ",
	})
	require.NoError(t, err)
	assert.Equal(t, "https://oakfield.example/privacy", form.PrivacyURL)
	assert.Equal(t, "Oakfield Primary School", form.Name)
	assert.Equal(t, "Tell us.\nWe listen.", form.Intro)
	assert.Equal(t, long, form.ResponseTime, "2,000 characters, not bytes, are allowed")
	assert.Equal(t, "We are closed until Monday.", form.OutOfHours)
	assert.Equal(t, domain.Welsh, form.Language)
	assert.Equal(t, domain.SwearBlock, form.SwearPolicy)
	assert.Equal(t, domain.FormCode("OAK"), form.Code, "the code stays")

	got, err := w.svc.Admin.Form(ctx, w.asAdmin, w.form.ID)
	require.NoError(t, err)
	assert.Equal(t, form, got.Form, "saved")
}

func TestUpdateFormRefusesBadInput(t *testing.T) {
	w := newAdminWorld(t)
	before := w.snapshot(t)
	tooLong := strings.Repeat("x", app.MaxFormText+1)
	_, err := w.svc.Admin.UpdateForm(ctx, w.asAdmin, w.form.ID, app.FormSettings{
		Name: "", Intro: tooLong, ResponseTime: tooLong, OutOfHours: tooLong, Language: "fr", SwearPolicy: "shout",
		PrivacyURL: "http://oakfield.example/privacy",
	})
	require.Equal(t, domain.KindInvalid, domain.KindOf(err))
	problems := domain.ProblemsOf(err)
	for _, field := range []string{"name", "intro", "response_time", "out_of_hours", "language", "swear_policy", "privacy_url"} {
		assert.NotEmpty(t, problems.Of(field), field)
	}
	assert.Equal(t, "this text is at most 2000 characters", problems.Of("intro"))

	// Another organisation's form is not found, even with bad input: the
	// problems would confirm that it exists.
	_, err = w.svc.Admin.UpdateForm(ctx, w.asAdmin, w.formB.ID, app.FormSettings{Name: ""})
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err))
	assert.Equal(t, before, w.snapshot(t), "nothing changed")
}

func TestSetFormOpen(t *testing.T) {
	w := newAdminWorld(t)
	require.NoError(t, w.svc.Admin.SetFormOpen(ctx, w.asAdmin, w.form.ID, false))
	rf, err := w.svc.Reporting.ReportForm(ctx, "OAK")
	require.NoError(t, err)
	assert.False(t, rf.Accepting, "a closed form takes no reports")
	_, err = w.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: "hello"})
	assert.Error(t, err)

	require.NoError(t, w.svc.Admin.SetFormOpen(ctx, w.asAdmin, w.form.ID, false), "closing twice is no error")
	require.NoError(t, w.svc.Admin.SetFormOpen(ctx, w.asAdmin, w.form.ID, true))
	rf, err = w.svc.Reporting.ReportForm(ctx, "OAK")
	require.NoError(t, err)
	assert.True(t, rf.Accepting)

	err = w.svc.Admin.SetFormOpen(ctx, w.asAdmin, w.formB.ID, false)
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err))
	rf, err = w.svc.Reporting.ReportForm(ctx, "BIRCH")
	require.NoError(t, err)
	assert.True(t, rf.Accepting, "B's form is still open")
}
