package e2e

import (
	"crypto/rand"
	nethttp "net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// waitingReport stores a report whose reporter has waited since ago
// before now, as though it had come in then: the site's clock cannot be
// wound forward.
func (s *site) waitingReport(inbox *domain.Inbox, body string, ago time.Duration) domain.Reference {
	s.t.Helper()
	at := clock{start: time.Now()}.Now().Add(-ago).Truncate(time.Microsecond)
	ids := domain.IDs{}
	var err error
	ids.Interaction, err = domain.NewInteractionID(rand.Reader)
	require.NoError(s.t, err)
	ids.Message, err = domain.NewMessageID(rand.Reader)
	require.NoError(s.t, err)
	ids.Ref, err = domain.NewReference(rand.Reader)
	require.NoError(s.t, err)
	ids.Token, err = domain.NewToken(rand.Reader)
	require.NoError(s.t, err)
	ia, msg, token, err := domain.OpenInteraction(ids, domain.NewReport{Form: s.form, Inbox: inbox, Channel: domain.ChannelWeb, Body: body}, at)
	require.NoError(s.t, err)
	require.NoError(s.t, s.st.InTx(ctx, func(tx ports.Tx) error {
		if err := tx.Interactions().Create(ctx, ia, token, domain.Contact{}); err != nil {
			return err
		}
		return tx.Messages().Add(ctx, msg, domain.Meta{})
	}))
	return ia.Ref
}

// triageStates gives the site an urgent report, an assigned one and an
// overdue one awaiting a reply, and returns the urgent one.
func triageStates(t *testing.T, s *site) domain.Reference {
	t.Helper()
	s.waitingReport(s.general, "Some older pupils wait for me by the gate every day after school and push me around.", 30*time.Hour)
	urgent := s.report(s.general, "", "Someone said they will hurt themselves tonight and I don't know what to do.")
	_, err := s.svc.Casework.SetUrgent(ctx, s.actor(adminEmail), string(urgent.Ref), app.UrgentOn)
	require.NoError(t, err)
	assigned := s.report(s.general, "", "My friend is being sent horrible messages on a group chat.")
	_, err = s.svc.Casework.Assign(ctx, s.actor(adminEmail), string(assigned.Ref), string(s.member.ID))
	require.NoError(t, err)
	s.staffReply(staffEmail, assigned.Ref, "Thank you for telling us. We will talk to your friend today.")
	return urgent.Ref
}

// The list with urgent, assigned and overdue reports, and a report's page
// with its assignment and urgency forms, pass axe at a phone's and a
// desktop's width in English and Welsh; the list still fits a phone.
func TestTriageAxe(t *testing.T) {
	axeScript(t)
	for _, lang := range []string{"en", "cy"} {
		s := newSite(t, siteOptions{})
		if lang == "cy" {
			require.NoError(t, s.st.InTx(ctx, func(tx ports.Tx) error {
				_, err := tx.Staff().Change(ctx, s.admin.ID, func(m *domain.Staff) error { m.Language = domain.Welsh; return nil })
				return err
			}))
		}
		urgent := triageStates(t, s)
		for _, width := range []int{phone, desktop} {
			t.Run(lang+"/"+widthName(width), func(t *testing.T) {
				b := s.newTab(t, width)
				signIn(t, b, adminEmail)
				for _, path := range []string{"/staff/", "/staff/?awaiting=1&assignee=none", "/staff/interactions/" + string(urgent)} {
					require.Equal(t, nethttp.StatusOK, b.open(path), path)
					assert.Equal(t, lang, b.lang(), path)
					b.axe(path)
					for _, problem := range checkPage(b) {
						t.Errorf("%s (%dpx): %s", path, width, problem)
					}
					assert.LessOrEqual(t, overflow(b), 0.0, "%s scrolls sideways", path)
				}
				require.Equal(t, nethttp.StatusUnprocessableEntity, b.open("/staff/?awaiting=maybe"))
				b.axe("bad triage filter")
				for _, problem := range checkPage(b) {
					t.Errorf("bad triage filter (%dpx): %s", width, problem)
				}
				require.Equal(t, nethttp.StatusOK, b.open("/staff/"))
				tags := eval[[]string](b, `[...document.querySelectorAll('table.report-list .tag')].map(el => el.textContent.trim())`)
				if lang == "en" {
					assert.Contains(t, tags, "Urgent")
					assert.Contains(t, tags, "Overdue: Awaiting reply for 1 day")
				} else {
					assert.Contains(t, tags, "Brys")
					assert.Contains(t, tags, "Yn hwyr: Yn aros am ateb ers 1 diwrnod")
				}
			})
		}
	}
}
