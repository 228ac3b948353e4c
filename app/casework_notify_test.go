package app_test

import (
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/mail"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// member adds a member assigned to the school's inbox, in lang, who chose
// mode for it, and returns them signed in.
func (s school) member(t *testing.T, email string, lang domain.Language, mode domain.NotifyMode) *app.Actor {
	t.Helper()
	out, err := s.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: s.form.OrgID, Email: email, FirstName: "Kim", InboxIDs: []domain.InboxID{s.inbox.ID}})
	require.NoError(t, err)
	a := s.actorOf(t, out.Staff)
	if lang != domain.English {
		require.NoError(t, s.svc.Portal.SetLanguage(ctx, a, lang))
		a = s.actorOf(t, out.Staff)
	}
	require.NoError(t, s.svc.Casework.SetNotificationPreferences(ctx, a, map[domain.InboxID]string{s.inbox.ID: string(mode)}))
	return a
}

// actorOf is m as signed in.
func (s school) actorOf(t *testing.T, m *domain.Staff) *app.Actor {
	t.Helper()
	var a *app.Actor
	require.NoError(t, s.store.View(ctx, func(tx ports.Tx) error {
		cur, err := tx.Staff().Get(ctx, m.ID)
		if err != nil {
			return err
		}
		org, err := tx.Organisations().Get(ctx, m.OrgID)
		a = &app.Actor{Staff: cur, Org: org, Viewer: domain.ViewerOf(cur)}
		return err
	}))
	return a
}

// alertsOf are a report's staff alerts of kind, by address.
func (s school) alertsOf(t *testing.T, ref domain.Reference, kind domain.DeliveryKind) map[string]*domain.Delivery {
	t.Helper()
	out := map[string]*domain.Delivery{}
	for _, d := range s.deliveries(t, ref) {
		if d.Kind == kind {
			out[d.To] = d
		}
	}
	return out
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// New reports and replies are emailed at once to the members who chose
// that (the default), not to those who chose a digest or none; the
// inbox's notification addresses are told as before.
func TestAlertsFollowEachMembersChoice(t *testing.T) {
	s := newSchool(t)
	s.member(t, "kim@oakfield.example", domain.English, domain.NotifyDigest)
	s.member(t, "sam@oakfield.example", domain.English, domain.NotifyNone)
	s.member(t, "lee@oakfield.example", domain.Welsh, domain.NotifyAtOnce)
	rc, err := s.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: secretBody})
	require.NoError(t, err)
	alerts := s.alertsOf(t, rc.Ref, domain.DeliveryStaffNewReport)
	assert.ElementsMatch(t, []string{"dsl@oakfield.example", "alex@oakfield.example", "lee@oakfield.example"}, keysOf(alerts))
	assert.Equal(t, domain.Welsh, alerts["lee@oakfield.example"].Language)

	s.clock.t = s.clock.t.Add(time.Hour)
	_, err = s.svc.Reporting.ReporterReply(ctx, app.ReporterReply{Token: string(rc.Token), Body: "And again today"})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"dsl@oakfield.example", "alex@oakfield.example", "lee@oakfield.example"},
		keysOf(s.alertsOf(t, rc.Ref, domain.DeliveryStaffReply)))

	// A text report follows the same choices.
	_, err = s.svc.Reporting.ReceiveText(ctx, app.InboundText{MessageUUID: "u-notify", From: "447700900123", Text: "OAK someone took my bag"})
	require.NoError(t, err)
	var texted []*domain.Delivery
	require.NoError(t, s.store.View(ctx, func(tx ports.Tx) (err error) {
		all, err := tx.Outbox().List(ctx, ports.OutboxFilter{})
		for _, d := range all {
			if d.Kind == domain.DeliveryStaffNewReport && d.InteractionID != "" && d.CreatedAt.Equal(s.clock.t.Truncate(time.Microsecond)) {
				texted = append(texted, d)
			}
		}
		return err
	}))
	var to []string
	for _, d := range texted {
		to = append(to, d.To)
	}
	assert.ElementsMatch(t, []string{"dsl@oakfield.example", "alex@oakfield.example", "lee@oakfield.example"}, to)
}

