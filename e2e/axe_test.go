package e2e

import (
	"encoding/json"
	nethttp "net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// page is one page, or one state of a page, to check: how a tab reaches it
// and the status it answers with.
type page struct {
	name   string
	status int
	reach  func(b *tab) int
}

func visit(path string) func(b *tab) int {
	return func(b *tab) int { return b.open(path) }
}

// submitEmpty opens path and sends the form sel finds as it is.
func submitEmpty(path, form string) func(b *tab) int {
	return func(b *tab) int {
		b.open(path)
		return b.click(form + ` button[type="submit"]`)
	}
}

// reporterPages are every page a reporter can meet, on s; conv is a
// conversation with a staff reply in it, and busy a site that has taken
// as many reports as it will from this address.
func reporterPages(s *site, conv app.Receipt, busy *site) []page {
	convPath := "/t/" + string(conv.Token)
	return []page{
		{"report form", nethttp.StatusOK, visit("/r/OAK")},
		{"report form with errors", nethttp.StatusUnprocessableEntity, submitEmpty("/r/OAK", `form[action="/r/OAK"]`)},
		{"conversation", nethttp.StatusOK, visit(convPath)},
		{"conversation with errors", nethttp.StatusUnprocessableEntity, submitEmpty(convPath, `form[action="`+convPath+`"]`)},
		{"closed form", nethttp.StatusGone, visit("/r/SHUT")},
		{"unknown form", nethttp.StatusNotFound, visit("/r/NOPE")},
		{"unknown conversation", nethttp.StatusNotFound, visit("/t/AAAAAAAAAAAAAAAAAAAAAAAAAA")},
		{"too many reports", nethttp.StatusTooManyRequests, func(b *tab) int {
			// The busy site takes one report an hour from an address; the
			// second gets the page.
			status := 0
			for range 2 {
				b.open(busy.URL + "/r/OAK")
				b.choose("category", string(busy.general.ID))
				b.typeInto("message", "A report to fill the hour.")
				if status = b.click(`form[action="/r/OAK"] button[type="submit"]`); status == nethttp.StatusTooManyRequests {
					break
				}
			}
			return status
		}},
		{"notice", nethttp.StatusOK, visit("/notice")},
		{"lost link", nethttp.StatusOK, visit("/link")},
		{"lost link asked", nethttp.StatusOK, func(b *tab) int {
			b.open("/link")
			b.typeInto("email", "kim@example.org")
			return b.click(`form[action="/link"] button[type="submit"]`)
		}},
	}
}

// staffPages are every staff page, as an admin sees them, in an order a
// signed-out tab can follow: it signs in on the way.
func staffPages(s *site, ref domain.Reference, setPassword string) []page {
	interactionPath := "/staff/interactions/" + string(ref)
	return []page{
		{"sign in", nethttp.StatusOK, visit("/staff/login")},
		{"sign in failed", nethttp.StatusUnauthorized, func(b *tab) int {
			b.open("/staff/login")
			b.typeInto("email", adminEmail)
			b.typeInto("password", "not the password")
			return b.click(`form[action="/staff/login"] button[type="submit"]`)
		}},
		{"forgotten password", nethttp.StatusOK, visit("/staff/forgot")},
		{"forgotten password asked", nethttp.StatusOK, func(b *tab) int {
			b.open("/staff/forgot")
			b.typeInto("email", "nobody@example.org")
			return b.click(`form[action="/staff/forgot"] button[type="submit"]`)
		}},
		{"choose a password", nethttp.StatusOK, visit(setPassword)},
		{"choose a password with errors", nethttp.StatusUnprocessableEntity, submitEmpty(setPassword, `main form`)},
		{"dead password link", nethttp.StatusNotFound, visit("/staff/set-password/AAAAAAAAAAAAAAAAAAAAAAAAAA")},
		{"reports", nethttp.StatusOK, func(b *tab) int {
			b.open("/staff/login")
			b.typeInto("email", adminEmail)
			b.typeInto("password", staffPassword)
			return b.click(`form[action="/staff/login"] button[type="submit"]`)
		}},
		{"reports with bad filters", nethttp.StatusUnprocessableEntity, visit("/staff/?from=2026-13-45")},
		{"report", nethttp.StatusOK, visit(interactionPath)},
		{"report with errors", nethttp.StatusUnprocessableEntity, submitEmpty(interactionPath, `form[action$="/messages"]`)},
		{"report with its history open", nethttp.StatusOK, func(b *tab) int {
			status := b.open(interactionPath)
			eval[bool](b, `document.querySelector('details.history-details').open = true`)
			return status
		}},
		{"report's record", nethttp.StatusOK, visit(interactionPath + "/record")},
		// Internal notes and search (issue #20).
		{"report with an internal note", nethttp.StatusOK, func(b *tab) int {
			b.open(interactionPath)
			b.typeInto("note", "Spoke to the form tutor; keeping an eye at break.")
			return b.click(`form[action$="/notes"] button[type="submit"]`)
		}},
		{"report with note errors", nethttp.StatusUnprocessableEntity, submitEmpty(interactionPath, `form[action$="/notes"]`)},
		{"reports searched", nethttp.StatusOK, visit("/staff/?q=class")},
		{"reports with a bad search", nethttp.StatusUnprocessableEntity, visit("/staff/?q=" + strings.Repeat("a", domain.MaxSearch+1))},
		{"statistics", nethttp.StatusOK, visit("/staff/stats")},
		{"statistics with errors", nethttp.StatusUnprocessableEntity, visit("/staff/stats?from=soon")},
		{"account", nethttp.StatusOK, visit("/staff/account")},
		{"account with errors", nethttp.StatusUnprocessableEntity, submitEmpty("/staff/account", `form[action="/staff/account/password"]`)},
		{"admin", nethttp.StatusOK, visit("/staff/admin/")},
		{"admin forms", nethttp.StatusOK, visit("/staff/admin/forms")},
		{"admin new form", nethttp.StatusOK, visit("/staff/admin/forms/new")},
		{"admin form", nethttp.StatusOK, visit("/staff/admin/forms/" + string(s.form.ID))},
		{"admin form with errors", nethttp.StatusUnprocessableEntity, func(b *tab) int {
			b.open("/staff/admin/forms/" + string(s.form.ID))
			b.do(clearField("name"))
			return b.click(`form[action="/staff/admin/forms/` + string(s.form.ID) + `"] button[type="submit"]`)
		}},
		{"admin inbox", nethttp.StatusOK, visit("/staff/admin/inboxes/" + string(s.general.ID))},
		{"admin staff", nethttp.StatusOK, visit("/staff/admin/staff")},
		{"admin member", nethttp.StatusOK, visit("/staff/admin/staff/" + string(s.member.ID))},
		{"admin new member", nethttp.StatusOK, visit("/staff/admin/staff/new")},
		{"admin new member with errors", nethttp.StatusUnprocessableEntity, submitEmpty("/staff/admin/staff/new", `form[action="/staff/admin/staff/new"]`)},
		{"admin settings", nethttp.StatusOK, visit("/staff/admin/settings")},
		{"not found", nethttp.StatusNotFound, visit("/staff/interactions/WSP-0000-0000")},
		{"account, setting up an authenticator app", nethttp.StatusOK, func(b *tab) int {
			b.open("/staff/account")
			return b.click(`form[action="/staff/account/totp/start"] button[type="submit"]`)
		}},
	}
}

// TestAxe runs axe-core on every reporter page, in English and Welsh, and
// every staff page, at a phone's and a desktop's width, and fails on any
// WCAG 2.0, 2.1 or 2.2 A or AA violation. It checks what axe does not on
// the way: see checkPage.
func TestAxe(t *testing.T) {
	axeScript(t)
	s := newSite(t, siteOptions{})
	busy := newSite(t, siteOptions{reportsPerIP: 1})
	conv := s.report(s.general, "", "Someone in my class keeps sending me mean messages.\n\nIt has been going on for weeks.")
	s.staffReply(staffEmail, conv.Ref, "Thank you for telling us. Can you tell us which class you are in?")
	created, err := s.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: s.org.ID, Email: "new@oakfield.example", FirstName: "Nia", InboxIDs: []domain.InboxID{s.general.ID}})
	require.NoError(t, err)
	setPassword := strings.TrimPrefix(created.SetPasswordURL, s.URL)
	cy, cyConv := welshAdmin(t)
	// A member whose language is Welsh: their set-password page is in it.
	cyCreated, err := cy.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: cy.org.ID, Email: "newydd@oakfield.example", FirstName: "Nia",
		InboxIDs: []domain.InboxID{cy.general.ID}, Language: domain.Welsh})
	require.NoError(t, err)
	cySetPassword := strings.TrimPrefix(cyCreated.SetPasswordURL, cy.URL)

	welsh := func(t *testing.T) {
		t.Helper()
		_, body := s.get("/r/OAK?lang=cy")
		if !strings.Contains(string(body), `<html lang="cy"`) {
			t.Fatal(`/r/OAK?lang=cy is not in Welsh: no <html lang="cy">`)
		}
	}
	for _, width := range []int{phone, desktop} {
		t.Run("reporter/en/"+widthName(width), func(t *testing.T) {
			t.Parallel()
			b := s.newTab(t, width)
			b.open("/r/OAK?lang=en")
			checkPages(t, b, "en", reporterPages(s, conv, busy))
		})
		t.Run("reporter/cy/"+widthName(width), func(t *testing.T) {
			t.Parallel()
			welsh(t)
			b := s.newTab(t, width)
			b.open("/r/OAK?lang=cy")
			checkPages(t, b, "cy", reporterPages(s, conv, busy))
		})
		t.Run("staff/"+widthName(width), func(t *testing.T) {
			t.Parallel()
			b := s.newTab(t, width)
			checkPages(t, b, "en", staffPages(s, conv.Ref, setPassword))
		})
		t.Run("staff/cy/"+widthName(width), func(t *testing.T) {
			t.Parallel()
			b := cy.newTab(t, width)
			// Before sign-in, the visitor's choice of Welsh, remembered
			// from the switch; signed in, the admin's own.
			b.open("/staff/login?lang=cy")
			checkPages(t, b, "cy", staffPages(cy, cyConv.Ref, cySetPassword))
		})
	}
}

