package app_test

import (
	"crypto/rand"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// caseDesk is a school whose form has two inboxes, with an admin, a staff
// member for each inbox (alex of newSchool for General), a second form, and
// another organisation with its own admin.
type caseDesk struct {
	school
	org                *domain.Organisation
	second             *domain.Inbox
	admin, other       *domain.Staff
	otherForm          *domain.Form
	otherFormInbox     *domain.Inbox
	elsewhere          *domain.Staff // admin of another organisation
	elsewhereInbox     *domain.Inbox
	unassigned         *domain.Staff
	phone, mail, ipTxt string
}

func newDesk(t *testing.T) caseDesk {
	t.Helper()
	d := caseDesk{school: newSchool(t), phone: "+447700900123", mail: "pupil.reporter@example.org", ipTxt: "198.51.100.77"}
	var err error
	require.NoError(t, d.store.View(ctx, func(tx ports.Tx) (err error) {
		d.org, err = tx.Organisations().Get(ctx, d.form.OrgID)
		return err
	}))
	d.second, err = d.svc.Operations.CreateInbox(ctx, app.CreateInbox{FormID: d.form.ID, Name: "Online worries"})
	require.NoError(t, err)
	d.clock.t = d.clock.t.Add(time.Second) // a later form, listed after the first
	fc, err := d.svc.Operations.CreateForm(ctx, app.CreateForm{OrgID: d.org.ID, Name: "Oakfield Juniors", Code: "OAKJ"})
	require.NoError(t, err)
	d.otherForm, d.otherFormInbox = fc.Form, fc.Inbox
	d.admin = d.deskMember(t, d.org.ID, "head@oakfield.example", "Hana", domain.RoleAdmin)
	d.other = d.deskMember(t, d.org.ID, "ira@oakfield.example", "Ira", domain.RoleStaff, d.second.ID)
	d.unassigned = d.deskMember(t, d.org.ID, "new@oakfield.example", "Nell", domain.RoleStaff)
	orgB, err := d.svc.Operations.CreateOrganisation(ctx, app.CreateOrganisation{Name: "Birchwood High"})
	require.NoError(t, err)
	fb, err := d.svc.Operations.CreateForm(ctx, app.CreateForm{OrgID: orgB.ID, Name: "Birchwood High", Code: "BIRCH"})
	require.NoError(t, err)
	d.elsewhereInbox = fb.Inbox
	d.elsewhere = d.deskMember(t, orgB.ID, "head@birchwood.example", "Bea", domain.RoleAdmin)
	return d
}

func (d caseDesk) deskMember(t *testing.T, org domain.OrgID, email, first string, role domain.Role, inboxes ...domain.InboxID) *domain.Staff {
	t.Helper()
	out, err := d.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: org, Email: email, FirstName: first, LastName: "Tester", Role: role, InboxIDs: inboxes})
	require.NoError(t, err)
	return out.Staff
}

// actorOf is m as signed in: what app.Authenticate would return.
func (d caseDesk) actorOf(t *testing.T, m *domain.Staff) *app.Actor {
	t.Helper()
	var org *domain.Organisation
	require.NoError(t, d.store.View(ctx, func(tx ports.Tx) (err error) {
		org, err = tx.Organisations().Get(ctx, m.OrgID)
		return err
	}))
	return &app.Actor{Staff: m, Org: org, Viewer: domain.ViewerOf(m)}
}

// webReport sends a report through the form a minute after the last one.
func (d caseDesk) webReport(t *testing.T, inbox *domain.Inbox, body, email string) domain.Reference {
	t.Helper()
	d.clock.t = d.clock.t.Add(time.Minute)
	rc, err := d.svc.Reporting.SubmitReport(ctx, app.SubmitReport{
		FormCode: "OAK", InboxID: string(inbox.ID), Body: body, Email: email, IP: netip.MustParseAddr(d.ipTxt),
	})
	require.NoError(t, err)
	return rc.Ref
}

