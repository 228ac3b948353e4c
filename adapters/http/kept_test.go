package http_test

import (
	"crypto/rand"
	"html"
	nethttp "net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	httpadapter "github.com/whisper-schools/whisper/adapters/http"
	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// refusal is one way a report or a reply is refused: how the site is set
// up for it, and what refuses the text.
type refusal struct {
	name   string
	opt    siteOptions
	status int
	// typed is what the reporter wrote; a plain worry when empty.
	typed string
	// setup readies the site and returns the conversation's token for a
	// reply, or "" for a report.
	setup func(s *site) string
	// extra are more fields to post beside the message.
	extra url.Values
}

func (s *site) setSwearPolicy(p domain.SwearPolicy) {
	s.t.Helper()
	s.form.SwearPolicy = p
	require.NoError(s.t, s.store.InTx(ctx, func(tx ports.Tx) error { return storetest.SaveForm(tx, s.form) }))
}

func (s *site) suspend() {
	s.t.Helper()
	_, err := s.svc.Operations.SetOrganisationStatus(ctx, app.Operator{Name: "test"}, s.org.ID, domain.OrgSuspended, "unpaid")
	require.NoError(s.t, err)
}

// stored counts every message kept, in every conversation.
func (s *site) stored() int {
	s.t.Helper()
	n := 0
	require.NoError(s.t, s.store.View(ctx, func(tx ports.Tx) error {
		list, err := tx.Interactions().List(ctx, ports.InteractionFilter{OrgID: &s.org.ID})
		for _, ia := range list {
			msgs, err := tx.Messages().List(ctx, ia.ID)
			if err != nil {
				return err
			}
			n += len(msgs)
		}
		return err
	}))
	return n
}

func refusals() []refusal {
	report := func(*site) string { return "" }
	return []refusal{
		{name: "report over the address's hourly limit", opt: siteOptions{reportsPerIP: 1}, status: nethttp.StatusTooManyRequests,
			setup: func(s *site) string { s.report("first"); return "" }},
		{name: "report over the form's hourly limit", opt: siteOptions{reportsPerForm: 1}, status: nethttp.StatusTooManyRequests,
			setup: func(s *site) string { s.report("first"); return "" }},
		{name: "report to a closed form", status: nethttp.StatusGone, setup: func(s *site) string {
			s.form.Open = false
			require.NoError(s.t, s.store.InTx(ctx, func(tx ports.Tx) error { return storetest.SaveForm(tx, s.form) }))
			return ""
		}},
		{name: "report to a suspended school", status: nethttp.StatusGone, setup: func(s *site) string { s.suspend(); return "" }},
		{name: "report from a blocked sender", status: nethttp.StatusForbidden, extra: url.Values{"email": {"pupil@example.org"}},
			setup: func(s *site) string {
				require.NoError(s.t, s.store.InTx(ctx, func(tx ports.Tx) error {
					id, err := domain.NewBlockID(rand.Reader)
					require.NoError(s.t, err)
					return tx.Blocks().Create(ctx, &domain.Block{ID: id, Kind: domain.BlockEmail, Value: "pupil@example.org", CreatedAt: s.clock.Now()})
				}))
				return ""
			}},
		{name: "report stopped by the swear-word filter", status: nethttp.StatusUnprocessableEntity,
			typed: "You are all fucking bastards <and> I hate this school",
			setup: func(s *site) string { s.setSwearPolicy(domain.SwearBlock); return "" }},
		{name: "report taken for a robot's", status: nethttp.StatusUnprocessableEntity, extra: url.Values{"website": {"filled in by autofill"}}, setup: report},
		{name: "reply over the conversation's hourly limit", opt: siteOptions{repliesPerConversation: 1}, status: nethttp.StatusTooManyRequests,
			setup: func(s *site) string {
				token := s.report("It started at lunch")
				require.Equal(s.t, nethttp.StatusSeeOther, s.post("/t/"+token, url.Values{"message": {"more"}}).status)
				return token
			}},
		{name: "reply to a suspended school", status: nethttp.StatusGone, setup: func(s *site) string {
			token := s.report("It started at lunch")
			s.suspend()
			return token
		}},
		{name: "reply stopped by the swear-word filter", status: nethttp.StatusUnprocessableEntity,
			typed: "You are all fucking bastards <and> I hate you all",
			setup: func(s *site) string {
				token := s.report("It started at lunch")
				s.setSwearPolicy(domain.SwearBlock)
				return token
			}},
	}
}

// Every page that refuses a report or a reply — a rate limit (429), a
// closed form or school (410), a blocked sender, the swear-word filter, a
// suspected robot — shows what the reporter typed in a read-only field to
// copy, and where to get help now, in English and in Welsh; nothing
// refused is stored. A blocked sender still reads nothing of a block.
func TestRefusedTextIsKeptToCopy(t *testing.T) {
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			for _, rf := range refusals() {
				t.Run(rf.name, func(t *testing.T) {
					rf.opt.postgres = store == "postgres"
					testRefusedTextIsKept(t, rf)
				})
			}
		})
	}
}

