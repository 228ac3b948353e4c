package e2e

import (
	nethttp "net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// notificationPages are the account page's notification choices as a
// member with an inbox meets them: shown, saved, and refused with a
// problem by its inbox. The tab signs in on the way.
func notificationPages(s *site) []page {
	field := app.NotifyField(s.general.ID)
	form := `form[action="/staff/account/notifications"]`
	return []page{
		{"account with notification choices", nethttp.StatusOK, func(b *tab) int {
			b.open("/staff/login")
			b.typeInto("email", staffEmail)
			b.typeInto("password", staffPassword)
			b.click(`form[action="/staff/login"] button[type="submit"]`)
			return b.open("/staff/account")
		}},
		{"notification choices saved", nethttp.StatusOK, func(b *tab) int {
			b.open("/staff/account")
			eval[bool](b, `document.getElementById(`+jsString(field+"-digest")+`).checked = true`)
			return b.click(form + ` button[type="submit"]`)
		}},
		{"notification choices with errors", nethttp.StatusUnprocessableEntity, func(b *tab) int {
			b.open("/staff/account")
			// No browser offers another choice: a page kept open across a
			// change of version might.
			eval[bool](b, `(() => { const r = document.getElementById(`+jsString(field+"-none")+`); r.value = "weekly"; r.checked = true; return true })()`)
			return b.click(form + ` button[type="submit"]`)
		}},
	}
}

// TestAxeNotificationChoices runs axe-core over the notification choices
// in English and in Welsh, at a phone's and a desktop's width.
func TestAxeNotificationChoices(t *testing.T) {
	axeScript(t)
	en := newSite(t, siteOptions{})
	cy := newSite(t, siteOptions{})
	require.NoError(t, cy.st.InTx(ctx, func(tx ports.Tx) error {
		_, err := tx.Staff().Change(ctx, cy.member.ID, func(m *domain.Staff) error {
			m.Language = domain.Welsh
			return nil
		})
		return err
	}))
	for _, width := range []int{phone, desktop} {
		t.Run("en/"+widthName(width), func(t *testing.T) {
			t.Parallel()
			checkPages(t, en.newTab(t, width), "en", notificationPages(en))
		})
		t.Run("cy/"+widthName(width), func(t *testing.T) {
			t.Parallel()
			checkPages(t, cy.newTab(t, width), "cy", notificationPages(cy))
		})
	}
}