// smsReport stores a report that came by text, as the SMS channel would.
func (d caseDesk) smsReport(t *testing.T, body string) domain.Reference {
	t.Helper()
	d.clock.t = d.clock.t.Add(time.Minute)
	ids := domain.IDs{
		Interaction: mustID(t, domain.NewInteractionID), Message: mustID(t, domain.NewMessageID),
		Ref: mustID(t, domain.NewReference), Token: mustID(t, domain.NewToken),
	}
	ia, msg, token, err := domain.OpenInteraction(ids, domain.NewReport{Form: d.form, Inbox: d.inbox, Channel: domain.ChannelSMS, Body: body}, d.clock.t.UTC().Truncate(time.Microsecond))
	require.NoError(t, err)
	require.NoError(t, d.store.InTx(ctx, func(tx ports.Tx) error {
		if err := tx.Interactions().Create(ctx, ia, token, domain.Contact{Phone: d.phone}); err != nil {
			return err
		}
		return tx.Messages().Add(ctx, msg, domain.Meta{Network: "Example Mobile"})
	}))
	return ia.Ref
}

func mustID[T any](t *testing.T, draw func(r ports.Random) (T, error)) T {
	t.Helper()
	v, err := draw(rand.Reader)
	require.NoError(t, err)
	return v
}

// interaction reads the stored interaction, as only tests and the core may.
func (d caseDesk) interaction(t *testing.T, ref domain.Reference) *domain.Interaction {
	t.Helper()
	var ia *domain.Interaction
	require.NoError(t, d.store.View(ctx, func(tx ports.Tx) (err error) {
		ia, err = tx.Interactions().GetByRef(ctx, ref)
		return err
	}))
	return ia
}

func (d caseDesk) messages(t *testing.T, ref domain.Reference) []*domain.Message {
	t.Helper()
	var msgs []*domain.Message
	require.NoError(t, d.store.View(ctx, func(tx ports.Tx) error {
		ia, err := tx.Interactions().GetByRef(ctx, ref)
		if err != nil {
			return err
		}
		msgs, err = tx.Messages().List(ctx, ia.ID)
		return err
	}))
	return msgs
}

func refsOf(cases []*domain.StaffInteraction) []domain.Reference {
	out := []domain.Reference{}
	for _, c := range cases {
		out = append(out, c.Ref)
	}
	return out
}

func inboxIDsOf(ibs []app.VisibleInbox) []domain.InboxID {
	out := []domain.InboxID{}
	for _, ib := range ibs {
		out = append(out, ib.ID)
	}
	return out
}

func TestListCasesKeepsToTheActorsInboxes(t *testing.T) {
	d := newDesk(t)
	g1 := d.webReport(t, d.inbox, "first", "")
	s1 := d.webReport(t, d.second, "second inbox", "")
	g2 := d.smsReport(t, "by text")

	for name, c := range map[string]struct {
		who     *domain.Staff
		refs    []domain.Reference
		inboxes []domain.InboxID
	}{
		"admin sees every inbox":       {d.admin, []domain.Reference{g2, s1, g1}, []domain.InboxID{d.inbox.ID, d.second.ID, d.otherFormInbox.ID}},
		"staff see their inbox":        {d.staff, []domain.Reference{g2, g1}, []domain.InboxID{d.inbox.ID}},
		"staff of the other inbox":     {d.other, []domain.Reference{s1}, []domain.InboxID{d.second.ID}},
		"staff with no inbox":          {d.unassigned, []domain.Reference{}, []domain.InboxID{}},
		"another organisation's admin": {d.elsewhere, []domain.Reference{}, []domain.InboxID{d.elsewhereInbox.ID}},
	} {
		page, err := d.svc.Portal.ListInteractions(ctx, d.actorOf(t, c.who), app.InteractionQuery{})
		require.NoError(t, err, name)
		assert.Equal(t, c.refs, refsOf(page.Interactions), name)
		assert.Equal(t, len(c.refs), page.Total, name)
		assert.ElementsMatch(t, c.inboxes, inboxIDsOf(page.Inboxes), name)
	}

	page, err := d.svc.Portal.ListInteractions(ctx, d.actorOf(t, d.admin), app.InteractionQuery{})
	require.NoError(t, err)
	labels := map[domain.InboxID]string{}
	for _, ib := range page.Inboxes {
		labels[ib.ID] = ib.Label
	}
	assert.Equal(t, "Oakfield Primary: General", labels[d.inbox.ID], "with two forms, inboxes name their form")
	assert.Equal(t, "Oakfield Juniors: General", labels[d.otherFormInbox.ID])
	assert.True(t, page.Interactions[0].Unread, "nobody has opened it yet")
	assert.Equal(t, domain.AnonymousName, page.Interactions[0].DisplayName())
}