// A member's language and choice are read with each alert, never from the
// intake cache: one changed a moment ago, by another instance, holds for
// the next report.
func TestAlertsUseTheMembersLanguageAndChoiceAsTheyAreNow(t *testing.T) {
	s := newSchool(t)
	lee := s.member(t, "lee@oakfield.example", domain.English, domain.NotifyAtOnce)
	cached := s.cachingService(time.Hour)
	report := app.SubmitReport{FormCode: "OAK", Body: secretBody}
	rc, err := cached.Reporting.SubmitReport(ctx, report)
	require.NoError(t, err)
	assert.Equal(t, domain.English, s.alertsOf(t, rc.Ref, domain.DeliveryStaffNewReport)["lee@oakfield.example"].Language)

	require.NoError(t, s.svc.Portal.SetLanguage(ctx, lee, domain.Welsh), "through another service, as another instance would")
	rc, err = cached.Reporting.SubmitReport(ctx, report)
	require.NoError(t, err)
	assert.Equal(t, domain.Welsh, s.alertsOf(t, rc.Ref, domain.DeliveryStaffNewReport)["lee@oakfield.example"].Language)

	require.NoError(t, s.svc.Casework.SetNotificationPreferences(ctx, lee, map[domain.InboxID]string{s.inbox.ID: "digest"}))
	rc, err = cached.Reporting.SubmitReport(ctx, report)
	require.NoError(t, err)
	assert.NotContains(t, keysOf(s.alertsOf(t, rc.Ref, domain.DeliveryStaffNewReport)), "lee@oakfield.example")
}

// Choices are checked all together: a bad one, or one for an inbox the
// member is not assigned to, saves nothing.
func TestNotificationChoicesAreCheckedBeforeAnyIsSaved(t *testing.T) {
	s := newSchool(t)
	kim := s.member(t, "kim@oakfield.example", domain.English, domain.NotifyAtOnce)
	other, err := s.svc.Operations.CreateInbox(ctx, app.CreateInbox{FormID: s.form.ID, Name: "Online worries"})
	require.NoError(t, err)

	err = s.svc.Casework.SetNotificationPreferences(ctx, kim, map[domain.InboxID]string{s.inbox.ID: "digest", other.ID: "digest"})
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err), "kim is not assigned to the other inbox")
	err = s.svc.Casework.SetNotificationPreferences(ctx, kim, map[domain.InboxID]string{s.inbox.ID: "weekly"})
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err))
	assert.Equal(t, "Choose at once, a daily digest or none.", domain.ProblemsOf(err).Of(app.NotifyField(s.inbox.ID)))
	prefs, err := s.svc.Casework.NotificationPreferences(ctx, kim)
	require.NoError(t, err)
	require.Len(t, prefs, 1, "only kim's own inbox")
	assert.Equal(t, domain.NotifyAtOnce, prefs[0].Mode, "nothing was saved")
}

// digestRig is a school with a member who chose the daily digest, and an
// SMTP server the relay sends to.
type digestRig struct {
	relayRig
	kim *app.Actor
}

func newDigestRig(t *testing.T, lang domain.Language) digestRig {
	t.Helper()
	r := newRelayRig(t, 5)
	kim := r.member(t, "kim@oakfield.example", lang, domain.NotifyDigest)
	return digestRig{relayRig: r, kim: kim}
}

// at sets the clock and sends the digests due.
func (r digestRig) at(t *testing.T, when time.Time) int {
	t.Helper()
	r.clock.t = when
	n, err := r.svc.Casework.SendDigests(ctx)
	require.NoError(t, err)
	return n
}

// The digest goes at 07:30 London time: 07:30 GMT in winter, 06:30 UTC
// (07:30 BST) in summer, on the days the clocks change too; one missed
// while the service was down goes until noon, and then that day's is
// skipped.
func TestTheDigestGoesAt0730LondonTimeSummerAndWinter(t *testing.T) {
	r := newDigestRig(t, domain.English)
	utc := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, time.UTC) }
	r.clock.t = utc(2026, 3, 27, 12, 0)
	_, err := r.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: secretBody})
	require.NoError(t, err, "a report that awaits a reply every morning after")

	for _, day := range []struct {
		name         string
		before, from time.Time
	}{
		{"a winter day (GMT)", utc(2026, 3, 28, 7, 29), utc(2026, 3, 28, 7, 30)},
		{"the day BST begins", utc(2026, 3, 29, 6, 29), utc(2026, 3, 29, 6, 30)},
		{"a summer day (BST)", utc(2026, 7, 7, 6, 29), utc(2026, 7, 7, 6, 30)},
		{"the day GMT returns", utc(2026, 10, 25, 7, 29), utc(2026, 10, 25, 7, 30)},
	} {
		assert.Equal(t, 0, r.at(t, day.before), "%s: not yet at 07:29", day.name)
		assert.Equal(t, 1, r.at(t, day.from), "%s: at 07:30", day.name)
		assert.Equal(t, 0, r.at(t, day.from.Add(time.Minute)), "%s: once", day.name)
	}
	assert.Equal(t, 1, r.at(t, utc(2026, 10, 26, 11, 59)), "down at 07:30, back before noon: sent")
	assert.Equal(t, 0, r.at(t, utc(2026, 10, 27, 12, 0)), "back at noon: that day is skipped")
	assert.Equal(t, 0, r.at(t, utc(2026, 10, 27, 23, 0)))
}

