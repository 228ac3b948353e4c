package e2e

import (
	nethttp "net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cellBox is where one cell of the staff list is drawn, and what it says.
type cellBox struct {
	Text   string  `json:"text"`
	Left   float64 `json:"left"`
	Right  float64 `json:"right"`
	Width  float64 `json:"width"`
	Height float64 `json:"height"`
	ViewW  float64 `json:"vw"`
}

// The list of reports works on a phone: at 390 px each report's status
// and tags (unread, closed, swearing flagged) are on screen without
// scrolling sideways, and the page is clean under axe at a phone's and a
// desktop's width.
func TestStaffListFitsAPhone(t *testing.T) {
	axeScript(t)
	s := newSite(t, siteOptions{})
	s.report(s.online, "", "Someone made a group chat about me and keeps adding people from our class.")
	s.report(s.general, "Aled Prydderch-Llewellyn", "He keeps calling me a fucking idiot in front of everyone.") // flagged: the form's policy is flag
	closed := s.report(s.general, "", "The lock on the girls' toilets is broken.")
	s.staffReply(staffEmail, closed.Ref, "Thank you. The caretaker has fixed it today.")
	require.NoError(t, s.svc.Portal.SetInteractionStatus(ctx, s.actor(staffEmail), string(closed.Ref), "closed"))

	for _, width := range []int{phone, desktop} {
		t.Run(widthName(width), func(t *testing.T) {
			b := s.newTab(t, width)
			signIn(t, b, adminEmail)
			require.Equal(t, nethttp.StatusOK, b.open("/staff/"))
			b.axe("reports")
			for _, problem := range checkPage(b) {
				t.Errorf("reports (%dpx): %s", width, problem)
			}
			assert.LessOrEqual(t, overflow(b), 0.0, "the page scrolls sideways")
			// Status is the 6th cell of a row, the tags the 8th (the
			// reference, a th, is the first).
			cells := eval[[]cellBox](b, `[...document.querySelectorAll('table.report-list tbody tr > :is(:nth-child(6), :nth-child(8))')]
				.map(el => { const r = el.getBoundingClientRect();
					return {text: el.textContent.trim(), left: r.left, right: r.right, width: r.width, height: r.height, vw: window.innerWidth}; })`)
			require.Len(t, cells, 6, "three reports, a status and a notes cell each")
			var seen []string
			for _, c := range cells {
				if c.Text == "" {
					continue // no tags: the cell is not shown on a phone
				}
				seen = append(seen, c.Text)
				assert.Greater(t, c.Width*c.Height, 0.0, "%q is not drawn", c.Text)
				assert.GreaterOrEqual(t, c.Left, 0.0, "%q starts off screen", c.Text)
				assert.LessOrEqual(t, c.Right, c.ViewW, "%q ends off screen, at %.0f of %.0f px", c.Text, c.Right, c.ViewW)
			}
			assert.Contains(t, seen, "Closed")
			assert.Contains(t, seen, "Open")
			assert.Subset(t, seen, []string{"Unread"}, "a new report is marked unread")
			tags := eval[[]string](b, `[...document.querySelectorAll('table.report-list .tag')].map(el => el.textContent.trim())`)
			assert.Contains(t, tags, "Swearing flagged")
			assert.Contains(t, tags, "Unread")
			assert.Contains(t, tags, "Closed")
			if width == phone {
				// Stacked: each cell says which column it is.
				label := eval[string](b, `getComputedStyle(document.querySelector('table.report-list tbody td[data-label]'), '::before').content`)
				assert.Contains(t, label, "Received")
			}
		})
	}
}
