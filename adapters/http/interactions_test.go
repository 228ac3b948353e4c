package http_test

import (
	"crypto/rand"
	"fmt"
	nethttp "net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// caseRefOf finds the reference of the report behind a conversation token.
func (p *portal) caseRefOf(token string) domain.Reference {
	p.t.Helper()
	var ref domain.Reference
	require.NoError(p.t, p.store.View(ctx, func(tx ports.Tx) error {
		ia, err := tx.Interactions().GetByToken(ctx, domain.Token(token))
		if err == nil {
			ref = ia.Ref
		}
		return err
	}))
	return ref
}

// caseSMS stores a report that came by text from phone into General, as
// the SMS channel would, with the carrier as its meta data.
func (p *portal) caseSMS(body, phone string) domain.Reference {
	p.t.Helper()
	p.clock.add(time.Minute)
	draw := func(f func() error) { require.NoError(p.t, f()) }
	var ids domain.IDs
	draw(func() (err error) { ids.Interaction, err = domain.NewInteractionID(rand.Reader); return })
	draw(func() (err error) { ids.Message, err = domain.NewMessageID(rand.Reader); return })
	draw(func() (err error) { ids.Ref, err = domain.NewReference(rand.Reader); return })
	draw(func() (err error) { ids.Token, err = domain.NewToken(rand.Reader); return })
	ia, msg, token, err := domain.OpenInteraction(ids, domain.NewReport{
		Form: p.form, Inbox: p.inbox, Channel: domain.ChannelSMS, Body: body,
	}, p.clock.Now().UTC().Truncate(time.Microsecond))
	require.NoError(p.t, err)
	require.NoError(p.t, p.store.InTx(ctx, func(tx ports.Tx) error {
		if err := tx.Interactions().Create(ctx, ia, token, domain.Contact{Phone: phone}); err != nil {
			return err
		}
		return tx.Messages().Add(ctx, msg, domain.Meta{Network: "Example Mobile", Location: "Leeds, England, GB"})
	}))
	return ia.Ref
}

// caseState is what a refused request must leave as it was.
type caseState struct {
	Interaction domain.Interaction
	Messages    int
	Deliveries  int
}

func (p *portal) caseState(ref domain.Reference) caseState {
	p.t.Helper()
	var st caseState
	require.NoError(p.t, p.store.View(ctx, func(tx ports.Tx) error {
		ia, err := tx.Interactions().GetByRef(ctx, ref)
		if err != nil {
			return err
		}
		msgs, err := tx.Messages().List(ctx, ia.ID)
		if err != nil {
			return err
		}
		ds, err := tx.Outbox().List(ctx, ports.OutboxFilter{InteractionID: &ia.ID})
		st = caseState{Interaction: *ia, Messages: len(msgs), Deliveries: len(ds)}
		return err
	}))
	return st
}

func interactionPath(ref domain.Reference, action string) string {
	if action == "" {
		return "/staff/interactions/" + string(ref)
	}
	return "/staff/interactions/" + string(ref) + "/" + action
}

func TestInteractionRoutesAuthorisationMatrix(t *testing.T) {
	p := newPortal(t)
	ref := p.caseRefOf(p.report("Someone keeps messaging me"))

	type who struct {
		name string
		b    *browser
		// sees says whether the report is in this person's scope.
		sees bool
	}
	people := []who{
		{"anonymous", p.anonymous(), false},
		{"staff of another inbox", p.as(p.otherInbox), false},
		{"admin of another organisation", p.as(p.adminB), false},
		{"staff of the inbox", p.as(p.staff), true},
		{"admin", p.as(p.admin), true},
	}
	type route struct {
		name string
		do   func(b *browser) response
		// write is set for routes that change the report when allowed.
		write bool
		// scoped routes answer 404 outside the actor's scope; the others
		// answer 200 with only what is in scope.
		scoped bool
		// allowed is the status for a person who may.
		allowed func(w who) int
	}
	ok := func(who) int { return nethttp.StatusOK }
	redirect := func(who) int { return nethttp.StatusSeeOther }
	routes := []route{
		{"list", func(b *browser) response { return b.get("/staff/") }, false, false, ok},
		{"case", func(b *browser) response { return b.get(interactionPath(ref, "")) }, false, true, ok},
		{"reply", func(b *browser) response {
			return b.post(interactionPath(ref, "messages"), url.Values{"message": {"We are looking into it."}})
		}, true, true, redirect},
		{"status", func(b *browser) response {
			return b.post(interactionPath(ref, "status"), url.Values{"status": {"closed"}})
		}, true, true, redirect},
		{"move", func(b *browser) response {
			return b.post(interactionPath(ref, "inbox"), url.Values{"inbox": {string(p.second.ID)}})
		}, true, true, func(w who) int {
			if w.name == "staff of the inbox" {
				// Only to an inbox they see; Online worries is not theirs.
				return nethttp.StatusUnprocessableEntity
			}
			return nethttp.StatusSeeOther
		}},
		{"export.csv", func(b *browser) response { return b.get("/staff/export.csv") }, false, false, ok},
		{"export.json", func(b *browser) response { return b.get("/staff/export.json") }, false, false, ok},
		{"stats", func(b *browser) response { return b.get("/staff/stats") }, false, false, ok},
		{"stats.csv", func(b *browser) response { return b.get("/staff/stats.csv") }, false, false, ok},
	}

	for _, w := range people {
		for _, rt := range routes {
			before := p.caseState(ref)
			r := rt.do(w.b)
			label := w.name + " → " + rt.name
			switch {
			case w.name == "anonymous":
				assert.Equal(t, nethttp.StatusSeeOther, r.status, label)
				assert.Equal(t, "/staff/login", r.header.Get("Location"), label)
			case rt.scoped && !w.sees:
				assert.Equal(t, nethttp.StatusNotFound, r.status, label)
				assert.NotContains(t, r.body, "Someone keeps messaging me", label)
			default:
				assert.Equal(t, rt.allowed(w), r.status, label)
			}
			if !w.sees {
				assert.NotContains(t, r.body, string(ref), "%s: not even the reference", label)
			} else if rt.name == "list" || strings.HasPrefix(rt.name, "export") {
				assert.Contains(t, r.body, string(ref), label)
			}
			if !rt.write || !w.sees || r.status != nethttp.StatusSeeOther {
				assert.Equal(t, before, p.caseState(ref), "%s: nothing changed", label)
			}
		}
	}

	// What the allowed writes did: a reply from each, closed, and moved
	// by the admin.
	after := p.caseState(ref)
	assert.Equal(t, 3, after.Messages)
	assert.Equal(t, domain.StatusClosed, after.Interaction.Status)
	assert.Equal(t, p.second.ID, after.Interaction.InboxID)
}

func TestCaseRoutesRefuseCrossSitePosts(t *testing.T) {
	p := newPortal(t)
	ref := p.caseRefOf(p.report("hello"))
	admin := p.as(p.admin)
	before := p.caseState(ref)
	for action, form := range map[string]url.Values{
		"messages": {"message": {"forged"}},
		"status":   {"status": {"closed"}},
		"inbox":    {"inbox": {string(p.second.ID)}},
	} {
		r := admin.post(interactionPath(ref, action), form, "Sec-Fetch-Site", "cross-site")
		assert.Equal(t, nethttp.StatusForbidden, r.status, action)
		r = admin.post(interactionPath(ref, action), form, "Origin", "https://evil.example")
		assert.Equal(t, nethttp.StatusForbidden, r.status, action)
	}
	assert.Equal(t, before, p.caseState(ref), "nothing changed")
}

func TestCaseListPage(t *testing.T) {
	p := newPortal(t)
	p.clock.add(24 * time.Hour)
	plain := p.caseRefOf(p.report("plain report"))
	named := p.caseRefOf(p.report("he called me a bastard", "name", "Robin Example"))
	p.clock.add(time.Minute)
	online, err := p.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", InboxID: string(p.second.ID), Body: "online"})
	require.NoError(t, err)

	admin := p.as(p.admin)
	r := admin.get("/staff/")
	require.Equal(t, nethttp.StatusOK, r.status)
	assertPageHeaders(t, r)
	assert.NotContains(t, r.body, "<script")
	for _, ref := range []domain.Reference{plain, named, online.Ref} {
		assert.Contains(t, r.body, `<a class="ref" href="/staff/interactions/`+string(ref)+`">`+string(ref)+`</a>`)
	}
	assert.Contains(t, r.body, "[Anonymous]")
	assert.Contains(t, r.body, "Robin Example")
	assert.Contains(t, r.body, `<span class="tag tag-unread">Unread</span>`)
	assert.Contains(t, r.body, `<span class="tag tag-flag">Swearing flagged</span>`)
	assert.Contains(t, r.body, `<th scope="col">Reference</th>`)
	assert.Contains(t, r.body, `aria-current="page">Reports</a>`)
	assert.Contains(t, r.body, "3 reports")
	first := strings.Index(r.body, string(online.Ref))
	assert.True(t, first < strings.Index(r.body, string(named)) && strings.Index(r.body, string(named)) < strings.Index(r.body, string(plain)),
		"newest activity first")

	// Filters are a GET form; the choice is kept.
	r = admin.get("/staff/?status=open&inbox=" + string(p.second.ID))
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Contains(t, r.body, string(online.Ref))
	assert.NotContains(t, r.body, string(plain))
	assert.Contains(t, r.body, `<option value="`+string(p.second.ID)+`" selected>`)
	assert.Contains(t, r.body, `href="/staff/">Clear filters</a>`)

	day := p.clock.Now().Format(time.DateOnly)
	r = admin.get("/staff/?from=" + day + "&to=" + day)
	assert.Contains(t, r.body, string(plain))
	r = admin.get("/staff/?to=2020-01-01")
	assert.NotContains(t, r.body, string(plain))
	assert.Contains(t, r.body, "No reports match these filters.")

	r = admin.get("/staff/?from=yesterday&inbox=" + string(p.inboxB.ID))
	assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, `<a href="#from">`)
	assert.Contains(t, r.body, `<a href="#inbox">`)
	assert.Contains(t, r.body, `id="from-error"`)
	assert.Contains(t, r.body, `value="yesterday"`, "what was typed is kept")
	assert.NotContains(t, r.body, string(plain))

	// Staff with one inbox get no inbox filter: there is nothing to choose.
	r = p.as(p.staff).get("/staff/")
	assert.NotContains(t, r.body, `id="inbox"`)
	assert.NotContains(t, r.body, string(online.Ref))
}

