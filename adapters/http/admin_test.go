package http_test

import (
	nethttp "net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// adminState is everything the admin pages may change, so a refused
// request can be shown to have changed nothing.
func (p *portal) adminState() storetest.AdminState {
	p.t.Helper()
	return storetest.ReadAdminState(p.t, p.store)
}

// adminStaffMember reads one account from the store, removed or not.
func (p *portal) adminStaffMember(id domain.StaffID) *domain.Staff {
	p.t.Helper()
	var m *domain.Staff
	require.NoError(p.t, p.store.View(ctx, func(tx ports.Tx) (err error) {
		m, err = tx.Staff().Get(ctx, id)
		return err
	}))
	return m
}

func (p *portal) adminForm(id domain.FormID) *domain.Form {
	p.t.Helper()
	var f *domain.Form
	require.NoError(p.t, p.store.View(ctx, func(tx ports.Tx) (err error) {
		f, err = tx.Forms().Get(ctx, id)
		return err
	}))
	return f
}

// adminRoute is one admin route with input its organisation's admin would
// be allowed to send, and the status that admin gets.
type adminRoute struct {
	method, path string
	form         url.Values
	want         int
}

func (r adminRoute) String() string { return r.method + " " + r.path }

// adminRoutesFor lists every admin route, acting on form, inbox and
// member. Removal comes last, as it takes the member away.
func adminRoutesFor(form domain.FormID, inbox domain.InboxID, member domain.StaffID) []adminRoute {
	f, ib, m := "/staff/admin/forms/"+string(form), "/staff/admin/inboxes/"+string(inbox), "/staff/admin/staff/"+string(member)
	return []adminRoute{
		{"GET", "/staff/admin/", nil, 200},
		{"GET", "/staff/admin/forms", nil, 200},
		{"GET", "/staff/admin/forms/new", nil, 200},
		{"POST", "/staff/admin/forms/new", url.Values{"name": {"Oakfield Juniors"}, "code": {"OAKJ"}}, 303},
		{"GET", f, nil, 200},
		{"POST", f, url.Values{"name": {"Oakfield Primary"}, "intro": {"Tell us anything."}, "language": {"en"}, "swear_policy": {"flag"}}, 303},
		{"POST", f + "/close", nil, 303},
		{"POST", f + "/open", nil, 303},
		{"POST", f + "/inboxes", url.Values{"inbox_name": {"Bullying"}}, 303},
		{"GET", ib, nil, 200},
		{"POST", ib, url.Values{"name": {"Worries"}, "notify": {"dsl@oakfield.example"}, "staff": {string(member)}}, 303},
		{"POST", ib + "/down", nil, 303},
		{"POST", ib + "/up", nil, 303},
		{"POST", ib + "/texts", nil, 303},
		{"POST", ib + "/archive", nil, 303},
		{"POST", ib + "/unarchive", nil, 303},
		{"GET", "/staff/admin/staff", nil, 200},
		{"GET", "/staff/admin/staff/new", nil, 200},
		{"POST", "/staff/admin/staff/new", url.Values{"email": {"nia@oakfield.example"}, "first_name": {"Nia"}, "role": {"staff"}}, 303},
		{"GET", m, nil, 200},
		{"POST", m, url.Values{"role": {"staff"}, "inboxes": {string(inbox)}}, 303},
		{"GET", "/staff/admin/settings", nil, 200},
		{"POST", "/staff/admin/settings", url.Values{"retention": {"24"}, "swear_words": {"numpty"}}, 303},
		{"POST", m + "/remove", nil, 303},
	}
}

func TestAdminAuthorisationMatrix(t *testing.T) {
	p := newPortal(t)
	routes := adminRoutesFor(p.form.ID, p.inbox.ID, p.staff.ID)
	before := p.adminState()

	anonymous := p.anonymous()
	for _, rt := range routes {
		r := anonymous.do(rt.method, rt.path, rt.form)
		assert.Equal(t, nethttp.StatusSeeOther, r.status, "anonymous %s", rt)
		assert.Equal(t, "/staff/login", r.header.Get("Location"), "anonymous %s", rt)
	}
	for who, m := range map[string]*domain.Staff{"staff": p.staff, "staff of another inbox": p.otherInbox} {
		b := p.as(m)
		for _, rt := range routes {
			r := b.do(rt.method, rt.path, rt.form)
			assert.Equal(t, nethttp.StatusNotFound, r.status, "%s %s", who, rt)
			assert.NotContains(t, r.body, "Oakfield Juniors", "%s %s", who, rt)
		}
	}
	// B's admin may use the pages of their own organisation; everything
	// that names one of A's forms, inboxes or members is not found.
	adminB := p.as(p.adminB)
	for _, rt := range routes {
		if !strings.Contains(rt.path, "_") {
			continue
		}
		r := adminB.do(rt.method, rt.path, rt.form)
		assert.Equal(t, nethttp.StatusNotFound, r.status, "B's admin %s", rt)
		assert.NotContains(t, r.body, "Oakfield", "B's admin %s", rt)
	}
	assert.Equal(t, before, p.adminState(), "nobody but A's admin changed anything")

	admin := p.as(p.admin)
	for _, rt := range routes {
		r := admin.do(rt.method, rt.path, rt.form)
		assert.Equal(t, rt.want, r.status, "admin %s", rt)
		if rt.want == nethttp.StatusSeeOther {
			assert.Contains(t, r.header.Get("Set-Cookie"), p.flashCookie()+"=", "admin %s", rt)
			assert.NotContains(t, r.header.Get("Location"), "?", "admin %s", rt)
		}
	}
	after := p.adminState()
	assert.Len(t, after.Forms, len(before.Forms)+1, "a form was added")
	assert.Len(t, after.Inboxes, len(before.Inboxes)+2, "with its General, and Bullying")
	assert.Len(t, after.Staff, len(before.Staff)+1, "Nia was invited")
	assert.NotNil(t, p.adminStaffMember(p.staff.ID).RemovedAt, "Dev was removed")
}

func TestAdminOfAnotherOrganisationGetsNotFoundForTheirIDs(t *testing.T) {
	p := newPortal(t)
	before := p.adminState()
	admin := p.as(p.admin)
	for _, rt := range adminRoutesFor(p.formB.ID, p.inboxB.ID, p.adminB.ID) {
		if !strings.Contains(rt.path, "_") {
			continue
		}
		r := admin.do(rt.method, rt.path, rt.form)
		assert.Equal(t, nethttp.StatusNotFound, r.status, "A's admin %s", rt)
		assert.NotContains(t, r.body, "Birchwood", "A's admin %s", rt)
	}
	for _, path := range []string{"/staff/admin/forms", "/staff/admin/staff", "/staff/admin/staff/new", "/staff/admin/forms/" + string(p.form.ID)} {
		r := admin.get(path)
		require.Equal(t, nethttp.StatusOK, r.status, path)
		assert.NotContains(t, r.body, "BIRCH", path)
		assert.NotContains(t, r.body, "birchwood", path)
		assert.NotContains(t, r.body, string(p.inboxB.ID), path)
	}
	assert.Equal(t, before, p.adminState(), "nothing of B's changed")
}

func TestAdminRefusesCrossSitePosts(t *testing.T) {
	p := newPortal(t)
	before := p.adminState()
	admin := p.as(p.admin)
	for _, rt := range adminRoutesFor(p.form.ID, p.inbox.ID, p.staff.ID) {
		if rt.method != nethttp.MethodPost {
			continue
		}
		r := admin.do(rt.method, rt.path, rt.form, "Sec-Fetch-Site", "cross-site")
		assert.Equal(t, nethttp.StatusForbidden, r.status, "cross-site %s", rt)
		r = admin.do(rt.method, rt.path, rt.form, "Origin", "https://evil.example")
		assert.Equal(t, nethttp.StatusForbidden, r.status, "foreign origin %s", rt)
	}
	assert.Equal(t, before, p.adminState(), "nothing changed")
}

func TestAdminPagesShowWhereTheyAre(t *testing.T) {
	p := newPortal(t)
	admin := p.as(p.admin)
	r := admin.get("/staff/admin/")
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Contains(t, r.body, `<a href="/staff/admin/" aria-current="page">Admin</a>`)
	for _, link := range []string{"/staff/admin/forms", "/staff/admin/staff", "/staff/admin/settings"} {
		assert.Contains(t, r.body, `href="`+link+`"`)
	}
	assert.Equal(t, "no-store", r.header.Get("Cache-Control"))

	staff := p.as(p.staff)
	r = staff.get("/staff/admin/")
	assert.Equal(t, nethttp.StatusNotFound, r.status)
	assert.NotContains(t, r.body, `href="/staff/admin/"`, "staff are not offered the admin pages")
}

func TestAdminFormPages(t *testing.T) {
	p := newPortal(t)
	admin := p.as(p.admin)
	r := admin.get("/staff/admin/forms")
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Contains(t, r.body, `<a href="/staff/admin/forms/`+string(p.form.ID)+`">Oakfield Primary</a>`)
	assert.Contains(t, r.body, "https://whisper.example.org/r/OAK")
	assert.Contains(t, r.body, ">General</a>, <a")
	assert.Contains(t, r.body, ">Online worries</a>")
	assert.Contains(t, r.body, `<th scope="col">Code</th>`)

	r = admin.get("/staff/admin/forms/" + string(p.form.ID))
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Contains(t, r.body, `<pre class="snippet">https://whisper.example.org/r/OAK</pre>`)
	assert.NotContains(t, r.body, "SMS code", "SMS is off on this site (see TestTheSMSNumberIsShownBesideTheCode)")
	assert.Contains(t, r.body, `<pre class="snippet">&lt;a href=&#34;https://whisper.example.org/r/OAK&#34; rel=&#34;noopener&#34;&gt;`,
		"the snippet is shown as text to copy, not as a link")
	assert.Contains(t, r.body, `action="/staff/admin/forms/`+string(p.form.ID)+`/close"`)
	assert.Contains(t, r.body, `<label for="intro">`)
	assert.NotContains(t, r.body, "<script")
}

func TestAdminCreateFormOverHTTP(t *testing.T) {
	p := newPortal(t)
	admin := p.as(p.admin)
	before := p.adminState()
	r := admin.post("/staff/admin/forms/new", url.Values{"name": {"Oakfield <Juniors>"}, "code": {"no spaces"}})
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, `<a href="#code">A form code has only letters A–Z and digits.</a>`, "the summary links to the field")
	assert.Contains(t, r.body, `id="code-error"`)
	assert.Contains(t, r.body, `value="Oakfield &lt;Juniors&gt;"`, "what was typed is kept, escaped")
	assert.Contains(t, r.body, `value="no spaces"`)
	assert.Contains(t, r.body, "<title>Error: ")

	r = admin.post("/staff/admin/forms/new", url.Values{"name": {"Juniors"}, "code": {"birch"}})
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status, "a code taken by another organisation")
	assert.Equal(t, before, p.adminState(), "nothing was written")

	r = admin.post("/staff/admin/forms/new", url.Values{"name": {"Oakfield Juniors"}, "code": {"oakj"}})
	require.Equal(t, nethttp.StatusSeeOther, r.status)
	loc := r.header.Get("Location")
	require.True(t, strings.HasPrefix(loc, "/staff/admin/forms/frm_"), loc)
	r = admin.get(loc)
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Contains(t, r.body, `<div class="flash" role="status"><p>The form was created, with one inbox named General.</p></div>`)
	assert.Contains(t, r.body, "https://whisper.example.org/r/OAKJ")
}

