package e2e

import (
	nethttp "net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What axe cannot check: how the pages behave under a keyboard, at 320 px
// and 200% zoom, with reduced motion, in print, and how much they weigh.

// signIn signs b in as the staff member with email.
func signIn(t *testing.T, b *tab, email string) {
	t.Helper()
	require.Equal(t, nethttp.StatusOK, b.open("/staff/login"))
	b.typeInto("email", email)
	b.typeInto("password", staffPassword)
	require.Equal(t, nethttp.StatusOK, b.click(`form[action="/staff/login"] button[type="submit"]`))
	require.Equal(t, "/staff/", b.path())
}

// focused describes the element that has focus.
type focused struct {
	ID      string  `json:"id"`
	Tag     string  `json:"tag"`
	Class   string  `json:"cls"`
	Text    string  `json:"text"`
	Outline string  `json:"outline"`
	Width   float64 `json:"width"`
	Shadow  string  `json:"shadow"`
	Left    float64 `json:"left"`
	Top     float64 `json:"top"`
	Right   float64 `json:"right"`
	Bottom  float64 `json:"bottom"`
	ViewW   float64 `json:"vw"`
	ViewH   float64 `json:"vh"`
}

func (f focused) String() string {
	s := "<" + f.Tag
	if f.ID != "" {
		s += " id=" + f.ID
	}
	if f.Class != "" {
		s += " class=" + f.Class
	}
	return s + "> " + f.Text
}

// visibleFocus says whether the focus indicator can be seen: an outline at
// least 2px wide, or a box shadow.
func (f focused) visibleFocus() bool {
	return (f.Outline != "none" && f.Width >= 2) || (f.Shadow != "" && f.Shadow != "none")
}

func (f focused) onScreen() bool {
	return f.Right > 0 && f.Bottom > 0 && f.Left < f.ViewW && f.Top < f.ViewH && f.Right > f.Left
}

func activeElement(b *tab) focused {
	b.t.Helper()
	return eval[focused](b, `(() => {
		const el = document.activeElement;
		const cs = getComputedStyle(el);
		const r = el.getBoundingClientRect();
		return {id: el.id, tag: el.tagName.toLowerCase(), cls: el.className || '', text: (el.textContent || el.value || '').trim().slice(0, 40),
			outline: cs.outlineStyle, width: parseFloat(cs.outlineWidth) || 0, shadow: cs.boxShadow,
			left: r.left, top: r.top, right: r.right, bottom: r.bottom, vw: window.innerWidth, vh: window.innerHeight};
	})()`)
}

// The first Tab reaches a visible skip link; Enter on it puts focus on the
// main content.
func TestSkipLinkMovesFocusToMain(t *testing.T) {
	s := newSite(t, siteOptions{})
	for _, width := range []int{phone, desktop} {
		t.Run(widthName(width), func(t *testing.T) {
			b := s.newTab(t, width)
			signIn(t, b, staffEmail)
			for _, path := range []string{"/r/OAK", "/notice", "/staff/"} {
				require.Equal(t, nethttp.StatusOK, b.open(path))
				b.press(keyTab)
				f := activeElement(b)
				require.Equal(t, "skip", f.Class, "%s: the first Tab reaches %s, not the skip link", path, f)
				assert.True(t, f.onScreen(), "%s: the focused skip link is off screen", path)
				assert.True(t, f.visibleFocus(), "%s: the focused skip link shows no focus", path)
				b.press(keyEnter)
				assert.Equal(t, "main", activeElement(b).ID, "%s: the skip link does not move focus to main", path)
				// The next Tab goes on from the main content, past the
				// header.
				b.press(keyTab)
				next := eval[bool](b, `document.getElementById('main').contains(document.activeElement)`)
				assert.True(t, next, "%s: Tab after the skip link leaves main, to %s", path, activeElement(b))
			}
		})
	}
}

// Every element the keyboard reaches shows that it has focus, on the pages
// people type into most.
func TestFocusIsVisible(t *testing.T) {
	s := newSite(t, siteOptions{})
	rc := s.report(s.general, "", "Someone keeps pushing me on the bus.")
	s.staffReply(staffEmail, rc.Ref, "Thank you. Which bus is it?")
	for _, width := range []int{phone, desktop} {
		t.Run(widthName(width), func(t *testing.T) {
			b := s.newTab(t, width)
			signIn(t, b, adminEmail)
			for _, path := range []string{"/r/OAK", "/t/" + string(rc.Token), "/staff/", "/staff/interactions/" + string(rc.Ref), "/staff/admin/forms/" + string(s.form.ID)} {
				require.Equal(t, nethttp.StatusOK, b.open(path))
				seen := map[string]bool{}
				for i := 0; i < 80; i++ {
					b.press(keyTab)
					f := activeElement(b)
					if f.Tag == "body" || seen[f.String()] && i > 0 && f.Class == "skip" {
						break
					}
					seen[f.String()] = true
					assert.True(t, f.visibleFocus(), "%s: %s has focus but shows none (outline %s %.0fpx, shadow %s)", path, f, f.Outline, f.Width, f.Shadow)
					assert.True(t, f.onScreen(), "%s: %s has focus off screen", path, f)
				}
				assert.Greater(t, len(seen), 3, "%s: the keyboard reaches almost nothing", path)
			}
		})
	}
}

// overflow is how far the page is wider than the viewport, in CSS pixels.
func overflow(b *tab) float64 {
	b.t.Helper()
	return eval[float64](b, `Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth`)
}

// Reporter pages reflow at 320 CSS pixels, a small phone or a desktop at
// 400%: no scrolling sideways, in English or Welsh.
func TestReporterPagesReflowAt320(t *testing.T) {
	s := newSite(t, siteOptions{})
	rc := s.report(s.general, "", "Someone wrote on the toilet wall about me. Averyveryverylongwordwithoutanyspacesthatcouldstretchthepagewide.")
	s.staffReply(staffEmail, rc.Ref, "Thank you for telling us.")
	for _, lang := range []string{"en", "cy"} {
		t.Run(lang, func(t *testing.T) {
			b := s.newTab(t, 320)
			b.open("/r/OAK?lang=" + lang)
			for _, p := range []struct {
				name  string
				reach func(b *tab) int
			}{
				{"report form", visit("/r/OAK")},
				{"report form with errors", submitEmpty("/r/OAK", `form[action="/r/OAK"]`)},
				{"conversation", visit("/t/" + string(rc.Token))},
				{"closed form", visit("/r/SHUT")},
				{"unknown form", visit("/r/NOPE")},
				{"notice", visit("/notice")},
			} {
				p.reach(b)
				assert.Equal(t, lang, b.lang(), p.name)
				assert.LessOrEqual(t, overflow(b), 0.0, "%s (%s) scrolls sideways at 320px", p.name, lang)
			}
		})
	}
}

// At 200% zoom a 1280-pixel screen is 640 CSS pixels wide: the form still
// fits and still sends, and the staff pages fit too.
func TestUsableAt200PercentZoom(t *testing.T) {
	s := newSite(t, siteOptions{})
	rc := s.report(s.general, "Sam", "Someone keeps pushing me on the bus.")
	s.staffReply(staffEmail, rc.Ref, "Thank you. Which bus is it?")
	b := s.newTab(t, desktop)
	b.viewport(640, 2)
	require.Equal(t, nethttp.StatusOK, b.open("/r/OAK"))
	assert.LessOrEqual(t, overflow(b), 0.0, "the form scrolls sideways at 200%")
	b.choose("category", string(s.online.ID))
	b.typeInto("message", "Someone posted a photo of me without asking.")
	require.Equal(t, nethttp.StatusOK, b.click(`form[action="/r/OAK"] button[type="submit"]`))
	assert.True(t, strings.HasPrefix(b.path(), "/t/"), "the form did not send at 200%")
	assert.LessOrEqual(t, overflow(b), 0.0, "the conversation scrolls sideways at 200%")

	signIn(t, b, adminEmail)
	for _, path := range []string{"/staff/", "/staff/interactions/" + string(rc.Ref), "/staff/stats", "/staff/admin/forms/" + string(s.form.ID), "/staff/admin/staff"} {
		require.Equal(t, nethttp.StatusOK, b.open(path))
		assert.LessOrEqual(t, overflow(b), 0.0, "%s scrolls sideways at 200%% (tables may scroll inside their own box)", path)
	}
}

// The stylesheet turns motion off for those who ask, and the pages have
// none left when they do.
func TestReducedMotionIsRespected(t *testing.T) {
	s := newSite(t, siteOptions{})
	_, css := s.get("/static/whisper.css")
	assert.Contains(t, string(css), "prefers-reduced-motion: reduce")

	b := s.newTab(t, phone)
	b.media("", &emulation.MediaFeature{Name: "prefers-reduced-motion", Value: "reduce"})
	for _, path := range []string{"/r/OAK", "/staff/login"} {
		b.open(path)
		require.True(t, eval[bool](b, `matchMedia('(prefers-reduced-motion: reduce)').matches`))
		moving := eval[[]string](b, `[...document.querySelectorAll('*')].filter(el => {
			const cs = getComputedStyle(el);
			const long = v => v.split(',').some(d => parseFloat(d) > 0.01);
			return long(cs.transitionDuration) || long(cs.animationDuration) && cs.animationName !== 'none' || cs.scrollBehavior === 'smooth';
		}).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))`)
		assert.Empty(t, moving, "%s: these still move with reduced motion asked for", path)
	}
}

// The report form is small: its HTML and CSS together under 60 KB, and
// nothing else loaded.
func TestReportFormWeight(t *testing.T) {
	s := newSite(t, siteOptions{})
	for _, lang := range []string{"en", "cy"} {
		status, html := s.get("/r/OAK?lang=" + lang)
		require.Equal(t, nethttp.StatusOK, status)
		_, css := s.get("/static/whisper.css")
		total := len(html) + len(css)
		t.Logf("report form (%s): %d bytes of HTML + %d of CSS = %d bytes", lang, len(html), len(css), total)
		assert.Less(t, total, 60*1024, "the report form (%s) weighs %d bytes", lang, total)
	}

	b := s.newTab(t, phone)
	b.open("/r/OAK")
	// The browser's own request for /favicon.ico is not the page's, and
	// shows up only when it happens to finish before this look.
	loaded := eval[[]string](b, `performance.getEntriesByType('resource').map(r => r.name.replace(location.origin, '')).filter(n => n !== '/favicon.ico')`)
	assert.Equal(t, []string{"/static/whisper.css"}, loaded, "the form loads more than its stylesheet")
}

// A staff member's interaction view prints as a case file: the thread and
// its details, without the portal's navigation and forms.
func TestInteractionPrintsAsACaseFile(t *testing.T) {
	s := newSite(t, siteOptions{})
	rc := s.report(s.general, "Sam", "Someone keeps pushing me on the bus.")
	s.staffReply(staffEmail, rc.Ref, "Thank you. Which bus is it?")
	b := s.newTab(t, desktop)
	signIn(t, b, staffEmail)
	b.open("/staff/interactions/" + string(rc.Ref))
	b.media("print")
	type shown struct {
		Nav, Forms, Skip, Thread, Details bool
	}
	got := eval[shown](b, `(() => {
		const seen = el => !!el && getComputedStyle(el).display !== 'none' && el.getClientRects().length > 0;
		return {Nav: seen(document.querySelector('.staff-nav')), Forms: [...document.querySelectorAll('main form')].some(seen),
			Skip: seen(document.querySelector('.skip')) && document.querySelector('.skip').getBoundingClientRect().right > 0,
			Thread: seen(document.querySelector('.thread')), Details: seen(document.querySelector('main table'))};
	})()`)
	assert.Equal(t, shown{Thread: true, Details: true}, got, "in print: the thread and details, and nothing to click")
	b.media("")
}

// A report's record prints as a record: black on white, no navigation, no
// forms and no instructions, with a line naming the report that the
// browser repeats at the top of every printed page; the conversation and
// history are there. On screen it says how to print it.
func TestRecordPrintsCleanly(t *testing.T) {
	s := newSite(t, siteOptions{})
	rc := s.report(s.general, "Sam", "Someone keeps pushing me on the bus.")
	s.staffReply(staffEmail, rc.Ref, "Thank you. Which bus is it?")
	b := s.newTab(t, phone)
	signIn(t, b, staffEmail)
	b.open("/staff/interactions/" + string(rc.Ref) + "/record")
	type shown struct {
		Nav, Forms, Instructions, Running, Thread, History bool
		RunningRepeats                                     bool
		Ink, Paper                                         string
	}
	look := func() shown {
		return eval[shown](b, `(() => {
		const seen = el => !!el && getComputedStyle(el).display !== 'none' && el.getClientRects().length > 0;
		const thead = document.querySelector('.record-frame > thead');
		return {Nav: seen(document.querySelector('.staff-nav')), Forms: [...document.querySelectorAll('main form')].some(seen),
			Instructions: seen(document.querySelector('.no-print')), Running: seen(document.querySelector('.record-running')),
			Thread: seen(document.querySelector('.record .thread')), History: seen(document.querySelector('.record .history')),
			RunningRepeats: !!thead && getComputedStyle(thead).display === 'table-header-group',
			Ink: getComputedStyle(document.querySelector('.record .msg-body')).color,
			Paper: getComputedStyle(document.querySelector('.record .msg')).backgroundColor};
	})()`)
	}
	screen := look()
	b.screenshot("staff-record-phone")
	assert.True(t, screen.Nav && screen.Instructions && screen.Thread && screen.History, "on screen: the portal, how to print, the record")
	assert.False(t, screen.Running, "the running line is for paper")
	b.media("print")
	b.screenshot("staff-record-print-phone")
	assert.Equal(t, shown{Running: true, Thread: true, History: true, RunningRepeats: true, Ink: "rgb(0, 0, 0)", Paper: "rgb(255, 255, 255)"}, look(),
		"in print: the record alone, black on white, its reference on every page")
	b.media("")
	assert.Equal(t, 0.0, overflow(b), "no sideways scrolling on a phone")
}
