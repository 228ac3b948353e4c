package wire

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
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
