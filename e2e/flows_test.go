package e2e

import (
	"fmt"
	nethttp "net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The reporter's and the staff member's journeys, end to end, at a phone's
// and a desktop's width, with the page's JavaScript off and on.

func TestReportReplyAndClose(t *testing.T) {
	for _, width := range []int{phone, desktop} {
		t.Run(widthName(width), func(t *testing.T) {
			t.Parallel()
			s := newSite(t, siteOptions{})
			for _, js := range []bool{false, true} {
				name := "javascript-off"
				if js {
					name = "javascript-on"
				}
				t.Run(name, func(t *testing.T) { reportReplyAndClose(t, s, width, js) })
			}
		})
	}
}

func reportReplyAndClose(t *testing.T, s *site, width int, js bool) {
	words := fmt.Sprintf("Someone keeps taking my lunch money (%d px, javascript %v).", width, js)

	// (a) A reporter sends a report and lands on their conversation.
	reporter := s.newTab(t, width)
	reporter.scripts(js)
	require.Equal(t, nethttp.StatusOK, reporter.open("/r/OAK"))
	if js {
		reporter.typeInto("name", "Sam")
	}
	reporter.choose("category", string(s.general.ID))
	reporter.typeInto("message", words)
	require.Equal(t, nethttp.StatusOK, reporter.click(`form[action="/r/OAK"] button[type="submit"]`))
	convPath := reporter.path()
	require.True(t, strings.HasPrefix(convPath, "/t/"), "after sending, the reporter is at %s, not a conversation", convPath)

	// They see the "keep this link safe" panel with their own link.
	assert.True(t, reporter.has(".keep-safe h2"), "no keep-this-link-safe panel")
	assert.Equal(t, s.URL+convPath, strings.TrimSpace(reporter.text(".keep-safe .copy")), "the panel shows another link")
	ref := strings.TrimSpace(reporter.text(".keep-safe .ref"))
	require.Regexp(t, `^WSP-[0-9A-Z]{4}-[0-9A-Z]{4}$`, ref)
	assert.Contains(t, reporter.text(".thread"), words)

	// They reply, and come back to the conversation with the reply in it.
	reporter.typeInto("message", "It happened again today at break.")
	require.Equal(t, nethttp.StatusOK, reporter.click(`form[action="`+convPath+`"] button[type="submit"]`))
	assert.Equal(t, convPath, reporter.path())
	assert.Contains(t, reporter.text(".thread"), "It happened again today at break.")

	// (b) A staff member signs in, opens the report from the list, replies
	// and closes it.
	staff := s.newTab(t, width)
	staff.scripts(js)
	require.Equal(t, nethttp.StatusOK, staff.open("/staff/login"))
	staff.typeInto("email", staffEmail)
	staff.typeInto("password", staffPassword)
	require.Equal(t, nethttp.StatusOK, staff.click(`form[action="/staff/login"] button[type="submit"]`))
	require.Equal(t, "/staff/", staff.path(), "signing in leads to the reports list")
	require.Equal(t, nethttp.StatusOK, staff.click(`a[href="/staff/interactions/`+ref+`"]`))
	assert.Equal(t, "/staff/interactions/"+ref, staff.path())
	assert.Contains(t, staff.text("main"), words)
	if js {
		assert.Contains(t, staff.text("main"), "Sam")
	} else {
		assert.Contains(t, staff.text("main"), "[Anonymous]")
	}
	staff.typeInto("message", "Thank you for telling us. We will talk to the lunch staff today.")
	require.Equal(t, nethttp.StatusOK, staff.click(`form[action$="/messages"] button[type="submit"]`))
	assert.Equal(t, "/staff/interactions/"+ref, staff.path())
	require.Equal(t, nethttp.StatusOK, staff.click(`#status[value="closed"]`))
	assert.True(t, staff.has(`#status[value="open"]`), "after closing, the report offers to reopen")

	// (c) The reporter reloads and sees the reply, by first name, and that
	// the school has closed the conversation.
	require.Equal(t, nethttp.StatusOK, reporter.reload())
	staffMessage := reporter.text(".msg-staff")
	assert.Contains(t, staffMessage, "Thank you for telling us.")
	assert.Contains(t, reporter.text(".msg-staff .msg-author"), "Dev")
	assert.NotContains(t, staffMessage, "Tester", "the reporter sees only the first name")
	assert.True(t, reporter.has(".notice-box"), "no word that the conversation is closed")
}

// (d) A closed form answers 410 with the out-of-hours text and where to
// get help now.
func TestClosedFormPage(t *testing.T) {
	s := newSite(t, siteOptions{})
	for _, width := range []int{phone, desktop} {
		t.Run(widthName(width), func(t *testing.T) {
			b := s.newTab(t, width)
			b.scripts(false)
			require.Equal(t, nethttp.StatusGone, b.open("/r/SHUT"))
			main := b.text("main")
			assert.Contains(t, main, "We are closed for the holidays until 4 January.")
			assert.Contains(t, main, "999")
			assert.Contains(t, main, "0800 1111")
			assert.False(t, b.has("form"), "a closed form takes no reports")
		})
	}
}

// (e) The notice explains Whisper, with a table of contents that works.
func TestNoticePage(t *testing.T) {
	s := newSite(t, siteOptions{})
	for _, width := range []int{phone, desktop} {
		t.Run(widthName(width), func(t *testing.T) {
			b := s.newTab(t, width)
			b.scripts(false)
			require.Equal(t, nethttp.StatusOK, b.open("/notice"))
			assert.NotEmpty(t, b.text("h1"))
			targets := eval[[]string](b, `[...document.querySelectorAll('main nav a[href^="#"]')].map(a => a.getAttribute('href').slice(1))`)
			require.NotEmpty(t, targets, "the notice has no contents list")
			for _, id := range targets {
				assert.True(t, b.has("#"+id), "the contents link to #%s goes nowhere", id)
			}
			// The form links to the notice.
			require.Equal(t, nethttp.StatusOK, b.open("/r/OAK"))
			assert.True(t, b.has(`main a[href^="/notice"]`), "the form does not link to the notice")
		})
	}
}

// (f) An invalid report comes back with an error summary at the top that
// links to each field in error, and keeps what the reporter wrote.
func TestInvalidReport(t *testing.T) {
	s := newSite(t, siteOptions{})
	for _, width := range []int{phone, desktop} {
		t.Run(widthName(width), func(t *testing.T) {
			b := s.newTab(t, width)
			b.scripts(false)
			require.Equal(t, nethttp.StatusOK, b.open("/r/OAK"))
			b.typeInto("name", "Sam")
			b.typeInto("message", "Someone wrote horrible things about me online.")
			b.typeInto("email", "not-an-email")
			require.Equal(t, nethttp.StatusUnprocessableEntity, b.click(`form[action="/r/OAK"] button[type="submit"]`))

			summary := checkErrorSummary(t, b)
			assert.ElementsMatch(t, []string{"category", "email"}, summary, "the summary should name the category and the email address")
			assert.Equal(t, "Sam", b.value("name"), "the name was not kept")
			assert.Equal(t, "Someone wrote horrible things about me online.", b.value("message"), "the message was not kept")
			assert.Equal(t, "not-an-email", b.value("email"), "the email address was not kept")

			// Following a summary link puts the reporter in the field.
			b.click(`.error-summary a[href="#email"]`)
			assert.Equal(t, "email", eval[string](b, "document.activeElement.id"), "the summary link did not move focus to the field")

			// An empty message is named too.
			require.Equal(t, nethttp.StatusOK, b.open("/r/OAK"))
			b.choose("category", string(s.online.ID))
			require.Equal(t, nethttp.StatusUnprocessableEntity, b.click(`form[action="/r/OAK"] button[type="submit"]`))
			assert.Equal(t, []string{"message"}, checkErrorSummary(t, b))
			assert.Equal(t, string(s.online.ID), b.value("category"), "the category was not kept")

			// So is an empty reply in a conversation.
			rc := s.report(s.general, "", "Someone keeps pushing me on the bus.")
			require.Equal(t, nethttp.StatusOK, b.open("/t/"+string(rc.Token)))
			require.Equal(t, nethttp.StatusUnprocessableEntity, b.click(`main form button[type="submit"]`))
			assert.Equal(t, []string{"message"}, checkErrorSummary(t, b))
		})
	}
}

// checkErrorSummary checks the error summary of the page b shows: it comes
// first in the main content, within the first screen, each of its links
// targets a form control by id, and each field in error says so in words
// beside it. It returns the ids the summary links to.
func checkErrorSummary(t *testing.T, b *tab) []string {
	t.Helper()
	require.True(t, b.has(".error-summary"), "no error summary")
	type summary struct {
		First     bool     `json:"first"`
		Top       float64  `json:"top"`
		Screen    float64  `json:"screen"`
		Role      string   `json:"role"`
		Targets   []string `json:"targets"`
		Controls  []string `json:"controls"`
		Described []bool   `json:"described"`
		Title     string   `json:"title"`
	}
	got := eval[summary](b, `(() => {
		const s = document.querySelector('.error-summary');
		const form = document.querySelector('main form');
		const targets = [...s.querySelectorAll('a[href^="#"]')].map(a => a.getAttribute('href').slice(1));
		return {
			first: document.querySelector('main').firstElementChild === s && !!(s.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_FOLLOWING),
			top: s.getBoundingClientRect().top + window.scrollY,
			screen: window.innerHeight,
			role: s.getAttribute('role') || '',
			targets: targets,
			controls: targets.map(id => { const el = document.getElementById(id); return el ? el.tagName.toLowerCase() : ''; }),
			described: targets.map(id => {
				const el = document.getElementById(id);
				const err = document.getElementById(id + '-error');
				return !!(el && err && (el.getAttribute('aria-describedby') || '').split(/\s+/).includes(err.id) && err.textContent.trim() !== '');
			}),
			title: document.title,
		};
	})()`)
	assert.True(t, got.First, "the error summary is not the first thing in the main content")
	assert.Less(t, got.Top, got.Screen, "the error summary is below the first screen (%.0fpx down, screen %.0fpx)", got.Top, got.Screen)
	assert.Equal(t, "alert", got.Role)
	require.NotEmpty(t, got.Targets, "the error summary links to no field")
	for i, id := range got.Targets {
		assert.Contains(t, []string{"input", "textarea", "select"}, got.Controls[i], "the summary links to #%s, which is not a form field", id)
		assert.True(t, got.Described[i], "#%s has no error message beside it tied by aria-describedby", id)
	}
	assert.NotEqual(t, "", got.Title)
	return got.Targets
}
