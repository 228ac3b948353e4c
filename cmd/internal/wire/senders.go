package wire

import (
	"log/slog"

	"github.com/whisper-schools/whisper/adapters/mail"
	"github.com/whisper-schools/whisper/adapters/sms"
	"github.com/whisper-schools/whisper/cmd/internal/config"
	"github.com/whisper-schools/whisper/ports"
)

// Mailer returns the configured mailer: SMTP, or the log.
func Mailer(cfg *config.Config, log *slog.Logger) (ports.Mailer, error) {
	if cfg.Mail.Driver != "smtp" {
		return mail.NewLog(log), nil
	}
	s := cfg.Mail.SMTP
	return mail.NewSMTP(mail.Config{
		From: cfg.Mail.From, Host: s.Host, Port: s.Port,
		Username: s.Username, Password: s.Password, TLS: s.TLS,
		PublicURL: cfg.PublicURL, Auth: s.Auth,
		OAuth2: mail.OAuth2{TokenURL: s.OAuth2.TokenURL, ClientID: s.OAuth2.ClientID,
			ClientSecret: s.OAuth2.ClientSecret, Scopes: s.OAuth2.Scopes},
	})
}

// SMSSender returns the configured sender: Plivo, or the log.
func SMSSender(cfg *config.Config, log *slog.Logger) (ports.SMSSender, error) {
	if cfg.SMS.Driver != "plivo" {
		return sms.NewLog(log), nil
	}
	p := cfg.SMS.Plivo
	return sms.NewPlivo(sms.PlivoConfig{AuthID: p.AuthID, AuthToken: p.AuthToken, Number: p.Number, APIURL: p.APIURL})
}
