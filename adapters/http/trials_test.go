package http_test

import (
	"html"
	nethttp "net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/sms"
	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// messagesOf counts the messages of the organisation's only interaction.
func (s *site) messagesOf() int {
	s.t.Helper()
	list := s.interactions()
	require.Len(s.t, list, 1)
	var n int
	require.NoError(s.t, s.store.View(ctx, func(tx ports.Tx) error {
		msgs, err := tx.Messages().List(ctx, list[0].ID)
		n = len(msgs)
		return err
	}))
	return n
}

// When a trial ends and the organisation was not made active, its form,
// its conversations' replies and its admins' pages say so, as a suspended
// organisation's do; extending the trial opens them again.
func TestATrialThatEndsStopsReportsAndRepliesAsSuspensionDoes(t *testing.T) {
	for _, pg := range []bool{false, true} {
		t.Run(map[bool]string{false: "sqlite", true: "postgres"}[pg], func(t *testing.T) {
			p := newPortalWith(t, siteOptions{postgres: pg})
			op := app.Operator{Name: "test"}
			_, err := p.svc.Operations.SetOrganisationStatus(ctx, op, p.org.ID, domain.OrgTrial, "trial")
			require.NoError(t, err)
			// The clock is 5 October 2026, 09:00: the trial takes reports
			// to the end of 8 October.
			_, err = p.svc.Subscriptions.SetTrial(ctx, op, p.org.ID, time.Date(2026, 10, 8, 0, 0, 0, 0, time.UTC), "trial")
			require.NoError(t, err)

			token := p.report("Someone keeps taking my lunch.")
			admin := p.as(p.admin).get("/staff/")
			require.Equal(t, nethttp.StatusOK, admin.status)
			assert.Contains(t, html.UnescapeString(admin.body), "trial ends after 8 October 2026 (days left: 4)")
			assert.Contains(t, html.UnescapeString(p.as(p.admin).get("/staff/admin/").body), "days left: 4", "on the admin pages too")
			assert.NotContains(t, p.as(p.staff).get("/staff/").body, "trial", "staff who are not admins are not told")

			p.clock.add(time.Date(2026, 10, 9, 0, 0, 0, 0, time.UTC).Sub(p.clock.Now()))
			r := p.get("/r/OAK")
			assert.Equal(t, nethttp.StatusGone, r.status)
			assert.Contains(t, r.body, "999")
			r = p.post("/r/OAK", url.Values{"message": {"a report after the trial"}, "category": {string(p.inbox.ID)}})
			assert.Equal(t, nethttp.StatusGone, r.status)
			assert.Len(t, p.interactions(), 1, "no report stored after the trial")

			r = p.post("/t/"+token, url.Values{"message": {"They did it again <today>."}})
			assert.Equal(t, nethttp.StatusGone, r.status, "a reply is answered as the form is, not with 404")
			assert.Contains(t, r.body, "0800 1111")
			assert.Contains(t, r.body, "They did it again &lt;today&gt;.", "what was typed is shown back")
			assert.Contains(t, r.body, `href="/t/`+token+`"`, "with the way back to the conversation")
			assert.Equal(t, 1, p.messagesOf(), "the reply is not stored")
			r = p.get("/t/" + token)
			assert.Equal(t, nethttp.StatusOK, r.status, "the reporter can still read their conversation")
			assert.Contains(t, r.body, "Someone keeps taking my lunch.")
			assert.NotContains(t, r.body, `name="message"`, "but not reply")

			admin = p.as(p.admin).get("/staff/")
			assert.Contains(t, html.UnescapeString(admin.body), "trial ended after 8 October 2026")

			_, err = p.svc.Subscriptions.SetTrial(ctx, op, p.org.ID, time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC), "extended")
			require.NoError(t, err)
			assert.Equal(t, nethttp.StatusOK, p.get("/r/OAK").status, "an extended trial takes reports again")
			assert.Equal(t, nethttp.StatusSeeOther, p.post("/t/"+token, url.Values{"message": {"They did it again."}}).status)
			assert.Equal(t, 2, p.messagesOf())

			_, err = p.svc.Operations.SetOrganisationStatus(ctx, op, p.org.ID, domain.OrgActive, "subscribed")
			require.NoError(t, err)
			assert.NotContains(t, p.as(p.admin).get("/staff/").body, "trial", "an active organisation has no trial banner")
		})
	}
}

