package mail_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/mail"
	"github.com/whisper-schools/whisper/adapters/mail/smtptest"
	"github.com/whisper-schools/whisper/domain"
)

var now = time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC)

func delivery(kind domain.DeliveryKind, to, link, subject string) *domain.Delivery {
	return &domain.Delivery{
		ID: "dlv_aaaaaaaaaaaaaaaaaaaa", Kind: kind, Channel: domain.DeliveryEmail, To: to, Link: link,
		Subject: subject, Language: domain.English, Status: domain.DeliveryPending, CreatedAt: now, NextAttemptAt: now,
	}
}

func TestEveryEmailKindComposes(t *testing.T) {
	for _, kind := range []domain.DeliveryKind{
		domain.DeliveryStaffNewReport, domain.DeliveryStaffReply, domain.DeliveryReporterLink,
		domain.DeliveryReporterReply, domain.DeliveryStaffInvite, domain.DeliveryReporterFreshLink,
	} {
		c, err := mail.Compose(delivery(kind, "x@example.org", "https://whisper.example.org/somewhere", "General (Oakfield)"))
		require.NoError(t, err, kind)
		assert.NotEmpty(t, c.Subject, kind)
		assert.Contains(t, c.Text, "https://whisper.example.org/somewhere", kind)
		assert.Contains(t, c.HTML, `href="https://whisper.example.org/somewhere"`, kind)
		assert.NotContains(t, c.Text, "x@example.org", "%s: the recipient's own address is not repeated", kind)
	}
	_, err := mail.Compose(&domain.Delivery{Kind: "unknown", Channel: domain.DeliveryEmail})
	assert.Error(t, err)
	_, err = mail.Compose(&domain.Delivery{Kind: domain.DeliveryReporterSMS, Channel: domain.DeliverySMS})
	assert.Error(t, err, "a text is not an email")
}

func TestSubjectsCannotInjectHeaders(t *testing.T) {
	c, err := mail.Compose(delivery(domain.DeliveryStaffNewReport, "x@example.org", "https://w.example/l",
		"New report in Evil\r\nBcc: attacker@example.org"))
	require.NoError(t, err)
	assert.NotContains(t, c.Subject, "\n")
	assert.NotContains(t, c.Subject, "\r")
}

func TestSendsOverSMTPWithAuthentication(t *testing.T) {
	srv := smtptest.Start(t, "whisper", "s3cret-password")
	m, err := mail.NewSMTP(mail.Config{
		From: "whisper@example.org", Host: srv.Host(), Port: srv.Port(), Username: "whisper", Password: "s3cret-password",
		TLS: "none", PublicURL: "https://whisper.example.org",
	})
	require.NoError(t, err)
	d := delivery(domain.DeliveryReporterLink, "kid@example.org", "https://whisper.example.org/t/SECRET", "")
	require.NoError(t, m.Send(context.Background(), d))

	got := srv.Messages()
	require.Len(t, got, 1)
	assert.Equal(t, "whisper@example.org", got[0].From)
	assert.Equal(t, []string{"kid@example.org"}, got[0].To)
	data := got[0].Data
	assert.Contains(t, data, "Message-ID: <dlv_aaaaaaaaaaaaaaaaaaaa@whisper.example.org>")
	assert.Contains(t, data, "Subject: Your Whisper conversation link")
	assert.Contains(t, data, "https://whisper.example.org/t/SECRET")
	assert.Contains(t, data, "text/plain")
	assert.Contains(t, data, "text/html")
}

func TestWrongCredentialsAndDownServersAreUnavailable(t *testing.T) {
	srv := smtptest.Start(t, "whisper", "right")
	cfg := mail.Config{From: "whisper@example.org", Host: srv.Host(), Port: srv.Port(), Username: "whisper", Password: "wrong", TLS: "none", Timeout: 5 * time.Second}
	m, err := mail.NewSMTP(cfg)
	require.NoError(t, err)
	d := delivery(domain.DeliveryStaffNewReport, "dsl@oakfield.example", "https://w.example/staff/interactions/WSP-1111-2222", "New report")
	err = m.Send(context.Background(), d)
	assert.Equal(t, domain.KindUnavailable, domain.KindOf(err))
	assert.NotContains(t, err.Error(), "dsl@oakfield.example")

	srv.Stop()
	cfg.Password = "right"
	m, err = mail.NewSMTP(cfg)
	require.NoError(t, err)
	err = m.Send(context.Background(), d)
	assert.Equal(t, domain.KindUnavailable, domain.KindOf(err))
	assert.Empty(t, srv.Messages())

	srv.Restart()
	require.NoError(t, m.Send(context.Background(), d))
	assert.Len(t, srv.Messages(), 1)
}

func TestConfigIsChecked(t *testing.T) {
	for name, cfg := range map[string]mail.Config{
		"no host": {From: "a@b.example", TLS: "none"},
		"no from": {Host: "localhost", TLS: "none"},
		"bad tls": {From: "a@b.example", Host: "localhost", TLS: "ssl3"},
	} {
		_, err := mail.NewSMTP(cfg)
		assert.Error(t, err, name)
	}
}

func TestLogMailerWritesNoAddressOrLink(t *testing.T) {
	var buf bytes.Buffer
	m := mail.NewLog(slog.New(slog.NewJSONHandler(&buf, nil)))
	require.NoError(t, m.Send(context.Background(), delivery(domain.DeliveryReporterLink, "kid@example.org", "https://whisper.example.org/t/SECRET", "")))
	line := buf.String()
	assert.Equal(t, 1, strings.Count(line, "\n"))
	assert.Contains(t, line, "reporter_link")
	assert.NotContains(t, line, "kid@example.org")
	assert.NotContains(t, line, "SECRET")
}

// A coalesced reply alert says how many replies it stands for; one that
// stands for one reads as it always did.
func TestReplyAlertsSayHowManyReplies(t *testing.T) {
	d := delivery(domain.DeliveryStaffReply, "dsl@oakfield.example", "https://w.example/staff/interactions/WSP-1111-2222", "General (Oakfield)")
	for count, want := range map[int][2]string{
		0: {"New reply in General (Oakfield)", "A reporter has replied in Whisper: General (Oakfield)."},
		1: {"New reply in General (Oakfield)", "A reporter has replied in Whisper: General (Oakfield)."},
		3: {"3 new replies in General (Oakfield)", "A reporter has sent 3 new replies in Whisper: General (Oakfield)."},
	} {
		d.Count = count
		c, err := mail.Compose(d)
		require.NoError(t, err)
		assert.Equal(t, want[0], c.Subject, count)
		assert.Contains(t, c.Text, want[1], count)
		assert.Contains(t, c.HTML, "WSP-1111-2222", count)
	}
}

// An invitation of an address that has an account with another
// organisation carries no link, and says why.
func TestAnInvitationWithoutALinkSaysWhy(t *testing.T) {
	c, err := mail.Compose(delivery(domain.DeliveryStaffInvite, "x@example.org", "", "You have been invited to Whisper by Oakfield Primary"))
	require.NoError(t, err)
	assert.Contains(t, c.Text, "already has a Whisper account with another organisation")
	assert.Contains(t, c.Text, "Oakfield Primary")
	assert.NotContains(t, c.Text, "password here")
	assert.NotContains(t, c.HTML, "href=")
}