// welshAdmin is a site whose admin has chosen to read the portal in
// Welsh, and a report on it.
func welshAdmin(t *testing.T) (*site, app.Receipt) {
	s := newSite(t, siteOptions{})
	require.NoError(t, s.st.InTx(ctx, func(tx ports.Tx) error {
		_, err := tx.Staff().Change(ctx, s.admin.ID, func(m *domain.Staff) error {
			m.Language = domain.Welsh
			return nil
		})
		return err
	}))
	conv := s.report(s.general, "", "Mae rhywun yn fy nosbarth yn anfon negeseuon cas ataf.")
	return s, conv
}

func checkPages(t *testing.T, b *tab, lang string, pages []page) {
	t.Helper()
	for _, p := range pages {
		status := p.reach(b)
		if !assert.Equal(t, p.status, status, "%s: status", p.name) {
			continue
		}
		assert.Equal(t, lang, b.lang(), "%s: <html lang>", p.name)
		b.axe(p.name)
		for _, problem := range checkPage(b) {
			t.Errorf("%s (%s, %dpx): %s", p.name, b.path(), b.width, problem)
		}
	}
}

// checkPage checks what axe cannot see on the page b shows, and returns
// what is wrong:
//   - a skip link first, to a main element that can take focus;
//   - one h1;
//   - every hint and error message beside a field tied to the field's
//     control with aria-describedby (or, for a group of radio buttons or
//     checkboxes, to their fieldset), and every aria-describedby pointing at
//     something;
//   - a field marked in error (red) saying so in words too;
//   - nothing loaded from another host.
func checkPage(b *tab) []string {
	b.t.Helper()
	raw := eval[[]byte](b, `(() => {
		const out = [];
		const focusable = 'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex="-1"])';
		const first = document.querySelector(focusable);
		if (!first || !first.matches('a.skip[href="#main"]')) out.push('the first thing to tab to is not the skip link');
		const main = document.getElementById('main');
		if (!main || main.tagName !== 'MAIN' || main.getAttribute('tabindex') !== '-1') out.push('no <main id="main" tabindex="-1"> for the skip link');
		const h1s = document.querySelectorAll('h1').length;
		if (h1s !== 1) out.push(h1s + ' h1 headings');
		for (const field of document.querySelectorAll('.field')) {
			const controls = [...field.querySelectorAll('input:not([type=hidden]), select, textarea')];
			for (const note of field.querySelectorAll('.hint, .error')) {
				if (controls.length === 0) continue;
				if (!note.id) { out.push('a hint or error without an id: "' + note.textContent.trim().slice(0, 40) + '"'); continue; }
				const describes = el => el && (el.getAttribute('aria-describedby') || '').split(/\s+/).includes(note.id);
				for (const c of controls) {
					if (!describes(c) && !describes(c.closest('fieldset'))) out.push('#' + (c.id || c.name) + ' is not described by #' + note.id);
				}
			}
			if (field.classList.contains('has-error')) {
				const err = field.querySelector('.error');
				if (!err || !/\S/.test(err.textContent)) out.push('a field marked in error with no words saying so');
			}
		}
		for (const el of document.querySelectorAll('[aria-describedby]')) {
			for (const id of el.getAttribute('aria-describedby').split(/\s+/)) {
				if (id && !document.getElementById(id)) out.push('aria-describedby points at a missing #' + id);
			}
		}
		for (const r of performance.getEntriesByType('resource')) {
			if (!r.name.startsWith(location.origin + '/')) out.push('loads ' + r.name + ' from another host');
		}
		return out;
	})()`)
	var problems []string
	require.NoError(b.t, json.Unmarshal(raw, &problems))
	return problems
}
