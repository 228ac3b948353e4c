package storetest

import (
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// triageTests are the contract of issue #20's triage: urgent marks and
// assignees, the list's triage filters, preview and waiting time, and
// forms' response targets.
var triageTests = map[string]func(*testing.T, ports.Store){
	"TriageFiltersAndOrder":            testTriageList,
	"TriageAssigneeFollowsSight":       testTriageReleases,
	"TriageResponseTargetRoundTrip":    testTriageResponseTarget,
	"Race/UrgentEmailsGoOnce":          raceUrgent,
	"Race/AssignAgainstLosingTheInbox": raceAssignAgainstReassign,
}

// addTriageMessage adds a message to ia from author at at.
func addTriageMessage(t *testing.T, st ports.Store, ia *domain.Interaction, author domain.Author, staff domain.StaffID, body string, at time.Time) {
	t.Helper()
	msg := &domain.Message{ID: must(domain.NewMessageID(rand.Reader)), InteractionID: ia.ID, Author: author, StaffID: staff, Body: body, CreatedAt: at}
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Messages().Add(ctx, msg, domain.Meta{}) }))
}

func triageOf(t *testing.T, st ports.Store, v domain.Viewer, f ports.StaffViewFilter) (map[domain.Reference]*domain.StaffInteraction, []domain.Reference) {
	t.Helper()
	got := map[domain.Reference]*domain.StaffInteraction{}
	var order []domain.Reference
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		list, err := tx.StaffView().List(ctx, v, f)
		if err != nil {
			return err
		}
		n, err := tx.StaffView().Count(ctx, v, f)
		require.NoError(t, err)
		if f.Limit == 0 {
			assert.Equal(t, len(list), n, "the count agrees with the list")
		}
		for _, c := range list {
			got[c.Ref] = c
			order = append(order, c.Ref)
		}
		return nil
	}))
	return got, order
}

func testTriageList(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	m := newStaff(t, f, "triage@oakfield.example", f.inbox)
	m.FirstName, m.LastName = "Priya", "Shah"
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Staff().Create(ctx, m) }))
	v := domain.ViewerOf(m)

	// a: the reporter wrote once and waits; b: answered; c: answered,
	// then the reporter wrote twice more; d: waiting, but closed.
	a, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	b, _, _ := createReport(t, st, f, now.Add(time.Minute), domain.Contact{}, domain.Meta{})
	addTriageMessage(t, st, b, domain.AuthorStaff, m.ID, "Thank you for telling us.", now.Add(2*time.Minute))
	c, _, _ := createReport(t, st, f, now.Add(3*time.Minute), domain.Contact{}, domain.Meta{})
	addTriageMessage(t, st, c, domain.AuthorStaff, m.ID, "Can you tell us more?", now.Add(4*time.Minute))
	addTriageMessage(t, st, c, domain.AuthorReporter, "", "It was at lunch.", now.Add(5*time.Minute))
	long := strings.Repeat("word ", 60) + "end"
	addTriageMessage(t, st, c, domain.AuthorReporter, "", long, now.Add(6*time.Minute))
	d, _, _ := createReport(t, st, f, now.Add(7*time.Minute), domain.Contact{}, domain.Meta{})
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		d.Close(now.Add(8 * time.Minute))
		return saveChanges(tx, d)
	}))

	all, order := triageOf(t, st, v, ports.StaffViewFilter{})
	require.Len(t, all, 4)
	assert.Equal(t, []domain.Reference{d.Ref, c.Ref, b.Ref, a.Ref}, order, "most recent activity first while none is urgent")
	require.NotNil(t, all[a.Ref].AwaitingSince)
	assert.Equal(t, now, *all[a.Ref].AwaitingSince)
	assert.Nil(t, all[b.Ref].AwaitingSince, "answered")
	require.NotNil(t, all[c.Ref].AwaitingSince)
	assert.Equal(t, now.Add(5*time.Minute), *all[c.Ref].AwaitingSince, "since the first message staff have not answered")
	assert.Nil(t, all[d.Ref].AwaitingSince, "a closed report awaits nothing")
	assert.Equal(t, "Thank you for telling us.", all[b.Ref].Preview, "the latest message, whoever wrote it")
	assert.Equal(t, domain.Preview(long, domain.PreviewLength), all[c.Ref].Preview)
	assert.True(t, strings.HasSuffix(all[c.Ref].Preview, "word…"), all[c.Ref].Preview)
	assert.Equal(t, 24*time.Hour, all[a.Ref].ResponseTarget)
	assert.False(t, all[a.Ref].Urgent)
	assert.Empty(t, all[a.Ref].AssigneeID)

	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		changed, err := tx.Triage().SetUrgent(ctx, a.ID, true)
		require.NoError(t, err)
		assert.True(t, changed)
		changed, err = tx.Triage().SetUrgent(ctx, a.ID, true)
		require.NoError(t, err)
		assert.False(t, changed, "urgent already")
		changed, err = tx.Triage().SetAssignee(ctx, b.ID, m.ID)
		require.NoError(t, err)
		assert.True(t, changed)
		changed, err = tx.Triage().SetAssignee(ctx, b.ID, m.ID)
		require.NoError(t, err)
		assert.False(t, changed, "assigned to them already")
		changed, err = tx.Triage().SetAssignee(ctx, c.ID, "")
		require.NoError(t, err)
		assert.False(t, changed, "assigned to nobody already")
		return nil
	}))
	all, order = triageOf(t, st, v, ports.StaffViewFilter{})
	assert.Equal(t, []domain.Reference{a.Ref, d.Ref, c.Ref, b.Ref}, order, "urgent first")
	assert.True(t, all[a.Ref].Urgent)
	assert.Equal(t, m.ID, all[b.Ref].AssigneeID)
	assert.Equal(t, "Priya Shah", all[b.Ref].AssigneeName)

	_, order = triageOf(t, st, v, ports.StaffViewFilter{TriageFilter: ports.TriageFilter{Awaiting: true}})
	assert.Equal(t, []domain.Reference{a.Ref, c.Ref}, order)
	_, order = triageOf(t, st, v, ports.StaffViewFilter{TriageFilter: ports.TriageFilter{Urgent: true}})
	assert.Equal(t, []domain.Reference{a.Ref}, order)
	_, order = triageOf(t, st, v, ports.StaffViewFilter{TriageFilter: ports.TriageFilter{Assignee: &m.ID}})
	assert.Equal(t, []domain.Reference{b.Ref}, order)
	_, order = triageOf(t, st, v, ports.StaffViewFilter{TriageFilter: ports.TriageFilter{Unassigned: true}})
	assert.Equal(t, []domain.Reference{a.Ref, d.Ref, c.Ref}, order)
	_, order = triageOf(t, st, v, ports.StaffViewFilter{TriageFilter: ports.TriageFilter{Flagged: true}})
	assert.Empty(t, order)
	_, order = triageOf(t, st, v, ports.StaffViewFilter{TriageFilter: ports.TriageFilter{Awaiting: true, Unassigned: true, Urgent: true}})
	assert.Equal(t, []domain.Reference{a.Ref}, order, "filters combine")
	_, order = triageOf(t, st, v, ports.StaffViewFilter{Limit: 1, Offset: 1})
	assert.Equal(t, []domain.Reference{d.Ref}, order, "pages keep urgent first")

	// One interaction, as the page reads it, has its triage too.
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		got, err := tx.StaffView().Get(ctx, v, c.Ref)
		require.NoError(t, err)
		assert.NotNil(t, got.AwaitingSince)
		assert.NotEmpty(t, got.Preview)
		return nil
	}))
}

