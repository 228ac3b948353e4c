package e2e

import (
	"crypto/rand"
	nethttp "net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// blockedEmail is an address the refusing site blocks.
const blockedEmail = "blocked@example.org"

// refusingSite is a site that refuses in every way a page can show: it
// takes one reply an hour per conversation, its form RUDE blocks swearing,
// and it blocks blockedEmail. It returns the site, a conversation on OAK
// whose hourly reply is used up, and one on RUDE.
func refusingSite(t *testing.T) (s *site, full, rude app.Receipt) {
	s = newSite(t, siteOptions{repliesPerConversation: 1})
	full = s.report(s.general, "", "Someone keeps taking my lunch.")
	_, err := s.svc.Reporting.ReporterReply(ctx, app.ReporterReply{Token: string(full.Token), Body: "It happened again today."})
	require.NoError(t, err)

	fc, err := s.svc.Operations.CreateForm(ctx, app.CreateForm{OrgID: s.org.ID, Name: "Oakfield Juniors", Code: "RUDE"})
	require.NoError(t, err)
	answer, err := s.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "RUDE", Body: "Someone is unkind to me at break.", IP: netip.MustParseAddr("192.0.2.11")})
	require.NoError(t, err)
	rude = answer.Receipt
	fc.Form.SwearPolicy = domain.SwearBlock
	require.NoError(t, s.st.InTx(ctx, func(tx ports.Tx) error {
		if err := storetest.SaveForm(tx, fc.Form); err != nil {
			return err
		}
		id, err := domain.NewBlockID(rand.Reader)
		if err != nil {
			return err
		}
		return tx.Blocks().Create(ctx, &domain.Block{ID: id, Kind: domain.BlockEmail, Value: blockedEmail, CreatedAt: clock{}.Now()})
	}))
	return s, full, rude
}

// keptPages are the pages that refuse a report or a reply and give back
// what was typed, to copy, with help now.
func keptPages(s *site, full, rude app.Receipt) []page {
	// Aimed at someone: under block, reported swearing ("he shouted …")
	// is only flagged.
	const insult = "You are all fucking bastards, I hate you."
	write := func(path, text string, fields ...string) func(b *tab) int {
		return func(b *tab) int {
			b.open(path)
			if b.has("#category") {
				b.choose("category", string(s.general.ID))
			}
			for i := 0; i+1 < len(fields); i += 2 {
				b.typeInto(fields[i], fields[i+1])
			}
			b.typeInto("message", text)
			return b.click(`main form button[type="submit"]`)
		}
	}
	return []page{
		{"report to a form closed while it was written", nethttp.StatusGone, func(b *tab) int {
			b.open("/r/OAK")
			b.choose("category", string(s.general.ID))
			b.typeInto("message", "Someone is following me home.")
			// As if the school closed the form while the reporter wrote.
			eval[bool](b, `(document.querySelector('main form').action = '/r/SHUT', true)`)
			return b.click(`main form button[type="submit"]`)
		}},
		{"report from a blocked sender", nethttp.StatusForbidden, write("/r/OAK", "Someone is following me home.", "email", blockedEmail)},
		{"report stopped by the swear-word filter", nethttp.StatusUnprocessableEntity, write("/r/RUDE", insult)},
		{"reply stopped by the swear-word filter", nethttp.StatusUnprocessableEntity, write("/t/"+string(rude.Token), insult)},
		{"reply over the hourly limit", nethttp.StatusTooManyRequests, write("/t/"+string(full.Token), "And again at home time.")},
	}
}

// TestAxeKeptText runs axe-core, and the checks axe cannot make, on every
// page that keeps a refused text, in English and Welsh, at a phone's and a
// desktop's width; each shows the text in its field to copy.
func TestAxeKeptText(t *testing.T) {
	axeScript(t)
	s, full, rude := refusingSite(t)
	for _, width := range []int{phone, desktop} {
		for _, lang := range []string{"en", "cy"} {
			t.Run(lang+"/"+widthName(width), func(t *testing.T) {
				b := s.newTab(t, width)
				b.open("/r/OAK?lang=" + lang)
				for _, p := range keptPages(s, full, rude) {
					status := p.reach(b)
					if !assert.Equal(t, p.status, status, "%s: status", p.name) {
						continue
					}
					assert.Equal(t, lang, b.lang(), "%s: <html lang>", p.name)
					assert.True(t, b.has(`textarea#kept[readonly]`), "%s: no field to copy", p.name)
					assert.NotEmpty(t, b.value("kept"), "%s: the text is kept", p.name)
					b.axe(p.name)
					for _, problem := range checkPage(b) {
						t.Errorf("%s (%s, %dpx): %s", p.name, b.path(), b.width, problem)
					}
				}
			})
		}
	}
}

// The pages that keep a refused text, and the quick exit above them, fit a
// 320-pixel screen without scrolling sideways.
func TestKeptTextReflowsAt320(t *testing.T) {
	s, full, rude := refusingSite(t)
	for _, lang := range []string{"en", "cy"} {
		b := s.newTab(t, 320)
		b.open("/r/OAK?lang=" + lang)
		for _, p := range keptPages(s, full, rude) {
			p.reach(b)
			assert.Equal(t, lang, b.lang(), p.name)
			assert.LessOrEqual(t, overflow(b), 0.0, "%s (%s) scrolls sideways at 320px", p.name, lang)
		}
	}
}

// The quick exit works without JavaScript: one click from any reporter
// page lands on the neutral site, which is not told where the visitor came
// from.
func TestQuickExitSendsNoReferrer(t *testing.T) {
	var mu sync.Mutex
	var referers []string
	neutral := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		if r.URL.Path != "/weather" {
			nethttp.NotFound(w, r) // the browser's own asks, such as /favicon.ico
			return
		}
		mu.Lock()
		referers = append(referers, r.Header.Get("Referer"))
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><html lang="en"><title>Weather</title><h1>Sunny</h1></html>`))
	}))
	t.Cleanup(neutral.Close)
	s := newSite(t, siteOptions{exitURL: neutral.URL + "/weather"})
	rc := s.report(s.general, "", "Someone keeps taking my lunch.")
	b := s.newTab(t, phone)
	b.scripts(false)
	for _, path := range []string{"/r/OAK", "/t/" + string(rc.Token) + "?lang=cy", "/notice", "/r/SHUT"} {
		b.open(path)
		require.Equal(t, nethttp.StatusOK, b.click("a.exit-button"), path)
		assert.Equal(t, "/weather", b.path(), path)
	}
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"", "", "", ""}, referers, "no page tells the neutral site where the visitor was")
}
