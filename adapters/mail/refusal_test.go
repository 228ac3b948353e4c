package mail_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/mail"
	"github.com/whisper-schools/whisper/adapters/mail/smtptest"
	"github.com/whisper-schools/whisper/domain"
)

func plainSMTP(t *testing.T, srv *smtptest.Server) *mail.SMTP {
	t.Helper()
	m, err := mail.NewSMTP(mail.Config{From: "whisper@example.org", Host: srv.Host(), Port: srv.Port(), TLS: "none",
		PublicURL: "https://whisper.example.org", Timeout: 5 * time.Second})
	require.NoError(t, err)
	return m
}

// A 550 to the recipient is permanent: the error says so, with the code
// and the server's words, and without the address the server quoted back.
func TestAPermanentRefusalCarriesTheReplyWithoutTheAddress(t *testing.T) {
	srv := smtptest.Start(t, "", "")
	srv.Refuse("kid@example.org", 550, "5.7.1 <kid@example.org>: Relaying denied")
	err := plainSMTP(t, srv).Send(context.Background(), delivery(domain.DeliveryReporterLink, "kid@example.org", "https://w.example/t/SECRET", ""))

	require.Error(t, err)
	assert.True(t, domain.IsPermanent(err))
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err))
	f := domain.FailureOf(err)
	require.NotNil(t, f)
	assert.Equal(t, 550, f.Code)
	assert.True(t, f.Permanent)
	assert.Equal(t, "5.7.1 <redacted>: Relaying denied", f.Text)
	assert.NotContains(t, err.Error(), "kid@example.org")
	assert.Empty(t, srv.Messages())
}

// A 451 is transient: the relay keeps to its retry schedule.
func TestATransientRefusalIsUnavailable(t *testing.T) {
	srv := smtptest.Start(t, "", "")
	srv.Refuse("dsl@oakfield.example", 451, "4.3.0 Try again later, dsl@oakfield.example")
	err := plainSMTP(t, srv).Send(context.Background(), delivery(domain.DeliveryStaffNewReport, "dsl@oakfield.example", "https://w.example/staff", "General (Oakfield)"))

	assert.False(t, domain.IsPermanent(err))
	assert.Equal(t, domain.KindUnavailable, domain.KindOf(err))
	f := domain.FailureOf(err)
	require.NotNil(t, f)
	assert.Equal(t, 451, f.Code)
	assert.Equal(t, "4.3.0 Try again later, <redacted>", f.Text)
}

// A server that cannot be reached has no reply code and is transient.
func TestADownServerIsTransientWithoutACode(t *testing.T) {
	srv := smtptest.Start(t, "", "")
	m := plainSMTP(t, srv)
	srv.Stop()
	err := m.Send(context.Background(), delivery(domain.DeliveryStaffNewReport, "dsl@oakfield.example", "https://w.example/staff", "General (Oakfield)"))
	assert.Equal(t, domain.KindUnavailable, domain.KindOf(err), "%v", err)
	f := domain.FailureOf(err)
	require.NotNil(t, f)
	assert.Zero(t, f.Code)
	assert.False(t, f.Permanent)
	assert.NotEmpty(t, f.Text)
}

// Every email says a machine wrote it, asks not to be auto-answered, and
// names no mail library.
func TestEveryEmailIsMarkedAutomaticAndNamesNoLibrary(t *testing.T) {
	srv := smtptest.Start(t, "", "")
	require.NoError(t, plainSMTP(t, srv).Send(context.Background(), delivery(domain.DeliveryStaffNewReport, "dsl@oakfield.example", "https://w.example/staff", "General (Oakfield)")))
	got := srv.Messages()
	require.Len(t, got, 1)
	head, _, _ := strings.Cut(got[0].Data, "\r\n\r\n")
	assert.Contains(t, head, "Auto-Submitted: auto-generated\r\n")
	assert.Contains(t, head, "X-Auto-Response-Suppress: All\r\n")
	lower := strings.ToLower(head)
	assert.NotContains(t, lower, "x-mailer")
	assert.NotContains(t, lower, "user-agent")
	assert.NotContains(t, lower, "go-mail")
}

func TestRedactTakesOutAnythingLikeAnAddress(t *testing.T) {
	for in, want := range map[string]string{
		"5.1.1 <kid@example.org>: Recipient address rejected": "5.1.1 <redacted>: Recipient address rejected",
		"user kid.o'neil+x@sub.example.org unknown":           "user <redacted> unknown",
		"mailbox full (kid@example.org)":                      "mailbox full (<redacted>)",
		"<weird @ thing>":                                     "<redacted>",
		"no address here":                                     "no address here",
	} {
		assert.Equal(t, want, mail.Redact(in), in)
	}
}