func TestAdminEditForm(t *testing.T) {
	p := newPortal(t)
	admin := p.as(p.admin)
	path := "/staff/admin/forms/" + string(p.form.ID)
	before := p.adminState()
	r := admin.post(path, url.Values{
		"name": {"Oakfield Primary"}, "intro": {"Kept <b>text</b>"}, "response_time": {strings.Repeat("x", 2001)},
		"language": {"fr"}, "swear_policy": {"block"},
	})
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, `<a href="#response_time">This text is at most 2000 characters.</a>`)
	assert.Contains(t, r.body, `<a href="#language">`)
	assert.Contains(t, r.body, "Kept &lt;b&gt;text&lt;/b&gt;</textarea>", "input kept")
	assert.Contains(t, r.body, `value="block" checked`, "choice kept")
	assert.Equal(t, before, p.adminState(), "nothing changed")

	r = admin.post(path, url.Values{
		"name": {"Oakfield Primary School"}, "intro": {"Tell us."}, "response_time": {"Within a school day."},
		"out_of_hours": {"Closed for the holidays."}, "language": {"cy"}, "swear_policy": {"off"},
	})
	admin.confirmed(r, path, "The form's changes were saved.")
	f := p.adminForm(p.form.ID)
	assert.Equal(t, "Oakfield Primary School", f.Name)
	assert.Equal(t, "Closed for the holidays.", f.OutOfHours)
	assert.Equal(t, domain.Welsh, f.Language)
	assert.Equal(t, domain.SwearOff, f.SwearPolicy)

	r = admin.do(nethttp.MethodGet, path, nil, "Cookie", p.flashCookie()+"=%3Cscript%3Ealert(1)%3C/script%3E")
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.NotContains(t, r.body, `class="flash"`, "an unknown word shows nothing")
	assert.NotContains(t, r.body, "alert(1)", "nothing from the cookie is echoed")
	r = admin.get(path + "?done=form-saved")
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.NotContains(t, r.body, `class="flash"`, "an address cannot confirm anything")
}