func TestListCasesFilters(t *testing.T) {
	d := newDesk(t)
	d.clock.t = time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
	sep1 := d.webReport(t, d.inbox, "first of September", "")
	d.clock.t = time.Date(2026, 9, 2, 23, 58, 0, 0, time.UTC)
	sep2 := d.webReport(t, d.second, "late on the 2nd", "")
	d.clock.t = time.Date(2026, 9, 3, 0, 0, 0, 0, time.UTC)
	sep3 := d.webReport(t, d.inbox, "just after midnight", "")
	admin := d.actorOf(t, d.admin)
	require.NoError(t, d.svc.Portal.SetInteractionStatus(ctx, admin, string(sep3), "closed"))

	for name, c := range map[string]struct {
		q    app.InteractionQuery
		want []domain.Reference
	}{
		"open":            {app.InteractionQuery{Status: "open"}, []domain.Reference{sep2, sep1}},
		"closed":          {app.InteractionQuery{Status: "closed"}, []domain.Reference{sep3}},
		"one inbox":       {app.InteractionQuery{InboxID: string(d.second.ID)}, []domain.Reference{sep2}},
		"to is inclusive": {app.InteractionQuery{From: "2026-09-02", To: "2026-09-02"}, []domain.Reference{sep2}},
		"from only":       {app.InteractionQuery{From: "2026-09-02"}, []domain.Reference{sep3, sep2}},
		"to only":         {app.InteractionQuery{To: "2026-09-01"}, []domain.Reference{sep1}},
		"all together":    {app.InteractionQuery{Status: "open", InboxID: string(d.inbox.ID), From: "2026-09-01", To: "2026-09-03"}, []domain.Reference{sep1}},
	} {
		page, err := d.svc.Portal.ListInteractions(ctx, admin, c.q)
		require.NoError(t, err, name)
		assert.Equal(t, c.want, refsOf(page.Interactions), name)
	}

	for name, c := range map[string]struct {
		who    *domain.Staff
		q      app.InteractionQuery
		fields []string
	}{
		"bad status":          {d.admin, app.InteractionQuery{Status: "pending"}, []string{app.FilterStatus}},
		"unknown inbox":       {d.admin, app.InteractionQuery{InboxID: "inb_aaaaaaaaaaaaaaaaaaaa"}, []string{app.FilterInbox}},
		"inbox not assigned":  {d.staff, app.InteractionQuery{InboxID: string(d.second.ID)}, []string{app.FilterInbox}},
		"another org's inbox": {d.admin, app.InteractionQuery{InboxID: string(d.elsewhereInbox.ID)}, []string{app.FilterInbox}},
		"bad dates":           {d.admin, app.InteractionQuery{From: "yesterday", To: "2026-13-01"}, []string{app.FilterFrom, app.FilterTo}},
		"end before start":    {d.admin, app.InteractionQuery{From: "2026-09-03", To: "2026-09-01"}, []string{app.FilterTo}},
	} {
		page, err := d.svc.Portal.ListInteractions(ctx, d.actorOf(t, c.who), c.q)
		require.Equal(t, domain.KindInvalid, domain.KindOf(err), name)
		problems := domain.ProblemsOf(err)
		for _, f := range c.fields {
			assert.NotEmpty(t, problems.Of(f), "%s: %s", name, f)
		}
		assert.Len(t, problems, len(c.fields), name)
		assert.Empty(t, page.Interactions, name)
		assert.NotEmpty(t, page.Inboxes, "%s: the filter can be shown again", name)
	}
}