func TestCaseListPages(t *testing.T) {
	p := newPortal(t)
	for i := range app.InteractionsPerPage + 1 {
		p.clock.add(time.Minute)
		_, err := p.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: fmt.Sprintf("report %d", i), InboxID: string(p.inbox.ID)})
		require.NoError(t, err)
	}
	b := p.as(p.staff)
	r := b.get("/staff/?status=open")
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Equal(t, app.InteractionsPerPage, strings.Count(r.body, `<a class="ref"`))
	assert.Contains(t, r.body, "Page 1 of 2")
	assert.Contains(t, r.body, `<a href="/staff/?page=2&amp;status=open" rel="next">Next page</a>`)
	assert.NotContains(t, r.body, "Previous page")

	r = b.get("/staff/?page=2&status=open")
	assert.Equal(t, 1, strings.Count(r.body, `<a class="ref"`))
	assert.Contains(t, r.body, `<a href="/staff/?status=open" rel="prev">Previous page</a>`)
	assert.NotContains(t, r.body, "Next page")
}

func TestCasePage(t *testing.T) {
	p := newPortal(t)
	ref := p.caseRefOf(p.report("They wrote things about me online"))
	staff := p.as(p.staff)

	r := staff.get(interactionPath(ref, ""))
	require.Equal(t, nethttp.StatusOK, r.status)
	assertPageHeaders(t, r)
	assert.NotContains(t, r.body, "<script")
	assert.Contains(t, r.body, "<h1>Report <span class=\"ref\">"+string(ref)+"</span></h1>")
	assert.Contains(t, r.body, "[Anonymous]")
	assert.Contains(t, r.body, "General")
	assert.Contains(t, r.body, "They wrote things about me online")
	assert.Contains(t, r.body, `<span class="msg-author">Reporter</span>`)
	assert.Contains(t, r.body, `<label for="message">`)
	assert.Contains(t, r.body, `action="`+interactionPath(ref, "messages")+`"`)
	assert.Contains(t, r.body, `name="status" value="closed"`)
	assert.NotContains(t, r.body, `action="`+interactionPath(ref, "inbox")+`"`, "no other inbox of the form is this member's")
	assert.Contains(t, p.as(p.admin).get(interactionPath(ref, "")).body, `action="`+interactionPath(ref, "inbox")+`"`,
		"an admin may move it to Online worries")

	// A reply: 303 back, the thread shows it under the writer's full name.
	r = staff.post(interactionPath(ref, "messages"), url.Values{"message": {"Thank you for telling us."}})
	require.Equal(t, nethttp.StatusSeeOther, r.status)
	assert.Equal(t, interactionPath(ref, ""), r.header.Get("Location"))
	assert.Contains(t, r.header.Get("Set-Cookie"), "__Host-whisper_done=replied")
	r = staff.do(nethttp.MethodGet, interactionPath(ref, ""), nil, "Cookie", "__Host-whisper_done=replied")
	assert.Contains(t, r.body, `<div class="flash" role="status"><p>Your reply has been added to the conversation.</p></div>`)
	assert.Contains(t, r.body, `<span class="msg-author">Dev Tester</span>`)
	assert.Contains(t, r.body, "Thank you for telling us.")
	r = staff.do(nethttp.MethodGet, interactionPath(ref, ""), nil, "Cookie", "__Host-whisper_done=<b>forged</b>")
	assert.NotContains(t, r.body, "forged", "only the fixed confirmations are shown")

	// Problems: 422, the error beside the box, the text kept.
	long := strings.Repeat("é", domain.MaxMessage+1)
	before := p.caseState(ref)
	r = staff.post(interactionPath(ref, "messages"), url.Values{"message": {long}})
	assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, `id="message-error"`)
	assert.Contains(t, r.body, `<a href="#message">`)
	assert.Contains(t, r.body, long)
	r = staff.post(interactionPath(ref, "status"), url.Values{"status": {"archived"}})
	assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, `id="status-error"`)
	assert.Equal(t, before, p.caseState(ref))

	// Close, then reopen.
	r = staff.post(interactionPath(ref, "status"), url.Values{"status": {"closed"}})
	require.Equal(t, nethttp.StatusSeeOther, r.status)
	assert.Equal(t, domain.StatusClosed, p.caseState(ref).Interaction.Status)
	r = staff.get(interactionPath(ref, ""))
	assert.Contains(t, r.body, `name="status" value="open"`)
	require.Equal(t, nethttp.StatusSeeOther, staff.post(interactionPath(ref, "status"), url.Values{"status": {"open"}}).status)
	assert.Equal(t, domain.StatusOpen, p.caseState(ref).Interaction.Status)

	// Move, by the admin; then General's staff no longer see it.
	admin := p.as(p.admin)
	r = admin.post(interactionPath(ref, "inbox"), url.Values{"inbox": {string(p.inboxB.ID)}})
	assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status, "another organisation's inbox")
	assert.Contains(t, r.body, `id="inbox-error"`)
	require.Equal(t, nethttp.StatusSeeOther, admin.post(interactionPath(ref, "inbox"), url.Values{"inbox": {string(p.second.ID)}}).status)
	assert.Equal(t, nethttp.StatusNotFound, staff.get(interactionPath(ref, "")).status)
	assert.Equal(t, nethttp.StatusOK, p.as(p.otherInbox).get(interactionPath(ref, "")).status)

	// References are found however they are typed; nonsense is not found.
	assert.Equal(t, nethttp.StatusOK, admin.get("/staff/interactions/"+strings.ToLower(strings.ReplaceAll(string(ref), "-", ""))).status)
	assert.Equal(t, nethttp.StatusNotFound, admin.get("/staff/interactions/nonsense").status)
	assert.Equal(t, nethttp.StatusNotFound, admin.post("/staff/interactions/nonsense/messages", url.Values{"message": {"x"}}).status)
}