func TestAdminCloseAndOpenForm(t *testing.T) {
	p := newPortal(t)
	admin := p.as(p.admin)
	path := "/staff/admin/forms/" + string(p.form.ID)
	r := admin.post(path+"/close", nil)
	admin.confirmed(r, path, "The form is closed. It shows your out-of-hours text instead.")
	assert.Equal(t, nethttp.StatusGone, p.get("/r/OAK").status, "the public form is closed")
	r = admin.get(path)
	assert.Contains(t, r.body, `action="`+path+`/open"`)

	require.Equal(t, nethttp.StatusSeeOther, admin.post(path+"/open", nil).status)
	assert.Equal(t, nethttp.StatusOK, p.get("/r/OAK").status)
}

func TestAdminInboxes(t *testing.T) {
	p := newPortal(t)
	admin := p.as(p.admin)
	formPath := "/staff/admin/forms/" + string(p.form.ID)
	r := admin.post(formPath+"/inboxes", url.Values{"inbox_name": {" "}})
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, `<a href="#inbox_name">`)
	assert.Contains(t, r.body, `id="inbox_name-error"`)

	r = admin.post(formPath+"/inboxes", url.Values{"inbox_name": {"Bullying"}})
	require.Equal(t, nethttp.StatusSeeOther, r.status)
	loc := r.header.Get("Location")
	require.True(t, strings.HasPrefix(loc, "/staff/admin/inboxes/inb_"), loc)
	id := domain.InboxID(strings.TrimPrefix(loc, "/staff/admin/inboxes/"))
	var ib *domain.Inbox
	require.NoError(t, p.store.View(ctx, func(tx ports.Tx) (err error) {
		ib, err = tx.Inboxes().Get(ctx, id)
		return err
	}))
	assert.Equal(t, 2, ib.Position, "after General and Online worries")

	r = admin.get("/staff/admin/inboxes/" + string(p.inbox.ID))
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Contains(t, r.body, "dsl@oakfield.example</textarea>")
	assert.Contains(t, r.body, `name="staff" value="`+string(p.staff.ID)+`" checked`, "Dev is assigned to General")
	assert.Contains(t, r.body, `name="staff" value="`+string(p.otherInbox.ID)+`">`, "Ira is not")
	assert.NotContains(t, r.body, `value="`+string(p.admin.ID)+`"`, "admins are not offered")

	before := p.adminState()
	r = admin.post("/staff/admin/inboxes/"+string(p.inbox.ID), url.Values{"name": {"General"}, "notify": {"ok@oakfield.example, not-an-address"}})
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, "Address 2 does not look like an email address")
	assert.Contains(t, r.body, "ok@oakfield.example, not-an-address</textarea>", "input kept")
	assert.Equal(t, before, p.adminState())

	r = admin.post("/staff/admin/inboxes/"+string(p.inbox.ID), url.Values{
		"name": {"Worries"}, "notify": {"a@oakfield.example\nb@oakfield.example"}, "staff": {string(p.otherInbox.ID)},
	})
	require.Equal(t, nethttp.StatusSeeOther, r.status)
	assert.Empty(t, p.adminStaffMember(p.staff.ID).InboxIDs, "Dev unassigned")
	assert.ElementsMatch(t, []domain.InboxID{p.second.ID, p.inbox.ID}, p.adminStaffMember(p.otherInbox.ID).InboxIDs, "Ira assigned")
}