func TestListCasesPages(t *testing.T) {
	d := newDesk(t)
	var refs []domain.Reference
	for i := range app.InteractionsPerPage + 2 {
		refs = append([]domain.Reference{d.webReport(t, d.inbox, fmt.Sprintf("report %d", i), "")}, refs...)
	}
	a := d.actorOf(t, d.staff)
	first, err := d.svc.Portal.ListInteractions(ctx, a, app.InteractionQuery{})
	require.NoError(t, err)
	assert.Equal(t, refs[:app.InteractionsPerPage], refsOf(first.Interactions), "newest first")
	assert.Equal(t, app.InteractionsPerPage+2, first.Total)
	assert.Equal(t, 1, first.Page)
	assert.Equal(t, 2, first.Pages)

	second, err := d.svc.Portal.ListInteractions(ctx, a, app.InteractionQuery{Page: 2})
	require.NoError(t, err)
	assert.Equal(t, refs[app.InteractionsPerPage:], refsOf(second.Interactions))

	beyond, err := d.svc.Portal.ListInteractions(ctx, a, app.InteractionQuery{Page: 99})
	require.NoError(t, err)
	assert.Equal(t, 2, beyond.Page, "a page past the end shows the last")
	assert.Equal(t, refs[app.InteractionsPerPage:], refsOf(beyond.Interactions))

	none, err := d.svc.Portal.ListInteractions(ctx, d.actorOf(t, d.other), app.InteractionQuery{Page: -3})
	require.NoError(t, err)
	assert.Equal(t, 1, none.Page)
	assert.Equal(t, 1, none.Pages)
	assert.Empty(t, none.Interactions)
}

func TestOpenCase(t *testing.T) {
	d := newDesk(t)
	ref := d.webReport(t, d.inbox, "I saw something on the bus", d.mail)
	staff := d.actorOf(t, d.staff)

	view, err := d.svc.Portal.ReadInteraction(ctx, staff, string(ref))
	require.NoError(t, err)
	assert.Equal(t, ref, view.Interaction.Ref)
	require.Len(t, view.Messages, 1)
	assert.True(t, view.Messages[0].FromReporter)
	assert.Equal(t, "I saw something on the bus", view.Messages[0].Body)
	assert.Equal(t, []domain.InboxID{d.inbox.ID}, inboxIDsOf(view.Inboxes), "staff may move only to inboxes they see")

	adminView, err := d.svc.Portal.ReadInteraction(ctx, d.actorOf(t, d.admin), string(ref))
	require.NoError(t, err)
	assert.Equal(t, []domain.InboxID{d.inbox.ID, d.second.ID}, inboxIDsOf(adminView.Inboxes), "the inboxes of the same form only")

	list, err := d.svc.Portal.ListInteractions(ctx, staff, app.InteractionQuery{})
	require.NoError(t, err)
	require.Len(t, list.Interactions, 1)
	assert.False(t, list.Interactions[0].Unread, "opening it marked it read")

	// Typed by hand, in lower case without dashes, it is still found.
	_, err = d.svc.Portal.ReadInteraction(ctx, staff, strings.ToLower(string(ref[4:8])+string(ref[9:])))
	assert.NoError(t, err)

	for name, c := range map[string]struct {
		who *domain.Staff
		ref string
	}{
		"another inbox":        {d.other, string(ref)},
		"no inbox":             {d.unassigned, string(ref)},
		"another organisation": {d.elsewhere, string(ref)},
		"malformed":            {d.admin, "WSP-<script>"},
		"unknown":              {d.admin, "WSP-0000-0000"},
	} {
		_, err := d.svc.Portal.ReadInteraction(ctx, d.actorOf(t, c.who), c.ref)
		assert.Equal(t, domain.KindNotFound, domain.KindOf(err), name)
		assert.Equal(t, "no such report", domain.SafeMessage(err), "%s: a miss is a miss, whatever the reason", name)
	}
}