// A suspended organisation's reporter replying gets the page with help
// now and their words back, in their language, and not a 404.
func TestAReplyToASuspendedSchoolIsKeptOnAKindPage(t *testing.T) {
	s := newSite(t, siteOptions{})
	token := s.report("Someone keeps taking my lunch.")
	_, err := s.svc.Operations.SetOrganisationStatus(ctx, app.Operator{Name: "test"}, s.org.ID, domain.OrgSuspended, "unpaid")
	require.NoError(t, err)
	r := s.post("/t/"+token, url.Values{"message": {"Please help."}, "lang": {"cy"}})
	assert.Equal(t, nethttp.StatusGone, r.status)
	assert.Contains(t, r.body, `lang="cy"`)
	assert.Contains(t, r.body, "Dydy eich neges ddim wedi cael ei hanfon")
	assert.Contains(t, r.body, "Please help.")
	assert.Contains(t, r.body, "999")
	assert.Equal(t, 1, s.messagesOf())
	assert.Equal(t, nethttp.StatusOK, s.get("/t/"+token).status)
	unknown := "A" + token[1:]
	if unknown == token { // one token in 32 begins with A already
		unknown = "B" + token[1:]
	}
	assert.Equal(t, nethttp.StatusNotFound, s.post("/t/"+unknown, url.Values{"message": {"Please help."}}).status,
		"an unknown link is still a 404")
}

// Texts to a school whose trial has ended are answered as a suspended
// school's are, in the form's language: a new report gets the closed-form
// text, a reply to a conversation the kind one; nothing is kept.
func TestTextsAfterATrialEndsAreAnsweredKindly(t *testing.T) {
	c := newCarrierSite(t, false)
	op := app.Operator{Name: "test"}
	c.form.Language = domain.Welsh
	require.NoError(t, c.store.InTx(ctx, func(tx ports.Tx) error { return storetest.SaveForm(tx, c.form) }))
	_, err := c.svc.Operations.SetOrganisationStatus(ctx, op, c.org.ID, domain.OrgTrial, "trial")
	require.NoError(t, err)
	_, err = c.svc.Subscriptions.SetTrial(ctx, op, c.org.ID, time.Date(2026, 10, 8, 0, 0, 0, 0, time.UTC), "trial")
	require.NoError(t, err)
	require.Equal(t, nethttp.StatusOK, c.send(c.signedV3("uuid-1", "447700900123", "OAK Someone keeps taking my lunch")))
	require.Equal(t, 1, c.messages())

	c.clock.add(4 * 24 * time.Hour)
	texted := func() []string {
		var out []string
		require.NoError(t, c.store.View(ctx, func(tx ports.Tx) error {
			ds, err := tx.Outbox().List(ctx, ports.OutboxFilter{})
			for _, d := range ds {
				if d.Channel == domain.DeliverySMS && d.Kind != domain.DeliveryReporterLink {
					text, err := sms.Compose(d)
					require.NoError(t, err)
					out = append(out, text)
				}
			}
			return err
		}))
		return out
	}
	require.Equal(t, nethttp.StatusOK, c.send(c.signedV3("uuid-2", "447700900123", "They did it again")))
	require.Len(t, texted(), 1)
	assert.Contains(t, texted()[0], "Dydy eich ysgol ddim yn derbyn negeseuon drwy Whisper", "in the form's language")
	assert.Contains(t, texted()[0], "0800 1111")

	c.clock.add(time.Minute) // the outbox lists by time, then by random id
	require.Equal(t, nethttp.StatusOK, c.send(c.signedV3("uuid-3", "447700900456", "OAK A new report")))
	require.Len(t, texted(), 2)
	assert.Contains(t, texted()[1], "Dydy Oakfield Primary ddim yn derbyn adroddiadau", "a new report gets the closed-form text")
	assert.Equal(t, 1, c.messages(), "nothing kept after the trial")
	assert.Len(t, c.interactions(), 1)
}
