package app_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

func TestAdminCreateInboxGoesLast(t *testing.T) {
	w := newAdminWorld(t)
	first, err := w.svc.Admin.CreateInbox(ctx, w.asAdmin, w.form.ID, " Bullying ")
	require.NoError(t, err)
	second, err := w.svc.Admin.CreateInbox(ctx, w.asAdmin, w.form.ID, "Online worries")
	require.NoError(t, err)
	assert.Equal(t, "Bullying", first.Name)
	assert.Equal(t, 1, first.Position)
	assert.Equal(t, 2, second.Position)
	assert.Equal(t, w.org.ID, second.OrgID)
}

func TestAdminCreateInboxRefusals(t *testing.T) {
	w := newAdminWorld(t)
	before := w.snapshot(t)
	_, err := w.svc.Admin.CreateInbox(ctx, w.asAdmin, w.form.ID, " ")
	require.Equal(t, domain.KindInvalid, domain.KindOf(err))
	assert.NotEmpty(t, domain.ProblemsOf(err).Of("name"))
	_, err = w.svc.Admin.CreateInbox(ctx, w.asAdmin, w.form.ID, strings.Repeat("n", 101))
	assert.NotEmpty(t, domain.ProblemsOf(err).Of("name"))
	_, err = w.svc.Admin.CreateInbox(ctx, w.asAdmin, w.formB.ID, "Bullying")
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err), "another organisation's form")
	_, err = w.svc.Admin.CreateInbox(ctx, w.asAdmin, w.formB.ID, "")
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err), "not found comes before problems")
	assert.Equal(t, before, w.snapshot(t))
}

func TestAdminInbox(t *testing.T) {
	w := newAdminWorld(t)
	kim := w.adminMember(t, w.org.ID, "kim@oakfield.example", "Kim", domain.RoleStaff)
	v, err := w.svc.Admin.Inbox(ctx, w.asAdmin, w.inbox.ID)
	require.NoError(t, err)
	assert.Equal(t, w.inbox.ID, v.Inbox.ID)
	assert.Equal(t, w.form.ID, v.Form.ID)
	var ids []domain.StaffID
	for _, m := range v.Staff {
		ids = append(ids, m.ID)
	}
	assert.Equal(t, []domain.StaffID{w.staff.ID, kim.ID}, ids, "staff only: admins see every inbox anyway")

	_, err = w.svc.Admin.Inbox(ctx, w.asAdmin, w.inboxB.ID)
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err))
}

func TestUpdateInbox(t *testing.T) {
	w := newAdminWorld(t)
	kim := w.adminMember(t, w.org.ID, "kim@oakfield.example", "Kim", domain.RoleStaff)
	// An admin assigned for the alerts keeps the assignment: the page does
	// not offer admins, so it must not take it away.
	deputy := w.adminMember(t, w.org.ID, "deputy@oakfield.example", "Dee", domain.RoleAdmin, w.inbox.ID)
	second, err := w.svc.Admin.CreateInbox(ctx, w.asAdmin, w.form.ID, "Online worries")
	require.NoError(t, err)
	_, err = w.svc.Admin.UpdateInbox(ctx, w.asAdmin, second.ID, app.InboxSettings{Name: "Online worries", StaffIDs: []domain.StaffID{w.staff.ID}})
	require.NoError(t, err)

	ib, err := w.svc.Admin.UpdateInbox(ctx, w.asAdmin, w.inbox.ID, app.InboxSettings{
		Name:     " Worries ",
		Notify:   "DSL@Oakfield.example, deputy@oakfield.example\r\n\r\n; dsl@oakfield.example\n",
		StaffIDs: []domain.StaffID{kim.ID, kim.ID},
	})
	require.NoError(t, err)
	assert.Equal(t, "Worries", ib.Name)
	assert.Equal(t, []string{"DSL@oakfield.example", "deputy@oakfield.example", "dsl@oakfield.example"}, ib.Notify,
		"one list from lines, commas and semicolons; domains in lower case; repeats dropped")

	members := w.members(t)
	assert.ElementsMatch(t, []domain.InboxID{second.ID}, members[w.staff.ID].InboxIDs, "Alex unassigned from General, kept on the other inbox")
	assert.ElementsMatch(t, []domain.InboxID{w.inbox.ID}, members[kim.ID].InboxIDs, "Kim assigned once")
	assert.ElementsMatch(t, []domain.InboxID{w.inbox.ID}, members[deputy.ID].InboxIDs, "the admin's assignment is untouched")

	v, err := w.svc.Admin.Inbox(ctx, w.asAdmin, w.inbox.ID)
	require.NoError(t, err)
	assert.Equal(t, ib.Notify, v.Inbox.Notify, "saved")

	cleared, err := w.svc.Admin.UpdateInbox(ctx, w.asAdmin, w.inbox.ID, app.InboxSettings{Name: "Worries"})
	require.NoError(t, err)
	assert.Empty(t, cleared.Notify)
	assert.Empty(t, w.members(t)[kim.ID].InboxIDs)
}