// reporterDeliveries are the messages queued for the reporter of ref.
func (d caseDesk) reporterDeliveries(t *testing.T, ref domain.Reference) []*domain.Delivery {
	t.Helper()
	var out []*domain.Delivery
	for _, dl := range d.deliveries(t, ref) {
		if dl.Kind == domain.DeliveryReporterReply || dl.Kind == domain.DeliveryReporterSMS {
			out = append(out, dl)
		}
	}
	return out
}

func TestStaffReplyToAWebReporterWithEmail(t *testing.T) {
	d := newDesk(t)
	ref := d.webReport(t, d.inbox, "Someone is sending me messages", d.mail)
	staff := d.actorOf(t, d.staff)
	require.NoError(t, d.svc.Portal.SetInteractionStatus(ctx, staff, string(ref), "closed"))
	closedAt := d.interaction(t, ref).ClosedAt

	d.clock.t = d.clock.t.Add(time.Hour)
	now := d.clock.t.UTC().Truncate(time.Microsecond)
	const reply = "Thank you for telling us. Can you come to the office at break?"
	_, err := d.svc.Portal.StaffReply(ctx, staff, string(ref), "  "+reply+"\n", netip.MustParseAddr("192.0.2.44"))
	require.NoError(t, err)

	msgs := d.messages(t, ref)
	require.Len(t, msgs, 2)
	got := msgs[1]
	assert.Equal(t, domain.AuthorStaff, got.Author)
	assert.Equal(t, d.staff.ID, got.StaffID)
	assert.Equal(t, reply, got.Body, "trimmed")
	assert.Equal(t, now, got.CreatedAt)
	var meta domain.Meta
	require.NoError(t, d.store.View(ctx, func(tx ports.Tx) (err error) {
		meta, err = tx.Messages().Meta(ctx, got.ID)
		return err
	}))
	assert.Equal(t, "192.0.2.44", meta.IP, "a staff member's address is meta data too")

	ia := d.interaction(t, ref)
	assert.Equal(t, now, ia.LastActivityAt)
	assert.Equal(t, domain.StatusClosed, ia.Status, "a staff reply keeps the status")
	assert.Equal(t, closedAt, ia.ClosedAt)

	out := d.reporterDeliveries(t, ref)
	require.Len(t, out, 1)
	n := out[0]
	assert.Equal(t, domain.DeliveryReporterReply, n.Kind)
	assert.Equal(t, domain.DeliveryEmail, n.Channel)
	assert.Equal(t, d.mail, n.To)
	assert.Empty(t, n.Link, "the conversation link cannot be rebuilt, and no other link may stand in for it")
	assert.Empty(t, n.Body, "an email never carries the reply")
	assert.NotContains(t, n.Subject, "office")
	assert.Equal(t, domain.DeliveryPending, n.Status)
	assert.Equal(t, ia.ID, n.InteractionID)

	// The writer has read it; colleagues have not.
	mine, err := d.svc.Portal.ListInteractions(ctx, staff, app.InteractionQuery{})
	require.NoError(t, err)
	assert.False(t, mine.Interactions[0].Unread)
	theirs, err := d.svc.Portal.ListInteractions(ctx, d.actorOf(t, d.admin), app.InteractionQuery{})
	require.NoError(t, err)
	assert.True(t, theirs.Interactions[0].Unread)

	view, err := d.svc.Portal.ReadInteraction(ctx, staff, string(ref))
	require.NoError(t, err)
	assert.Equal(t, "Alex", view.Messages[1].StaffName, "colleagues see the writer's name")
}

func TestStaffReplyToAWebReporterWithoutEmail(t *testing.T) {
	d := newDesk(t)
	ref := d.webReport(t, d.inbox, "no email given", "")
	_, err := d.svc.Portal.StaffReply(ctx, d.actorOf(t, d.admin), string(ref), "We are here to help.", netip.Addr{})
	require.NoError(t, err)
	assert.Len(t, d.messages(t, ref), 2)
	assert.Empty(t, d.reporterDeliveries(t, ref), "they read replies through their link")
}