// channelWords would tell staff how a report came in.
var channelWords = regexp.MustCompile(`(?i)\b(sms|channel|text message|texted|by text|phone)\b`)

func TestStaffSeeNoContactMetaOrChannel(t *testing.T) {
	p := newPortal(t)
	const (
		email = "robin.reporter@example.org"
		phone = "+447700900123"
		ip    = "81.2.69.7" // placed in Bristol, on Example Broadband
	)
	web, err := p.svc.Reporting.SubmitReport(ctx, app.SubmitReport{
		FormCode: "OAK", InboxID: string(p.inbox.ID), Body: "A web report", Email: email, Name: "Robin",
		IP: netip.MustParseAddr(ip),
	})
	require.NoError(t, err)
	sms := p.caseSMS("A report from the bus stop", phone)
	// The secrets are really there, behind the staff's view.
	require.NoError(t, p.store.View(ctx, func(tx ports.Tx) error {
		ia, err := tx.Interactions().GetByRef(ctx, web.Ref)
		require.NoError(t, err)
		contact, err := tx.Interactions().Contact(ctx, ia.ID)
		require.NoError(t, err)
		assert.Equal(t, email, contact.Email)
		msgs, err := tx.Messages().List(ctx, ia.ID)
		require.NoError(t, err)
		meta, err := tx.Messages().Meta(ctx, msgs[0].ID)
		require.NoError(t, err)
		assert.Equal(t, ip, meta.IP)
		assert.Equal(t, "Bristol, England, GB", meta.Location)
		assert.Equal(t, "Example Broadband", meta.Network)
		return nil
	}))
	secrets := []string{email, "robin.reporter", phone, "7700900123", "07700 900123", ip, "Bristol", "Example Broadband", "Example Mobile", "Leeds"}

	var pages []response
	for _, m := range []*domain.Staff{p.admin, p.staff} {
		b := p.as(m)
		pages = append(pages, b.get("/staff/"), b.get("/staff/?status=open"))
		for _, ref := range []domain.Reference{web.Ref, sms} {
			pages = append(pages, b.get(interactionPath(ref, "")))
			r := b.post(interactionPath(ref, "messages"), url.Values{"message": {"Please come and see us."}})
			require.Equal(t, nethttp.StatusSeeOther, r.status)
			pages = append(pages, r, b.post(interactionPath(ref, "messages"), url.Values{"message": {""}}))
		}
		pages = append(pages, b.get("/staff/export.csv"), b.get("/staff/export.json"), b.get("/staff/stats"), b.get("/staff/stats.csv"))
	}
	for _, r := range pages {
		require.Contains(t, []int{nethttp.StatusOK, nethttp.StatusSeeOther, nethttp.StatusUnprocessableEntity}, r.status)
		for _, secret := range secrets {
			assert.NotContains(t, r.body, secret)
			for _, values := range r.header {
				for _, v := range values {
					assert.NotContains(t, v, secret)
				}
			}
		}
		assert.Empty(t, channelWords.FindAllString(r.body, -1), "nothing says how a report came in")
	}
	texted := 0
	for _, r := range pages {
		if strings.Contains(r.body, "A report from the bus stop") {
			texted++
		}
	}
	assert.GreaterOrEqual(t, texted, 8, "the check ran over real pages: both case pages and both exports for both people (and the lists, whose preview shows the latest message)")

	// The alerts to staff about both reports carry none of it either.
	for _, ref := range []domain.Reference{web.Ref, sms} {
		var ds []*domain.Delivery
		require.NoError(t, p.store.View(ctx, func(tx ports.Tx) error {
			ia, err := tx.Interactions().GetByRef(ctx, ref)
			if err != nil {
				return err
			}
			ds, err = tx.Outbox().List(ctx, ports.OutboxFilter{InteractionID: &ia.ID})
			return err
		}))
		for _, d := range ds {
			if d.Kind != domain.DeliveryStaffNewReport && d.Kind != domain.DeliveryStaffReply {
				continue
			}
			for _, field := range []string{d.To, d.Subject, d.Link, d.Body} {
				for _, secret := range secrets {
					assert.NotContains(t, field, secret)
				}
				assert.Empty(t, channelWords.FindAllString(field, -1))
			}
		}
	}
}
