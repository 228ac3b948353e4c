package app_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// actorFor is m as signed in.
func (s school) actorFor(t *testing.T, m *domain.Staff) *app.Actor {
	t.Helper()
	var actor *app.Actor
	require.NoError(t, s.store.View(ctx, func(tx ports.Tx) error {
		org, err := tx.Organisations().Get(ctx, m.OrgID)
		actor = &app.Actor{Staff: m, Org: org, Viewer: domain.ViewerOf(m)}
		return err
	}))
	return actor
}

// The assignment and urgent emails go over real SMTP, in each member's
// language, with the reference and a link and nothing of the report.
func TestTriageEmailsOverSMTP(t *testing.T) {
	r := newRelayRig(t, 5)
	rc, err := r.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: secretBody, Name: secretName, Email: secretMail})
	require.NoError(t, err)
	r.pass(t) // the new-report alerts and the reporter's link
	sent := len(r.smtp.Messages())

	head, err := r.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: r.form.OrgID, Email: "head@oakfield.example", FirstName: "Hana", Role: domain.RoleAdmin})
	require.NoError(t, err)
	admin := r.actorFor(t, head.Staff)
	// Alex reads the portal and their emails in Welsh.
	require.NoError(t, r.store.InTx(ctx, func(tx ports.Tx) error {
		_, err := tx.Staff().Change(ctx, r.staff.ID, func(m *domain.Staff) error { m.Language = domain.Welsh; return nil })
		return err
	}))

	changed, err := r.svc.Casework.Assign(ctx, admin, string(rc.Ref), string(r.staff.ID))
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, app.Relayed{Sent: 1}, r.pass(t), "the assignee is emailed")
	msgs := r.smtp.Messages()[sent:]
	require.Len(t, msgs, 1)
	assert.Equal(t, []string{"alex@oakfield.example"}, msgs[0].To)
	assert.Contains(t, msgs[0].Data, "Subject: Mae adroddiad "+string(rc.Ref)+" wedi'i neilltuo i chi")
	assert.Contains(t, msgs[0].Data, "https://whisper.example.org/staff/interactions/"+string(rc.Ref))
	sent += len(msgs)

	changed, err = r.svc.Casework.Assign(ctx, admin, string(rc.Ref), string(r.staff.ID))
	require.NoError(t, err)
	assert.False(t, changed, "assigned to them already")
	assert.Equal(t, app.Relayed{}, r.pass(t), "nothing more is sent")

	changed, err = r.svc.Casework.SetUrgent(ctx, admin, string(rc.Ref), app.UrgentOn)
	require.NoError(t, err)
	assert.True(t, changed)
	r.pass(t)
	msgs = r.smtp.Messages()[sent:]
	var to []string
	for _, m := range msgs {
		to = append(to, m.To...)
		assert.Contains(t, m.Data, string(rc.Ref))
		assert.Contains(t, m.Data, "https://whisper.example.org/staff/interactions/"+string(rc.Ref))
		if m.To[0] == "alex@oakfield.example" {
			assert.Contains(t, m.Data, "Subject: Brys: adroddiad "+string(rc.Ref))
		} else {
			assert.Contains(t, m.Data, "Subject: Urgent: report "+string(rc.Ref))
		}
	}
	assert.ElementsMatch(t, []string{"dsl@oakfield.example", "alex@oakfield.example", "head@oakfield.example"}, to,
		"the inbox's addresses and every member who can see it, once each")
	sent += len(msgs)

	changed, err = r.svc.Casework.SetUrgent(ctx, admin, string(rc.Ref), app.UrgentOn)
	require.NoError(t, err)
	assert.False(t, changed, "urgent already")
	changed, err = r.svc.Casework.SetUrgent(ctx, admin, string(rc.Ref), app.UrgentOff)
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, app.Relayed{}, r.pass(t), "neither marking again nor unmarking sends anything")

	for _, m := range r.smtp.Messages() {
		assert.NotContains(t, m.Data, secretBody)
		assert.NotContains(t, m.Data, secretName)
		if !strings.Contains(strings.Join(m.To, ","), secretMail) {
			assert.NotContains(t, m.Data, secretMail)
		}
	}
}

func TestTriageRefusals(t *testing.T) {
	s := newSchool(t)
	rc, err := s.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: "hello"})
	require.NoError(t, err)
	head, err := s.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: s.form.OrgID, Email: "head@oakfield.example", FirstName: "Hana", Role: domain.RoleAdmin})
	require.NoError(t, err)
	admin := s.actorFor(t, head.Staff)
	other, err := s.svc.Operations.CreateInbox(ctx, app.CreateInbox{FormID: s.form.ID, Name: "Online"})
	require.NoError(t, err)
	blind, err := s.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: s.form.OrgID, Email: "it@oakfield.example", FirstName: "Ira", InboxIDs: []domain.InboxID{other.ID}})
	require.NoError(t, err)
	org2 := s.org(t)
	stranger, err := s.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: org2.ID, Email: "head@birch.example", FirstName: "Bea", Role: domain.RoleAdmin})
	require.NoError(t, err)

	for name, id := range map[string]string{"cannot see it": string(blind.Staff.ID), "another organisation": string(stranger.Staff.ID), "no such member": "stf_nobody"} {
		_, err := s.svc.Casework.Assign(ctx, admin, string(rc.Ref), id)
		require.Equal(t, domain.KindInvalid, domain.KindOf(err), name)
		assert.Equal(t, app.FieldStaffID, domain.ProblemsOf(err)[0].Field, name)
	}
	_, err = s.svc.Casework.SetUrgent(ctx, admin, string(rc.Ref), "yes")
	require.Equal(t, domain.KindInvalid, domain.KindOf(err))
	assert.Equal(t, app.FilterUrgent, domain.ProblemsOf(err)[0].Field)

	// A member who cannot see the report cannot touch it, nor learn it exists.
	_, err = s.svc.Casework.SetUrgent(ctx, s.actorFor(t, blind.Staff), string(rc.Ref), app.UrgentOn)
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err))
	_, err = s.svc.Casework.Assign(ctx, s.actorFor(t, blind.Staff), string(rc.Ref), "")
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err))

	got, err := s.svc.Casework.Assignees(ctx, admin, string(rc.Ref))
	require.NoError(t, err)
	var names []string
	for _, m := range got {
		names = append(names, m.Name)
	}
	assert.Equal(t, []string{"Alex", "Hana"}, names, "who can see it, by name")
	for _, d := range s.deliveries(t, rc.Ref) {
		assert.NotEqual(t, domain.DeliveryStaffUrgent, d.Kind, "nothing was marked")
		assert.NotEqual(t, domain.DeliveryStaffAssigned, d.Kind, "nothing was assigned")
	}
}