func TestAdminStaffList(t *testing.T) {
	p := newPortal(t)
	r := p.as(p.admin).get("/staff/admin/staff")
	require.Equal(t, nethttp.StatusOK, r.status)
	for _, want := range []string{"Hana Tester</a> (you)", "dsl@oakfield.example", "it@oakfield.example", `<th scope="col">Authenticator app</th>`} {
		assert.Contains(t, r.body, want)
	}
	assert.Contains(t, r.body, "Alex</a> <span class=\"tag\">Invited</span>", "Alex has not chosen a password")
	assert.NotContains(t, r.body, "head@birchwood.example")
}

func TestAdminInviteOverHTTP(t *testing.T) {
	p := newPortal(t)
	admin := p.as(p.admin)
	before := p.adminState()
	r := admin.post("/staff/admin/staff/new", url.Values{
		"email": {"dsl@oakfield.example"}, "first_name": {""}, "role": {"staff"}, "inboxes": {string(p.inboxB.ID)},
	})
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	for _, field := range []string{"email", "first_name", "inboxes"} {
		assert.Contains(t, r.body, `<a href="#`+field+`">`, field)
	}
	assert.Equal(t, before, p.adminState(), "no account and no email")

	r = admin.post("/staff/admin/staff/new", url.Values{
		"email": {"nia@oakfield.example"}, "first_name": {"Nia"}, "last_name": {"Jones"}, "role": {"admin"}, "inboxes": {string(p.second.ID)},
	})
	require.Equal(t, nethttp.StatusSeeOther, r.status)
	assert.Equal(t, "/staff/admin/staff", r.header.Get("Location"))
	after := p.adminState()
	require.Len(t, after.Deliveries, len(before.Deliveries)+1)
	var invite *domain.Delivery
	for _, d := range after.Deliveries {
		if d.Kind == domain.DeliveryStaffInvite {
			invite = d
		}
	}
	require.NotNil(t, invite)
	assert.Equal(t, "nia@oakfield.example", invite.To)
	assert.True(t, strings.HasPrefix(invite.Link, "https://whisper.example.org/staff/set-password/"), invite.Link)

	r = admin.get("/staff/admin/staff")
	assert.Contains(t, r.body, "The invitation is on its way.")
	assert.Contains(t, r.body, "Nia Jones</a> <span class=\"tag\">Invited</span>")
	assert.NotContains(t, r.body, "set-password", "the admin never sees the member's link")
}

