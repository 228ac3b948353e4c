package wire

import (
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/whisper-schools/whisper/adapters/mail"
	"github.com/whisper-schools/whisper/adapters/sms"
	"github.com/whisper-schools/whisper/cmd/internal/config"
	"github.com/whisper-schools/whisper/ports"
)

// Mailer returns the configured mailer: SMTP, a folder, or the log.
func Mailer(cfg *config.Config, log *slog.Logger) (ports.Mailer, error) {
	switch cfg.Mail.Driver {
	case "smtp":
	case config.FileDriver:
		return mail.NewFile(mail.FileConfig{Dir: cfg.Mail.File.Dir, From: cfg.Mail.From, PublicURL: cfg.PublicURL})
	default:
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

// SMSSender returns the configured sender: Plivo, a folder, or the log.
func SMSSender(cfg *config.Config, log *slog.Logger) (ports.SMSSender, error) {
	switch cfg.SMS.Driver {
	case "plivo":
	case config.FileDriver:
		return sms.NewFile(sms.FileConfig{Dir: cfg.SMS.File.Dir, From: cfg.SMS.Plivo.Number})
	default:
		return sms.NewLog(log), nil
	}
	p := cfg.SMS.Plivo
	return sms.NewPlivo(sms.PlivoConfig{AuthID: p.AuthID, AuthToken: p.AuthToken, Number: p.Number, APIURL: p.APIURL})
}

// MailGoes says where mail goes with cfg, for people to read: "written to
// mail (file driver)", "sent via smtp.example.org:587 (smtp driver)" or
// "written to the log, not sent (log driver)".
func MailGoes(cfg *config.Config) string {
	switch cfg.Mail.Driver {
	case "smtp":
		return fmt.Sprintf("sent via %s (smtp driver)", net.JoinHostPort(cfg.Mail.SMTP.Host, strconv.Itoa(cfg.Mail.SMTP.Port)))
	case config.FileDriver:
		return fmt.Sprintf("written to %s (file driver)", shown(cfg.Mail.File.Dir))
	}
	return "written to the log, not sent (log driver)"
}

// TextsGo says where texts go with cfg, for people to read, as MailGoes
// does for mail.
func TextsGo(cfg *config.Config) string {
	switch cfg.SMS.Driver {
	case "plivo":
		return "sent via Plivo (plivo driver)"
	case config.FileDriver:
		return fmt.Sprintf("written to %s (file driver)", shown(cfg.SMS.File.Dir))
	}
	return "written to the log, not sent (log driver)"
}

// shown writes a relative folder as ./mail, not mail, so that it reads as
// a place.
func shown(dir string) string {
	if filepath.IsAbs(dir) || strings.HasPrefix(dir, ".") {
		return dir
	}
	return "." + string(filepath.Separator) + dir
}