func testRefusedTextIsKept(t *testing.T, rf refusal) {
	s := newSite(t, rf.opt)
	token := rf.setup(s)
	before := s.stored()
	typed := rf.typed
	if typed == "" {
		typed = "They said <they> would wait for me after school & I am scared\nPlease help"
	}
	for _, lang := range []string{"en", "cy"} {
		s.clock.add(time.Minute)
		form := url.Values{"message": {typed}, "lang": {lang}}
		path := "/t/" + token
		if token == "" {
			path = "/r/OAK"
			form.Set("category", string(s.inbox.ID))
		}
		for k, v := range rf.extra {
			form[k] = v
		}
		r := s.post(path, form)
		require.Equal(t, rf.status, r.status, lang)
		assert.Contains(t, r.body, `<html lang="`+lang+`">`)
		assert.Contains(t, r.body, `<textarea id="kept" rows="6" readonly aria-describedby="kept-hint">`+html.EscapeString(typed)+`</textarea>`,
			"%s: what was typed, to copy", lang)
		assert.Contains(t, r.body, `href="tel:08001111"`, "help now")
		assert.Contains(t, r.body, "<strong>999</strong>", "help now")
		if lang == "en" {
			assert.Contains(t, r.body, `<label for="kept">Copy your message so it is not lost</label>`)
			assert.Contains(t, r.body, "If you need help now")
		} else {
			assert.Contains(t, r.body, `<label for="kept">Copïwch eich neges fel nad yw&#39;n mynd ar goll</label>`)
			assert.Contains(t, r.body, "Os oes angen help arnoch chi nawr")
		}
		assert.Equal(t, 1, strings.Count(r.body, `id="kept"`), "one field to copy")
		if rf.status == nethttp.StatusForbidden {
			assert.NotContains(t, strings.ToLower(r.body), "block", "a block is not confirmed")
		}
	}
	assert.Equal(t, before, s.stored(), "nothing refused is stored")
}

// A report or reply refused for another field than its message (here a
// missing category) is the form again with the text in its box: nothing
// was refused about the text, so there is no second copy of it.
func TestOtherProblemsKeepTheTextInItsBoxOnly(t *testing.T) {
	s := newSite(t, siteOptions{})
	r := s.post("/r/OAK", url.Values{"message": {"Someone took my phone"}})
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, "Someone took my phone</textarea>")
	assert.NotContains(t, r.body, `id="kept"`)
}