// The digest names counts and references with portal links, in the
// member's language, through the real SMTP server; nothing a reporter
// wrote, nor their name or contact. A member with nothing to report gets
// no email.
func TestTheDigestSaysCountsAndReferencesOnly(t *testing.T) {
	for _, lang := range []domain.Language{domain.English, domain.Welsh} {
		t.Run(string(lang), func(t *testing.T) {
			r := newDigestRig(t, lang)
			r.clock.t = time.Date(2026, 12, 7, 7, 0, 0, 0, time.UTC)
			assert.Equal(t, 0, r.at(t, time.Date(2026, 12, 7, 7, 45, 0, 0, time.UTC)), "nothing to report: no email")

			r.clock.t = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
			rc, err := r.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: secretBody, Name: secretName, Email: secretMail})
			require.NoError(t, err)
			r.pass(t)
			before := len(r.smtp.Messages())
			assert.Equal(t, 1, r.at(t, time.Date(2026, 12, 8, 7, 30, 0, 0, time.UTC)))
			r.pass(t)
			msgs := r.smtp.Messages()[before:]
			require.Len(t, msgs, 1)
			m := msgs[0]
			assert.Equal(t, []string{"kim@oakfield.example"}, m.To)
			body := decodeQP(m.Data)
			assert.Contains(t, body, string(rc.Ref))
			assert.Contains(t, body, "https://whisper.example.org/staff/interactions/"+string(rc.Ref))
			for _, secret := range []string{secretBody, secretName, secretMail} {
				assert.NotContains(t, body, secret)
			}
			if lang == domain.Welsh {
				assert.Contains(t, body, "Subject: Eich crynodeb Whisper ar gyfer 2026-12-08")
				assert.Contains(t, body, "General: adroddiadau newydd 1, atebion newydd 0, yn aros am ateb 1")
			} else {
				assert.Contains(t, body, "Subject: Your Whisper digest for 2026-12-08")
				assert.Contains(t, body, "General: new reports 1, new replies 0, awaiting reply 1")
			}
		})
	}
}

// decodeQP undoes quoted-printable soft line breaks and the few escapes
// the assertions meet.
func decodeQP(s string) string {
	s = strings.ReplaceAll(s, "=\r\n", "")
	s = strings.ReplaceAll(s, "=\n", "")
	return strings.ReplaceAll(s, "=3D", "=")
}

// A new-report alert queued by the version before alerts were written in
// the member's language held the whole English subject; relayed after
// the upgrade, it reads "New report in …" once.
func TestANewReportAlertQueuedByTheOldVersionIsSentRight(t *testing.T) {
	r := newRelayRig(t, 5)
	id, err := domain.NewDeliveryID(rand.Reader)
	require.NoError(t, err)
	now := r.clock.t.UTC().Truncate(time.Microsecond)
	old := &domain.Delivery{ID: id, Kind: domain.DeliveryStaffNewReport, Channel: domain.DeliveryEmail, To: "dsl@oakfield.example",
		Link: "https://whisper.example.org/staff/interactions/WSP-OLD", Subject: "New report in General (Oakfield Primary)",
		Language: domain.English, OrgID: r.form.OrgID, Status: domain.DeliveryPending, NextAttemptAt: now, CreatedAt: now}
	require.NoError(t, r.store.InTx(ctx, func(tx ports.Tx) error { return tx.Outbox().Enqueue(ctx, old) }))
	assert.Equal(t, app.Relayed{Sent: 1}, r.pass(t))
	msgs := r.smtp.Messages()
	require.Len(t, msgs, 1)
	assert.Contains(t, msgs[0].Data, "Subject: New report in General (Oakfield Primary)\r\n")
	assert.NotContains(t, msgs[0].Data, "New report in New report in")
	c, err := mail.Compose(old)
	require.NoError(t, err)
	assert.Equal(t, "A new report has arrived in Whisper: General (Oakfield Primary).", strings.SplitN(c.Text, "\n", 2)[0])
}
