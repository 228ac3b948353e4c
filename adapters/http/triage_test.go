package http_test

import (
	"fmt"
	nethttp "net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// bothStores runs a test over the embedded store and PostgreSQL.
func bothStores(t *testing.T, test func(t *testing.T, postgres bool)) {
	for name, pg := range map[string]bool{"sqlite": false, "postgres": true} {
		t.Run(name, func(t *testing.T) { test(t, pg) })
	}
}

// triageState is what the triage routes may change of a report, and what
// they queue.
type triageState struct {
	Urgent     bool
	AssigneeID domain.StaffID
	Deliveries int
}

func (p *portal) triageState(ref domain.Reference) triageState {
	p.t.Helper()
	var st triageState
	require.NoError(p.t, p.store.View(ctx, func(tx ports.Tx) error {
		cs, err := tx.StaffView().Get(ctx, domain.Viewer{StaffID: "stf_reader", OrgID: p.org.ID}, ref)
		if err != nil {
			return err
		}
		ds, err := tx.Outbox().List(ctx, ports.OutboxFilter{InteractionID: &cs.ID})
		st = triageState{Urgent: cs.Urgent, AssigneeID: cs.AssigneeID, Deliveries: len(ds)}
		return err
	}))
	return st
}

// deliveriesOf lists what is queued for a report, of one kind.
func (p *portal) deliveriesOf(ref domain.Reference, kind domain.DeliveryKind) []*domain.Delivery {
	p.t.Helper()
	var out []*domain.Delivery
	require.NoError(p.t, p.store.View(ctx, func(tx ports.Tx) error {
		ia, err := tx.Interactions().GetByRef(ctx, ref)
		if err != nil {
			return err
		}
		all, err := tx.Outbox().List(ctx, ports.OutboxFilter{InteractionID: &ia.ID})
		for _, d := range all {
			if d.Kind == kind {
				out = append(out, d)
			}
		}
		return err
	}))
	return out
}

func TestTriageRoutesAuthorisationMatrix(t *testing.T) {
	bothStores(t, func(t *testing.T, pg bool) {
		p := newPortalWith(t, siteOptions{postgres: pg})
		ref := p.caseRefOf(p.report("Someone keeps messaging me"))
		people := []struct {
			name string
			b    *browser
			sees bool
		}{
			{"signed out", p.anonymous(), false},
			{"admin of another organisation", p.as(p.adminB), false},
			{"member without the inbox", p.as(p.otherInbox), false},
			{"member with the inbox", p.as(p.staff), true},
			{"admin", p.as(p.admin), true},
		}
		routes := map[string]url.Values{
			"assignee": {"staff_id": {string(p.staff.ID)}},
			"urgent":   {"urgent": {"on"}},
		}
		for _, w := range people {
			for action, form := range routes {
				before := p.triageState(ref)
				r := w.b.post(interactionPath(ref, action), form)
				label := w.name + " → " + action
				switch {
				case w.name == "signed out":
					assert.Equal(t, nethttp.StatusSeeOther, r.status, label)
					assert.Equal(t, "/staff/login", r.header.Get("Location"), label)
				case !w.sees:
					assert.Equal(t, nethttp.StatusNotFound, r.status, label)
					assert.NotContains(t, r.body, string(ref), label)
				default:
					assert.Equal(t, nethttp.StatusSeeOther, r.status, label)
					assert.Equal(t, interactionPath(ref, ""), r.header.Get("Location"), label)
				}
				if !w.sees {
					assert.Equal(t, before, p.triageState(ref), "%s: nothing changed", label)
				}
			}
		}
		after := p.triageState(ref)
		assert.True(t, after.Urgent)
		assert.Equal(t, p.staff.ID, after.AssigneeID)

		// Cross-site posts are refused, as on every staff form.
		admin := p.as(p.admin)
		before := p.triageState(ref)
		for action, form := range map[string]url.Values{"assignee": {"staff_id": {""}}, "urgent": {"urgent": {"off"}}} {
			r := admin.post(interactionPath(ref, action), form, "Sec-Fetch-Site", "cross-site")
			assert.Equal(t, nethttp.StatusForbidden, r.status, action)
			r = admin.post(interactionPath(ref, action), form, "Origin", "https://evil.example")
			assert.Equal(t, nethttp.StatusForbidden, r.status, action)
		}
		assert.Equal(t, before, p.triageState(ref), "nothing changed")
	})
}

func TestTriageAssignAndUrgent(t *testing.T) {
	bothStores(t, func(t *testing.T, pg bool) {
		p := newPortalWith(t, siteOptions{postgres: pg})
		ref := p.caseRefOf(p.report("Someone keeps messaging me"))
		admin := p.as(p.admin)

		r := admin.get(interactionPath(ref, ""))
		require.Equal(t, nethttp.StatusOK, r.status)
		assert.Contains(t, r.body, `<select id="staff_id" name="staff_id"`)
		assert.Contains(t, r.body, `<option value="`+string(p.staff.ID)+`">Dev Tester</option>`)
		assert.Contains(t, r.body, `<option value="`+string(p.admin.ID)+`">Hana Tester</option>`)
		assert.NotContains(t, r.body, string(p.otherInbox.ID), "only members who can see it are offered")
		assert.NotContains(t, r.body, string(p.adminB.ID))
		assert.Contains(t, r.body, `name="urgent" value="on"`)

		// Assigning a member who cannot see the report is a problem with
		// the field, and changes nothing.
		for _, id := range []domain.StaffID{p.otherInbox.ID, p.adminB.ID, "stf_nobody"} {
			before := p.triageState(ref)
			r = admin.post(interactionPath(ref, "assignee"), url.Values{"staff_id": {string(id)}})
			assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
			assert.Contains(t, r.body, `<a href="#staff_id">Choose a member who can see this report.</a>`)
			assert.Contains(t, r.body, `id="staff_id-error"`)
			assert.Equal(t, before, p.triageState(ref))
		}

		r = admin.post(interactionPath(ref, "assignee"), url.Values{"staff_id": {string(p.staff.ID)}})
		require.Equal(t, nethttp.StatusSeeOther, r.status)
		r = admin.get(interactionPath(ref, ""))
		assert.Contains(t, r.body, "The report has been assigned. They have been emailed a link to it.")
		assert.Contains(t, r.body, `<option value="`+string(p.staff.ID)+`" selected>Dev Tester</option>`)
		assigned := p.deliveriesOf(ref, domain.DeliveryStaffAssigned)
		require.Len(t, assigned, 1)
		assert.Equal(t, "dsl@oakfield.example", assigned[0].To)
		assert.Equal(t, string(ref), assigned[0].Subject, "the reference, nothing of the report")
		assert.Equal(t, "https://whisper.example.org/staff/interactions/"+string(ref), assigned[0].Link)

		r = admin.post(interactionPath(ref, "assignee"), url.Values{"staff_id": {string(p.staff.ID)}})
		require.Equal(t, nethttp.StatusSeeOther, r.status)
		assert.Contains(t, admin.get(interactionPath(ref, "")).body, "Nothing needed changing.")
		assert.Len(t, p.deliveriesOf(ref, domain.DeliveryStaffAssigned), 1, "no second email")

		r = admin.post(interactionPath(ref, "assignee"), url.Values{"staff_id": {""}})
		require.Equal(t, nethttp.StatusSeeOther, r.status)
		assert.Contains(t, admin.get(interactionPath(ref, "")).body, "The report is now assigned to nobody.")
		assert.Empty(t, p.triageState(ref).AssigneeID)

		// Urgent: on emails the inbox's people once; anything but on or
		// off is a problem.
		r = admin.post(interactionPath(ref, "urgent"), url.Values{"urgent": {"yes"}})
		assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
		assert.Contains(t, r.body, `<a href="#urgent">Choose urgent or not urgent.</a>`)
		assert.False(t, p.triageState(ref).Urgent)

		r = admin.post(interactionPath(ref, "urgent"), url.Values{"urgent": {"on"}})
		require.Equal(t, nethttp.StatusSeeOther, r.status)
		r = admin.get(interactionPath(ref, ""))
		assert.Contains(t, r.body, "The report is marked urgent. Everyone who looks after its inbox has been emailed.")
		assert.Contains(t, r.body, `name="urgent" value="off"`)
		var to []string
		for _, d := range p.deliveriesOf(ref, domain.DeliveryStaffUrgent) {
			to = append(to, d.To)
			assert.Equal(t, string(ref), d.Subject)
		}
		assert.ElementsMatch(t, []string{"dsl@oakfield.example", "alex@oakfield.example", "head@oakfield.example"}, to,
			"the inbox's address and every member who can see the report, once each")

		r = admin.post(interactionPath(ref, "urgent"), url.Values{"urgent": {"on"}})
		require.Equal(t, nethttp.StatusSeeOther, r.status)
		assert.Len(t, p.deliveriesOf(ref, domain.DeliveryStaffUrgent), 3, "urgent again sends nothing")
		r = admin.post(interactionPath(ref, "urgent"), url.Values{"urgent": {"off"}})
		require.Equal(t, nethttp.StatusSeeOther, r.status)
		assert.Contains(t, admin.get(interactionPath(ref, "")).body, "The report is no longer marked urgent.")
		assert.Len(t, p.deliveriesOf(ref, domain.DeliveryStaffUrgent), 3)

		// None of it reaches the reporter.
		r = p.anonymous().get("/staff/")
		assert.Equal(t, nethttp.StatusSeeOther, r.status)
	})
}

func TestTriageList(t *testing.T) {
	bothStores(t, func(t *testing.T, pg bool) {
		p := newPortalWith(t, siteOptions{postgres: pg})
		waiting := p.caseRefOf(p.report("I am scared to go to the bus stop after school because of what they said."))
		answeredToken := p.report("They took my bag")
		answered := p.caseRefOf(answeredToken)
		admin := p.as(p.admin)
		p.clock.add(time.Minute)
		r := admin.post(interactionPath(answered, "messages"), url.Values{"message": {"Thank you for telling us. We will talk to you tomorrow."}})
		require.Equal(t, nethttp.StatusSeeOther, r.status)
		long := strings.Repeat("They keep sending me messages at night ", 8) + "ENDOFTHEMESSAGE"
		urgent := p.caseRefOf(p.report(long))
		r = admin.post(interactionPath(urgent, "urgent"), url.Values{"urgent": {"on"}})
		require.Equal(t, nethttp.StatusSeeOther, r.status)
		r = admin.post(interactionPath(answered, "assignee"), url.Values{"staff_id": {string(p.admin.ID)}})
		require.Equal(t, nethttp.StatusSeeOther, r.status)
		p.clock.add(3 * time.Hour)
		admin = p.as(p.admin) // a new session: the clock moved on

		r = admin.get("/staff/")
		require.Equal(t, nethttp.StatusOK, r.status)
		body := r.body
		assert.Less(t, strings.Index(body, string(urgent)), strings.Index(body, string(answered)), "urgent first")
		assert.Less(t, strings.Index(body, string(answered)), strings.Index(body, string(waiting)))
		assert.Contains(t, body, `<span class="tag tag-urgent">Urgent</span>`)
		assert.Contains(t, body, "Awaiting reply for 3 hours")
		assert.Contains(t, body, `<span class="assignee">Assigned to Hana Tester</span>`)
		assert.Contains(t, body, "Thank you for telling us. We will talk to you tomorrow.", "the latest message, whoever wrote it")
		assert.Contains(t, body, "I am scared to go to the bus stop")
		assert.NotContains(t, body, "ENDOFTHEMESSAGE", "a long message is cut")
		assert.Contains(t, body, "…")
		assert.NotContains(t, body, "Overdue", "within the 24-hour target")

		// Past the target, waiting is overdue, in words as well as looks.
		p.clock.add(22 * time.Hour)
		admin = p.as(p.admin)
		body = admin.get("/staff/").body
		assert.Contains(t, body, `<span class="tag tag-awaiting tag-overdue">Overdue: Awaiting reply for 1 day</span>`)

		only := func(query string, want ...domain.Reference) {
			t.Helper()
			r := admin.get("/staff/?" + query)
			require.Equal(t, nethttp.StatusOK, r.status, query)
			for _, ref := range []domain.Reference{waiting, answered, urgent} {
				if assert.ObjectsAreEqual(true, contains(want, ref)) {
					assert.Contains(t, r.body, string(ref), query)
				} else {
					assert.NotContains(t, r.body, string(ref), query)
				}
			}
		}
		only("awaiting=1", urgent, waiting)
		only("urgent=1", urgent)
		only("assignee=me", answered)
		only("assignee=none", urgent, waiting)
		only("flagged=1")
		only("awaiting=1&assignee=none&status=open", urgent, waiting)
		only("awaiting=1&urgent=1", urgent)

		r = admin.get("/staff/?awaiting=yes&assignee=someone")
		assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
		assert.Contains(t, r.body, `<a href="#awaiting">Tick the box or leave it empty.</a>`)
		assert.Contains(t, r.body, `<a href="#assignee">Choose assigned to me, assigned to nobody or anyone.</a>`)

		// The filters are kept in the form.
		r = admin.get("/staff/?awaiting=1&assignee=none")
		assert.Contains(t, r.body, `name="awaiting" value="1" checked`)
		assert.Contains(t, r.body, `<option value="none" selected>`)

		// A member who chose Welsh reads it in Welsh.
		require.NoError(t, p.store.InTx(ctx, func(tx ports.Tx) error {
			_, err := tx.Staff().Change(ctx, p.staff.ID, func(m *domain.Staff) error { m.Language = domain.Welsh; return nil })
			return err
		}))
		body = p.as(p.staff).get("/staff/").body
		assert.Contains(t, body, "Yn hwyr: Yn aros am ateb ers 1 diwrnod")
		assert.Contains(t, body, `<span class="tag tag-urgent">Brys</span>`)
	})
}

func contains(refs []domain.Reference, ref domain.Reference) bool {
	for _, r := range refs {
		if r == ref {
			return true
		}
	}
	return false
}

// The triage filters are kept from page to page.
func TestTriageListPagesKeepFilters(t *testing.T) {
	p := newPortal(t)
	for i := range app.InteractionsPerPage + 1 {
		p.clock.add(time.Minute)
		_, err := p.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: fmt.Sprintf("report %d", i), InboxID: string(p.inbox.ID)})
		require.NoError(t, err)
	}
	r := p.as(p.admin).get("/staff/?awaiting=1&assignee=none&urgent=&flagged=")
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Contains(t, r.body, `href="/staff/?assignee=none&amp;awaiting=1&amp;page=2" rel="next"`)
}

