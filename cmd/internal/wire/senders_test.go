package wire

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/mail/smtptest"
	"github.com/whisper-schools/whisper/cmd/internal/config"
	"github.com/whisper-schools/whisper/domain"
)

// The mail keys reach the sender: a config with auth xoauth2 sends through
// a server that takes nothing but a token from the configured endpoint.
func TestMailerSignsInAsConfigured(t *testing.T) {
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, secret, _ := r.BasicAuth()
		if id != "client-id" || secret != "client-secret" || r.FormValue("scope") != "https://outlook.office365.com/.default" {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"access_token":"tok","token_type":"Bearer","expires_in":3600}`)
	}))
	t.Cleanup(tokens.Close)
	srv := smtptest.StartWith(t, smtptest.Options{Username: "whisper@school.example", Mechanisms: []string{"XOAUTH2"},
		Token: func(tok string) bool { return tok == "tok" }})

	cfg := config.Default()
	cfg.PublicURL = "https://whisper.example"
	cfg.Mail = config.Mail{Driver: "smtp", From: "whisper@school.example", SMTP: config.SMTP{
		Host: srv.Host(), Port: srv.Port(), TLS: "none", Username: "whisper@school.example", Auth: "xoauth2",
		OAuth2: config.SMTPOAuth2{TokenURL: tokens.URL, ClientID: "client-id", ClientSecret: "client-secret",
			Scopes: []string{"https://outlook.office365.com/.default"}},
	}}
	require.NoError(t, cfg.Validate())
	m, err := Mailer(&cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	now := time.Now()
	require.NoError(t, m.Send(context.Background(), &domain.Delivery{
		ID: "dlv_aaaaaaaaaaaaaaaaaaaa", Kind: domain.DeliveryStaffNewReport, Channel: domain.DeliveryEmail,
		To: "dsl@school.example", Link: "https://whisper.example/staff/", Subject: "New report", Language: domain.English,
		Status: domain.DeliveryPending, CreatedAt: now, NextAttemptAt: now,
	}))
	got := srv.Messages()
	require.Len(t, got, 1)
	assert.Equal(t, "XOAUTH2", got[0].Mechanism)
}

// The file drivers are chosen by name and write to their folders.
func TestFileDriversWriteToTheirFolders(t *testing.T) {
	cfg := config.Default()
	cfg.PublicURL = "http://localhost:8080"
	cfg.Mail = config.Mail{Driver: config.FileDriver, File: config.MailFile{Dir: filepath.Join(t.TempDir(), "mail")}}
	cfg.SMS.Driver, cfg.SMS.File.Dir = config.FileDriver, filepath.Join(t.TempDir(), "sms")
	require.NoError(t, cfg.Validate())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	m, err := Mailer(&cfg, log)
	require.NoError(t, err)
	s, err := SMSSender(&cfg, log)
	require.NoError(t, err)
	now := time.Now()
	require.NoError(t, m.Send(context.Background(), &domain.Delivery{ID: "dlv_aaaaaaaaaaaaaaaaaaaa", Kind: domain.DeliveryStaffInvite,
		Channel: domain.DeliveryEmail, To: "dsl@school.example", Link: "http://localhost:8080/staff/set-password/X", Subject: "Oakfield",
		Language: domain.English, CreatedAt: now, NextAttemptAt: now}))
	require.NoError(t, s.Send(context.Background(), &domain.Delivery{ID: "dlv_bbbbbbbbbbbbbbbbbbbb", Kind: domain.DeliverySMSHelp,
		Channel: domain.DeliverySMS, To: "+447700900123", CreatedAt: now, NextAttemptAt: now}))
	for _, dir := range []string{cfg.Mail.File.Dir, cfg.SMS.File.Dir} {
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		assert.Len(t, entries, 1, dir)
	}
	assert.Equal(t, "written to "+cfg.Mail.File.Dir+" (file driver)", MailGoes(&cfg))
	assert.Equal(t, "written to "+cfg.SMS.File.Dir+" (file driver)", TextsGo(&cfg))

	cfg.Mail.File.Dir = "demo/mail"
	assert.Equal(t, "written to ./demo/mail (file driver)", MailGoes(&cfg), "a relative folder reads as a place")

	cfg = config.Default()
	assert.Equal(t, "written to the log, not sent (log driver)", MailGoes(&cfg))
	assert.Equal(t, "written to the log, not sent (log driver)", TextsGo(&cfg))
	cfg.Mail.Driver, cfg.Mail.SMTP.Host, cfg.SMS.Driver = "smtp", "smtp.example.org", "plivo"
	assert.Equal(t, "sent via smtp.example.org:587 (smtp driver)", MailGoes(&cfg))
	assert.Equal(t, "sent via Plivo (plivo driver)", TextsGo(&cfg))
}