func TestStaffReplyToATexterCarriesTheText(t *testing.T) {
	d := newDesk(t)
	ref := d.smsReport(t, "someone took my phone")
	const reply = "Thank you. Please come and see Mrs Khan."
	_, err := d.svc.Portal.StaffReply(ctx, d.actorOf(t, d.staff), string(ref), reply, netip.Addr{})
	require.NoError(t, err)
	out := d.reporterDeliveries(t, ref)
	require.Len(t, out, 1)
	assert.Equal(t, domain.DeliveryReporterSMS, out[0].Kind)
	assert.Equal(t, domain.DeliverySMS, out[0].Channel)
	assert.Equal(t, d.phone, out[0].To)
	assert.Equal(t, reply, out[0].Body, "a text carries the reply itself")
}

func TestStaffReplyRefusals(t *testing.T) {
	d := newDesk(t)
	ref := d.webReport(t, d.inbox, "hello", d.mail)
	before := d.interaction(t, ref)
	for name, c := range map[string]struct {
		who  *domain.Staff
		body string
		kind domain.Kind
	}{
		"empty":                   {d.staff, "   ", domain.KindInvalid},
		"too long":                {d.staff, string(make([]rune, domain.MaxMessage+1)), domain.KindInvalid},
		"another inbox":           {d.other, "hi", domain.KindNotFound},
		"another organisation":    {d.elsewhere, "hi", domain.KindNotFound},
		"out of scope, and empty": {d.other, "", domain.KindNotFound},
	} {
		_, err := d.svc.Portal.StaffReply(ctx, d.actorOf(t, c.who), string(ref), c.body, netip.Addr{})
		assert.Equal(t, c.kind, domain.KindOf(err), name)
		if c.kind == domain.KindInvalid {
			assert.NotEmpty(t, domain.ProblemsOf(err).Of(app.FieldMessage), name)
		}
	}
	assert.Len(t, d.messages(t, ref), 1, "nothing was added")
	assert.Empty(t, d.reporterDeliveries(t, ref))
	assert.Equal(t, before, d.interaction(t, ref))
}

// A staff reply with problems adds nothing, and answers with the report as
// opening it would, marked read, for the page that shows the reply again.
func TestAStaffReplyWithProblemsAnswersWithTheReport(t *testing.T) {
	d := newDesk(t)
	ref := d.webReport(t, d.inbox, "I saw something on the bus", "")
	staff := d.actorOf(t, d.staff)
	view, err := d.svc.Portal.StaffReply(ctx, staff, string(ref), "   ", netip.Addr{})
	assert.NotEmpty(t, domain.ProblemsOf(err).Of(app.FieldMessage))
	require.NotNil(t, view.Interaction)
	assert.Equal(t, ref, view.Interaction.Ref)
	require.Len(t, view.Messages, 1, "nothing was added")
	assert.Equal(t, "I saw something on the bus", view.Messages[0].Body)
	assert.Equal(t, []domain.InboxID{d.inbox.ID}, inboxIDsOf(view.Inboxes))
	list, err := d.svc.Portal.ListInteractions(ctx, staff, app.InteractionQuery{})
	require.NoError(t, err)
	require.Len(t, list.Interactions, 1)
	assert.False(t, list.Interactions[0].Unread, "answering with it marked it read")

	view, err = d.svc.Portal.StaffReply(ctx, staff, string(ref), "Thank you for telling us.", netip.Addr{})
	require.NoError(t, err)
	assert.Nil(t, view.Interaction, "a stored reply's page is a redirect away")
}