func TestUpdateInboxRefusesBadInput(t *testing.T) {
	w := newAdminWorld(t)
	outsider := w.adminMember(t, w.orgB.ID, "kim@birchwood.example", "Kim", domain.RoleStaff)
	before := w.snapshot(t)
	for name, c := range map[string]struct {
		in    app.InboxSettings
		field string
	}{
		"no name":          {app.InboxSettings{Name: " "}, "name"},
		"bad address":      {app.InboxSettings{Name: "X", Notify: "dsl@oakfield.example\nnot an address"}, "notify"},
		"another's staff":  {app.InboxSettings{Name: "X", StaffIDs: []domain.StaffID{outsider.ID}}, "staff"},
		"an admin":         {app.InboxSettings{Name: "X", StaffIDs: []domain.StaffID{w.admin.ID}}, "staff"},
		"unknown staff id": {app.InboxSettings{Name: "X", StaffIDs: []domain.StaffID{"stf_nonsense"}}, "staff"},
	} {
		_, err := w.svc.Admin.UpdateInbox(ctx, w.asAdmin, w.inbox.ID, c.in)
		require.Equal(t, domain.KindInvalid, domain.KindOf(err), name)
		assert.NotEmpty(t, domain.ProblemsOf(err).Of(c.field), name)
	}
	_, err := w.svc.Admin.UpdateInbox(ctx, w.asAdmin, w.inbox.ID, app.InboxSettings{Name: "X", Notify: "a@b.example, secret address"})
	assert.Equal(t, "address 2 does not look like an email address (like name@example.org)", domain.ProblemsOf(err).Of("notify"),
		"the address is named by its place, never repeated")
	_, err = w.svc.Admin.UpdateInbox(ctx, w.asAdmin, w.inboxB.ID, app.InboxSettings{Name: "Mine now"})
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err))
	assert.Equal(t, before, w.snapshot(t), "nothing changed")
}

func TestParseAddressList(t *testing.T) {
	got, err := app.ParseAddressList(" a@x.example ;b@X.Example,\n\n a@x.example ")
	require.NoError(t, err)
	assert.Equal(t, []string{"a@x.example", "b@x.example"}, got)
	got, err = app.ParseAddressList(" \n ")
	require.NoError(t, err)
	assert.Empty(t, got)

	many := make([]string, app.MaxNotify+1)
	for i := range many {
		many[i] = fmt.Sprintf("p%d@x.example", i)
	}
	_, err = app.ParseAddressList(strings.Join(many, "\n"))
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err))
	_, err = app.ParseAddressList(strings.Join(many[:app.MaxNotify], "\n"))
	assert.NoError(t, err)
	_, err = app.ParseAddressList("Name <a@x.example>")
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err), "bare addresses only")
}

// members returns every account, removed ones included, by id.
func (w adminWorld) members(t *testing.T) map[domain.StaffID]*domain.Staff {
	t.Helper()
	out := map[domain.StaffID]*domain.Staff{}
	require.NoError(t, w.store.View(ctx, func(tx ports.Tx) error {
		all, err := tx.Staff().List(ctx, ports.StaffFilter{IncludeRemoved: true})
		for _, m := range all {
			out[m.ID] = m
		}
		return err
	}))
	return out
}