func TestAdminSetsResponseTarget(t *testing.T) {
	p := newPortal(t)
	admin := p.as(p.admin)
	path := "/staff/admin/forms/" + string(p.form.ID)
	r := admin.get(path)
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Contains(t, r.body, `name="response_target_hours" type="number"`)
	assert.Contains(t, r.body, `value="24"`)
	form := url.Values{"name": {"Oakfield Primary"}, "language": {"en"}, "swear_policy": {"flag"}}
	for _, bad := range []string{"0", "721", "a day", "1.5"} {
		form.Set("response_target_hours", bad)
		r = admin.post(path, form)
		assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status, bad)
		assert.Contains(t, r.body, `<a href="#response_target_hours">Enter the response target as a whole number of hours from 1 to 720.</a>`, bad)
	}
	form.Set("response_target_hours", "48")
	r = admin.post(path, form)
	require.Equal(t, nethttp.StatusSeeOther, r.status)
	assert.Equal(t, 48, p.adminForm(p.form.ID).ResponseTargetHours)
	log := p.auditLog()
	last := log[len(log)-1]
	assert.Equal(t, domain.AuditFormChange, last.Action)
	assert.Equal(t, "48", last.Details["response_target_hours"], "audited")
	// Staff cannot.
	r = p.as(p.staff).post(path, form)
	assert.NotEqual(t, nethttp.StatusSeeOther, r.status)
}