func testTriageReleases(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	second := must(domain.NewInbox(must(domain.NewInboxID(rand.Reader)), f.form, "Second", nil, 1, now))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Inboxes().Create(ctx, second) }))
	m := newStaff(t, f, "release@oakfield.example", f.inbox)
	admin := newStaff(t, f, "head@oakfield.example")
	admin.Role = domain.RoleAdmin
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		if err := tx.Staff().Create(ctx, m); err != nil {
			return err
		}
		return tx.Staff().Create(ctx, admin)
	}))
	ia, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	assignee := func() domain.StaffID {
		var got *domain.StaffInteraction
		require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
			got, err = tx.StaffView().Get(ctx, domain.Viewer{StaffID: "stf_reader", OrgID: f.org.ID}, ia.Ref)
			return err
		}))
		return got.AssigneeID
	}
	assign := func(to domain.StaffID) {
		require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
			_, err := tx.Triage().SetAssignee(ctx, ia.ID, to)
			return err
		}))
	}

	assign(m.ID)
	m.InboxIDs = []domain.InboxID{second.ID}
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return saveStaff(tx, m) }))
	assert.Empty(t, assignee(), "losing the inbox ends the assignment")

	m.InboxIDs = []domain.InboxID{f.inbox.ID, second.ID}
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return saveStaff(tx, m) }))
	assign(m.ID)
	m.FirstName = "Renamed"
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return saveStaff(tx, m) }))
	assert.Equal(t, m.ID, assignee(), "other changes keep it")
	ia.InboxID = second.ID
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return saveChanges(tx, ia) }))
	assert.Equal(t, m.ID, assignee(), "moving to an inbox they see keeps it")

	m.InboxIDs = []domain.InboxID{f.inbox.ID}
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return saveStaff(tx, m) }))
	assert.Empty(t, assignee(), "losing the inbox it is in now ends it")

	assign(m.ID) // the store does not check; the app does
	ia.InboxID = f.inbox.ID
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return saveChanges(tx, ia) }))
	assert.Equal(t, m.ID, assignee())
	ia.InboxID = second.ID
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return saveChanges(tx, ia) }))
	assert.Empty(t, assignee(), "moving out of their sight ends it")

	assign(admin.ID)
	ia.InboxID = f.inbox.ID
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return saveChanges(tx, ia) }))
	assert.Equal(t, admin.ID, assignee(), "an admin sees every inbox")
	admin.Role = domain.RoleStaff
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return saveStaff(tx, admin) }))
	assert.Empty(t, assignee(), "no longer an admin, without the inbox")

	assign(m.ID)
	removed := now
	m.RemovedAt, m.InboxIDs = &removed, nil
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return saveStaff(tx, m) }))
	assert.Empty(t, assignee(), "a removed member looks after nothing")
}