func TestAdminChangeRole(t *testing.T) {
	p := newPortal(t)
	admin := p.as(p.admin)
	self := "/staff/admin/staff/" + string(p.admin.ID)
	before := p.adminState()
	r := admin.post(self, url.Values{"role": {"staff"}})
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, "You cannot change your own role; ask another admin.")
	assert.Contains(t, r.body, `value="staff" checked`, "the choice is kept")
	assert.Equal(t, before, p.adminState())

	r = admin.post("/staff/admin/staff/"+string(p.staff.ID), url.Values{"role": {"admin"}, "inboxes": {string(p.second.ID)}})
	require.Equal(t, nethttp.StatusSeeOther, r.status)
	dev := p.adminStaffMember(p.staff.ID)
	assert.Equal(t, domain.RoleAdmin, dev.Role)
	assert.Equal(t, []domain.InboxID{p.second.ID}, dev.InboxIDs)
	assert.Equal(t, nethttp.StatusOK, p.as(p.staff).get("/staff/admin/").status, "Dev can now use the admin pages")
}

func TestAdminRemoveMember(t *testing.T) {
	p := newPortal(t)
	admin := p.as(p.admin)
	dev := p.as(p.staff)
	require.Equal(t, nethttp.StatusNotFound, dev.get("/staff/admin/").status, "signed in, but not an admin")

	before := p.adminState()
	r := admin.post("/staff/admin/staff/"+string(p.admin.ID)+"/remove", nil)
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, `<a href="#remove">You cannot remove yourself; ask another admin.</a>`)
	assert.Equal(t, before, p.adminState())

	r = admin.post("/staff/admin/staff/"+string(p.staff.ID)+"/remove", nil)
	require.Equal(t, nethttp.StatusSeeOther, r.status)
	assert.Equal(t, "/staff/admin/staff", r.header.Get("Location"))
	r = dev.get("/staff/admin/")
	assert.Equal(t, nethttp.StatusSeeOther, r.status, "Dev is signed out at once")
	assert.Equal(t, "/staff/login", r.header.Get("Location"))

	r = admin.get("/staff/admin/staff")
	assert.Contains(t, r.body, "The member was removed and signed out everywhere.")
	assert.NotContains(t, r.body, "dsl@oakfield.example", "removed members are hidden")
	assert.Equal(t, nethttp.StatusNotFound, admin.get("/staff/admin/staff/"+string(p.staff.ID)).status)
}

