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
	return mail.NewSMTP(mail.Config{
		From: cfg.Mail.From, Host: cfg.Mail.SMTP.Host, Port: cfg.Mail.SMTP.Port,
		Username: cfg.Mail.SMTP.Username, Password: cfg.Mail.SMTP.Password, TLS: cfg.Mail.SMTP.TLS,
		PublicURL: cfg.PublicURL,
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