func testTriageResponseTarget(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	get := func() *domain.Form {
		var got *domain.Form
		require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
			got, err = tx.Forms().Get(ctx, f.form.ID)
			return err
		}))
		return got
	}
	assert.Equal(t, domain.DefaultResponseTargetHours, get().ResponseTargetHours)
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		_, err := tx.Forms().Change(ctx, f.form.ID, func(form *domain.Form) error {
			form.ResponseTargetHours = 72
			return nil
		})
		return err
	}))
	assert.Equal(t, 72, get().ResponseTargetHours)
}

// urgentSchool is a raceSchool with two admins and an inbox that alerts
// two addresses, one of them an admin's own, and one report.
type urgentSchool struct {
	raceSchool
	admins []*app.Actor
	ref    domain.Reference
}

func newUrgentSchool(t *testing.T, st ports.Store) urgentSchool {
	t.Helper()
	w := urgentSchool{raceSchool: newRaceSchool(t, st)}
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		inboxes, err := tx.Inboxes().List(ctx, ports.InboxFilter{FormID: &w.form.ID})
		if err != nil {
			return err
		}
		inboxes[0].Notify = []string{"dsl@oakfield.example", "head@oakfield.example"}
		return tx.Inboxes().Update(ctx, inboxes[0])
	}))
	for _, email := range []string{"head@oakfield.example", "deputy@oakfield.example"} {
		w.admins = append(w.admins, w.actor(t, w.member(t, email, domain.RoleAdmin)))
	}
	rc, err := w.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: string(w.form.Code), Body: "Please help"})
	require.NoError(t, err)
	w.ref = rc.Ref
	return w
}

// Everyone marking one report urgent at once: it changes once, and each
// of the inbox's people is emailed once.
func raceUrgent(t *testing.T, st ports.Store) {
	w := newUrgentSchool(t, st)
	won := wins(t, func(i int) (bool, error) {
		return w.svc.Casework.SetUrgent(ctx, w.admins[i%len(w.admins)], string(w.ref), app.UrgentOn)
	})
	assert.Equal(t, 1, won, "marked urgent once")

	got := map[string]int{}
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		all, err := tx.Outbox().List(ctx, ports.OutboxFilter{})
		for _, d := range all {
			if d.Kind == domain.DeliveryStaffUrgent {
				got[d.To]++
				assert.Equal(t, string(w.ref), d.Subject, "the reference and nothing of the report")
			}
		}
		return err
	}))
	assert.Equal(t, map[string]int{"dsl@oakfield.example": 1, "head@oakfield.example": 1, "deputy@oakfield.example": 1}, got)
}

// Assigning a member while an admin takes their inbox away: whichever
// comes first, the member never ends up assigned to a report they cannot
// see.
func raceAssignAgainstReassign(t *testing.T, st ports.Store) {
	w := newRaceSchool(t, st)
	admin := w.actor(t, w.member(t, "head@oakfield.example", domain.RoleAdmin))
	var inbox domain.InboxID
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		inboxes, err := tx.Inboxes().List(ctx, ports.InboxFilter{FormID: &w.form.ID})
		inbox = inboxes[0].ID
		return err
	}))
	var refs []domain.Reference
	for range racers / 2 {
		rc, err := w.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: string(w.form.Code), Body: "Please help"})
		require.NoError(t, err)
		refs = append(refs, rc.Ref)
	}
	out, err := w.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: w.org.ID, Email: "teacher@oakfield.example", FirstName: "Tom",
		Role: domain.RoleStaff, InboxIDs: []domain.InboxID{inbox}, Password: racePassword})
	require.NoError(t, err)
	member := out.Staff
	other, err := w.svc.Operations.CreateInbox(ctx, app.CreateInbox{FormID: w.form.ID, Name: "Elsewhere"})
	require.NoError(t, err)
	race(racers, func(i int) {
		if i == 0 {
			_, err := w.svc.Admin.UpdateMember(ctx, admin, member.ID, app.MemberSettings{Role: string(domain.RoleStaff), InboxIDs: []domain.InboxID{other.ID}})
			assert.NoError(t, err)
			return
		}
		if i <= len(refs) {
			_, err := w.svc.Casework.Assign(ctx, admin, string(refs[i-1]), string(member.ID))
			if domain.KindOf(err) != domain.KindInvalid {
				assert.NoError(t, err)
			}
		}
	})
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		for _, ref := range refs {
			got, err := tx.StaffView().Get(ctx, admin.Viewer, ref)
			require.NoError(t, err)
			assert.Empty(t, got.AssigneeID, "%s: the member lost the inbox", ref)
		}
		return nil
	}))
}