func TestAdminSettings(t *testing.T) {
	p := newPortal(t)
	admin := p.as(p.admin)
	r := admin.get("/staff/admin/settings")
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Contains(t, r.body, `<option value="12" selected>12 months</option>`)
	assert.Contains(t, r.body, "Shortening the period makes older reports due for erasure sooner")

	before := p.adminState()
	r = admin.post("/staff/admin/settings", url.Values{"retention": {"7"}, "swear_words": {"numpty\n" + strings.Repeat("z", 51)}})
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, `<a href="#retention">`)
	assert.Contains(t, r.body, `<a href="#swear_words">Line 2 is longer than 50 characters.</a>`)
	assert.Contains(t, r.body, "numpty\n"+strings.Repeat("z", 51)+"</textarea>")
	assert.Equal(t, before, p.adminState())

	r = admin.post("/staff/admin/settings", url.Values{"retention": {"6"}, "swear_words": {"numpty\nplonker"}})
	require.Equal(t, nethttp.StatusSeeOther, r.status)
	var org *domain.Organisation
	for _, o := range p.adminState().Orgs {
		if o.ID == p.org.ID {
			org = o
		}
	}
	require.NotNil(t, org)
	assert.Equal(t, domain.Retention6, org.Retention)
	assert.Equal(t, []string{"numpty", "plonker"}, org.SwearWords)
	assert.False(t, org.RequireTOTP)
	r = admin.get("/staff/admin/settings")
	assert.Contains(t, r.body, `<option value="6" selected>6 months</option>`)
	assert.Contains(t, r.body, "numpty\nplonker</textarea>")
}