// Every reporter page starts with the quick exit: a link to the configured
// neutral site that sends no referrer, in the page's language, working
// without JavaScript; the site sends no referrer from any page either.
func TestEveryReporterPageHasAQuickExit(t *testing.T) {
	for _, tc := range []struct{ configured, want string }{
		{"", httpadapter.DefaultExitURL},
		{"https://weather.example/today?place=cardiff&days=3", "https://weather.example/today?place=cardiff&amp;days=3"},
	} {
		s := newSite(t, siteOptions{exitURL: tc.configured, reportsPerIP: 1})
		token := s.report("It started at lunch")
		big := strings.Repeat("x", 300<<10)
		pages := map[string]func() response{
			"form":             func() response { return s.get("/r/OAK") },
			"conversation":     func() response { return s.get("/t/" + token) },
			"notice":           func() response { return s.get("/notice") },
			"notice of a form": func() response { return s.get("/notice?form=OAK") },
			"not found":        func() response { return s.get("/t/nowhere") },
			"too many reports": func() response { return s.post("/r/OAK", url.Values{"message": {"again"}}) },
			"too long":         func() response { return s.post("/t/"+token, url.Values{"message": {big}}) },
			"reply refused":    func() response { return s.post("/t/"+token, url.Values{"message": {""}}) },
		}
		for name, get := range pages {
			r := get()
			assert.Equal(t, "no-referrer", r.header.Get("Referrer-Policy"), name)
			assert.Contains(t, r.body, `<a href="`+tc.want+`" class="exit-button" rel="nofollow noreferrer" referrerpolicy="no-referrer"><span class="visually-hidden">Emergency</span> Exit this page</a>`, name)
			assert.Less(t, strings.Index(r.body, "exit-button"), strings.Index(r.body, `<main`), "%s: at the top", name)
			assert.NotContains(t, r.body, "<script", name)
		}
		for _, path := range []string{"/r/OAK?lang=cy", "/t/" + token + "?lang=cy", "/notice?lang=cy"} {
			r := s.get(path)
			assert.Contains(t, r.body, `<span class="visually-hidden">Argyfwng</span> Gadael y dudalen hon</a>`, path)
		}
		s.form.Open = false
		require.NoError(t, s.store.InTx(ctx, func(tx ports.Tx) error { return storetest.SaveForm(tx, s.form) }))
		assert.Contains(t, s.get("/r/OAK").body, `href="`+tc.want+`" class="exit-button"`, "the closed form")
	}
}

// The notice tells a reporter on a shared phone or computer how to leave
// no trace, in both languages.
func TestNoticeExplainsClearingHistory(t *testing.T) {
	s := newSite(t, siteOptions{})
	en := s.get("/notice").body
	assert.Contains(t, en, `<a href="#shared-device">Using Whisper on a shared phone or computer</a>`)
	assert.Contains(t, en, `<h2 id="shared-device">`)
	for _, want := range []string{"private browsing or incognito", "delete Whisper from your browsing history", "delete the messages to and from Whisper", "Exit this page"} {
		assert.Contains(t, en, want)
	}
	cy := s.get("/notice?lang=cy").body
	for _, want := range []string{"Defnyddio Whisper ar ffôn neu gyfrifiadur a rennir", "fodd incognito", "dilëwch Whisper o hanes eich porwr", "Gadael y dudalen hon"} {
		assert.Contains(t, cy, want)
	}
}

// A report or reply that meets an error page — a link that opens nothing
// (never issued, or erased since the page was loaded), a code that names
// no form — gives the text back too. An erased link and one that never
// existed still answer exactly alike.
func TestErrorPagesKeepTheText(t *testing.T) {
	s := newSite(t, siteOptions{})
	token := s.report("It started at lunch")
	ref := s.interactions()[0].Ref
	require.NoError(t, s.svc.Operations.Erase(ctx, app.Operator{Name: "test"}, ref, "asked to"))
	typed := "They said <they> would wait for me"
	field := `<textarea id="kept" rows="6" readonly aria-describedby="kept-hint">` + html.EscapeString(typed) + `</textarea>`

	erased := s.post("/t/"+token, url.Values{"message": {typed}})
	unknown := s.post("/t/"+"A"+token[1:], url.Values{"message": {typed}})
	assert.Equal(t, nethttp.StatusNotFound, erased.status)
	assert.Contains(t, erased.body, "We could not find that page")
	assert.Contains(t, erased.body, field)
	assert.Contains(t, erased.body, `href="tel:08001111"`)
	assert.Equal(t, unknown.status, erased.status)
	assert.Equal(t, unknown.body, erased.body, "an erased link reads like one that never was")

	cy := s.post("/r/NOPE1", url.Values{"message": {typed}, "lang": {"cy"}})
	assert.Equal(t, nethttp.StatusNotFound, cy.status)
	assert.Contains(t, cy.body, `<html lang="cy">`)
	assert.Contains(t, cy.body, field)
	assert.Contains(t, cy.body, "Copïwch eich neges")

	// A plain miss, with nothing typed, is the page it always was.
	miss := s.get("/nowhere")
	assert.NotContains(t, miss.body, `id="kept"`)
	assert.Contains(t, miss.body, "If someone is in danger right now, call 999.")
}
