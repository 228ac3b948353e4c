package app_test

import (
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// limitedService is the school's service with a cap of limit replies an
// hour to each interaction.
func (s school) limitedService(limit int) *app.App {
	return app.New(app.Deps{Store: s.store, Clock: s.clock, Random: rand.Reader, Hasher: s.hasher,
		PublicURL: "https://whisper.example.org", Limits: app.Limits{RepliesPerConversation: limit}})
}

// subjectsOf returns the subjects of the mails the SMTP server received
// after the first seen.
func subjectsOf(r relayRig, seen int) []string {
	var out []string
	for _, m := range r.smtp.Messages()[seen:] {
		for _, line := range strings.Split(m.Data, "\n") {
			if subject, ok := strings.CutPrefix(strings.TrimRight(line, "\r"), "Subject: "); ok {
				out = append(out, subject)
			}
		}
	}
	return out
}

// messagesOf returns the messages of an interaction.
func (s school) messagesOf(t *testing.T, id domain.InteractionID) []*domain.Message {
	t.Helper()
	var out []*domain.Message
	require.NoError(t, s.store.View(ctx, func(tx ports.Tx) (err error) {
		out, err = tx.Messages().List(ctx, id)
		return err
	}))
	return out
}

// The staff hear of the first reply at once, of the replies within the
// next 15 minutes in one alert when they are up, saying how many; a reply
// after a trailing alert waits for the window that alert opened; and a
// trailing alert the relay has not sent yet counts the replies that come
// while it waits. Mailed through a real SMTP server.
func TestReplyAlertsCoalesceAndSayHowMany(t *testing.T) {
	r := newRelayRig(t, 5)
	rc, err := r.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: "first"})
	require.NoError(t, err)
	require.Equal(t, app.Relayed{Sent: 2}, r.pass(t), "the new-report alerts are not paced")
	t0 := r.clock.t
	reply := func(after time.Duration) {
		t.Helper()
		r.clock.t = t0.Add(after)
		_, err := r.svc.Reporting.ReporterReply(ctx, app.ReporterReply{Token: string(rc.Token), Body: "more"})
		require.NoError(t, err)
	}
	newSubjects := func() []string {
		t.Helper()
		seen := len(r.smtp.Messages())
		r.pass(t)
		return subjectsOf(r, seen)
	}
	one := "New reply in General (Oakfield Primary)"

	reply(1 * time.Minute)
	reply(2 * time.Minute)
	reply(3 * time.Minute)
	assert.Equal(t, []string{one, one}, newSubjects(), "the first reply, to each recipient, at once")
	r.clock.t = t0.Add(15 * time.Minute)
	assert.Empty(t, newSubjects(), "the rest wait for the window to end")
	r.clock.t = t0.Add(16 * time.Minute)
	assert.Equal(t, []string{"2 new replies in General (Oakfield Primary)", "2 new replies in General (Oakfield Primary)"}, newSubjects())
	for _, m := range r.smtp.Messages()[len(r.smtp.Messages())-2:] {
		assert.Contains(t, m.Data, "A reporter has sent 2 new replies in Whisper")
		assert.Contains(t, m.Data, "/staff/interactions/"+string(rc.Ref))
		assert.NotContains(t, m.Data, "more")
	}

	// The trailing alert went at 16 minutes and opened a window to 31.
	reply(17 * time.Minute)
	assert.Empty(t, newSubjects())
	// The relay is late: the alert due at 31 minutes has not gone at 33,
	// so the reply then is counted into it rather than queued apart.
	reply(33 * time.Minute)
	assert.Equal(t, []string{"2 new replies in General (Oakfield Primary)", "2 new replies in General (Oakfield Primary)"}, newSubjects())

	// Long after, a reply is announced at once again.
	reply(2 * time.Hour)
	assert.Equal(t, []string{one, one}, newSubjects())
}

// A texter over the reply limit is told so once an hour, in the form's
// language, and their texts are not kept; an hour after their first
// counted reply they can write again.
func TestTextsOverTheReplyLimitAreToldOnceAnHour(t *testing.T) {
	s := newSchool(t)
	s.svc = s.limitedService(2)
	require.Equal(t, app.TextOpened, s.text(t, "u0", "oak Someone took my phone at lunch"))
	t0 := s.clock.t
	s.clock.t = t0.Add(time.Minute)
	assert.Equal(t, app.TextContinued, s.text(t, "u1", "it was Sam"))
	assert.Equal(t, app.TextContinued, s.text(t, "u2", "in the hall"))
	linkTexts := len(s.texts(t))
	assert.Equal(t, app.TextLimited, s.text(t, "u3", "and again"))
	assert.Equal(t, app.TextLimited, s.text(t, "u4", "and again"))
	s.clock.t = t0.Add(30 * time.Minute)
	assert.Equal(t, app.TextLimited, s.text(t, "u5", "and again"))

	texts := s.texts(t)[linkTexts:]
	require.Len(t, texts, 1, "told once, however many texts are refused")
	assert.Equal(t, domain.DeliverySMSReplyLimit, texts[0].Kind)
	assert.Equal(t, "+"+texter, texts[0].To)
	assert.Equal(t, s.form.Language, texts[0].Language)

	ia := s.smsInteractions(t)[0]
	assert.Len(t, s.messagesOf(t, ia.ID), 3, "the report and two replies; nothing refused is kept")

	s.clock.t = t0.Add(time.Minute + time.Hour)
	assert.Equal(t, app.TextContinued, s.text(t, "u6", "I can write again"))
	assert.Equal(t, app.TextContinued, s.text(t, "u7", "and again"))
	assert.Equal(t, app.TextLimited, s.text(t, "u8", "one too many"))
	assert.Len(t, s.texts(t)[linkTexts:], 2, "a new hour, a new notice")
}

// A web reply over the limit is refused with when the reporter may write
// again, and nothing is stored.
func TestWebRepliesOverTheLimitSayWhen(t *testing.T) {
	s := newSchool(t)
	s.svc = s.limitedService(2)
	rc, err := s.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: "first"})
	require.NoError(t, err)
	t0 := s.clock.t
	for i, after := range []time.Duration{10 * time.Minute, 20 * time.Minute} {
		s.clock.t = t0.Add(after)
		_, err := s.svc.Reporting.ReporterReply(ctx, app.ReporterReply{Token: string(rc.Token), Body: "more"})
		require.NoError(t, err, i)
	}
	s.clock.t = t0.Add(30 * time.Minute)
	_, err = s.svc.Reporting.ReporterReply(ctx, app.ReporterReply{Token: string(rc.Token), Body: "one too many"})
	var limited *domain.RepliesLimited
	require.True(t, errors.As(err, &limited), "%v", err)
	assert.Equal(t, domain.KindUnavailable, domain.KindOf(err))
	assert.Equal(t, 2, limited.Limit)
	assert.Equal(t, t0.Add(10*time.Minute+time.Hour).Truncate(time.Microsecond), limited.Until, "when the oldest counted reply is an hour old")
	c, err := s.svc.Reporting.Follow(ctx, string(rc.Token))
	require.NoError(t, err)
	assert.Len(t, c.Messages, 3)

	s.clock.t = limited.Until
	_, err = s.svc.Reporting.ReporterReply(ctx, app.ReporterReply{Token: string(rc.Token), Body: "later"})
	assert.NoError(t, err)
}