func TestSetCaseStatus(t *testing.T) {
	d := newDesk(t)
	ref := d.webReport(t, d.inbox, "hello", "")
	staff := d.actorOf(t, d.staff)

	d.clock.t = d.clock.t.Add(time.Hour)
	closedAt := d.clock.t.UTC().Truncate(time.Microsecond)
	require.NoError(t, d.svc.Portal.SetInteractionStatus(ctx, staff, string(ref), "closed"))
	ia := d.interaction(t, ref)
	assert.Equal(t, domain.StatusClosed, ia.Status)
	require.NotNil(t, ia.ClosedAt)
	assert.Equal(t, closedAt, *ia.ClosedAt, "retention runs from now")

	d.clock.t = d.clock.t.Add(time.Hour)
	require.NoError(t, d.svc.Portal.SetInteractionStatus(ctx, staff, string(ref), "closed"), "closing twice is no error")
	assert.Equal(t, closedAt, *d.interaction(t, ref).ClosedAt, "and keeps the first date")

	reopened := d.clock.t.UTC().Truncate(time.Microsecond)
	require.NoError(t, d.svc.Portal.SetInteractionStatus(ctx, staff, string(ref), "OPEN"))
	ia = d.interaction(t, ref)
	assert.Equal(t, domain.StatusOpen, ia.Status)
	assert.Nil(t, ia.ClosedAt)
	assert.Equal(t, reopened, ia.LastActivityAt)

	for name, c := range map[string]struct {
		who    *domain.Staff
		status string
		kind   domain.Kind
	}{
		"bad status":           {d.staff, "archived", domain.KindInvalid},
		"another inbox":        {d.other, "closed", domain.KindNotFound},
		"another organisation": {d.elsewhere, "closed", domain.KindNotFound},
	} {
		err := d.svc.Portal.SetInteractionStatus(ctx, d.actorOf(t, c.who), string(ref), c.status)
		assert.Equal(t, c.kind, domain.KindOf(err), name)
	}
	assert.Equal(t, ia, d.interaction(t, ref), "refusals changed nothing")
}

func TestMoveCase(t *testing.T) {
	d := newDesk(t)
	ref := d.webReport(t, d.inbox, "it happened online", "")
	admin := d.actorOf(t, d.admin)
	staff := d.actorOf(t, d.staff)
	before := d.interaction(t, ref)

	for name, c := range map[string]struct {
		who   *app.Actor
		inbox string
		kind  domain.Kind
	}{
		"another form's inbox":          {admin, string(d.otherFormInbox.ID), domain.KindInvalid},
		"another organisation's inbox":  {admin, string(d.elsewhereInbox.ID), domain.KindInvalid},
		"an inbox the actor cannot see": {staff, string(d.second.ID), domain.KindInvalid},
		"nonsense":                      {admin, "general", domain.KindInvalid},
		"a case of another inbox":       {d.actorOf(t, d.other), string(d.second.ID), domain.KindNotFound},
		"another organisation":          {d.actorOf(t, d.elsewhere), string(d.elsewhereInbox.ID), domain.KindNotFound},
	} {
		err := d.svc.Portal.MoveInteraction(ctx, c.who, string(ref), c.inbox)
		assert.Equal(t, c.kind, domain.KindOf(err), name)
		if c.kind == domain.KindInvalid {
			assert.NotEmpty(t, domain.ProblemsOf(err).Of(app.FilterInbox), name)
		}
	}
	assert.Equal(t, before, d.interaction(t, ref), "refusals moved nothing")

	require.NoError(t, d.svc.Portal.MoveInteraction(ctx, staff, string(ref), string(d.inbox.ID)), "where it is already")
	alertsBefore := len(d.deliveries(t, ref))

	d.clock.t = d.clock.t.Add(time.Hour)
	require.NoError(t, d.svc.Portal.MoveInteraction(ctx, admin, string(ref), string(d.second.ID)))
	assert.Equal(t, d.second.ID, d.interaction(t, ref).InboxID)
	_, err := d.svc.Portal.ReadInteraction(ctx, staff, string(ref))
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err), "General's staff no longer see it")
	_, err = d.svc.Portal.ReadInteraction(ctx, d.actorOf(t, d.other), string(ref))
	assert.NoError(t, err, "the new inbox's staff do")

	all := d.deliveries(t, ref)
	require.Len(t, all, alertsBefore+1, "moving where it already was told no one")
	var told []string
	for _, dl := range all {
		if dl.CreatedAt.Equal(d.clock.t.UTC().Truncate(time.Microsecond)) {
			assert.Equal(t, domain.DeliveryStaffNewReport, dl.Kind)
			assert.Contains(t, dl.Subject, "Online worries")
			told = append(told, dl.To)
		}
	}
	assert.Equal(t, []string{d.other.Email}, told, "the new inbox's people are told")
}
