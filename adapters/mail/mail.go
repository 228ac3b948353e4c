// Package mail sends Whisper's emails: over SMTP in production, or as one
// redacted log line in development. It writes each email from its
// delivery's kind, so what an email can say is fixed here, in templates,
// not by whoever queued it.
package mail

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

var (
	_ ports.Mailer = (*SMTP)(nil)
	_ ports.Mailer = (*Log)(nil)
)

// Config is how to reach the SMTP server.
type Config struct {
	From     string
	Host     string
	Port     int
	Username string
	Password string
	// TLS is "none", "starttls" (upgrade a plain connection; required) or
	// "tls" (implicit TLS from the start).
	TLS string
	// PublicURL names this service in Message-IDs.
	PublicURL string
	// Timeout bounds one delivery, token and connection included.
	Timeout time.Duration
	// Auth is how to sign in: AuthAuto ("" too: the best mechanism the
	// server offers, when Username is set), AuthPlain, AuthLogin, AuthXOAUTH2
	// (Username is the mailbox, OAuth2 gives the tokens) or AuthNone.
	// Passwords and tokens go only over TLS or to a server on this machine.
	Auth   string
	OAuth2 OAuth2
	// TLSConfig, when set, is how the server's certificate is checked (a
	// private CA); by default, against the system's roots and Host.
	TLSConfig *tls.Config
}

// SMTP sends mail through an SMTP server.
type SMTP struct {
	cfg    Config
	domain string
	tokens *tokens // with AuthXOAUTH2
	// helo names this service in EHLO: Google's relay turns away
	// "localhost", go-mail's default.
	helo string
}

// NewSMTP checks cfg and returns a sender. It does not connect until the
// first message.
func NewSMTP(cfg Config) (*SMTP, error) {
	if cfg.Host == "" || cfg.From == "" {
		return nil, fmt.Errorf("mail: smtp needs a host and a from address")
	}
	switch cfg.TLS {
	case "none", "starttls", "tls":
	default:
		return nil, fmt.Errorf("mail: tls must be none, starttls or tls")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Auth == "" {
		cfg.Auth = AuthAuto
	}
	m := &SMTP{cfg: cfg, domain: "whisper.invalid"}
	if u, err := url.Parse(cfg.PublicURL); err == nil && u.Hostname() != "" {
		m.domain = u.Hostname()
		// An address would need brackets in EHLO; go-mail's default
		// stays for those, which are only ever test set-ups.
		if net.ParseIP(m.domain) == nil && strings.Contains(m.domain, ".") {
			m.helo = m.domain
		}
	}
	switch cfg.Auth {
	case AuthAuto, AuthNone:
	case AuthPlain, AuthLogin:
		if cfg.Username == "" {
			return nil, fmt.Errorf("mail: auth %s needs a username", cfg.Auth)
		}
	case AuthXOAUTH2:
		o := cfg.OAuth2
		if cfg.Username == "" || o.TokenURL == "" || o.ClientID == "" || o.ClientSecret == "" {
			return nil, fmt.Errorf("mail: auth xoauth2 needs a username, a token URL, a client id and a client secret")
		}
		m.tokens = newTokens(o, cfg.Timeout)
	default:
		return nil, fmt.Errorf("mail: auth must be auto, plain, login, xoauth2 or none")
	}
	return m, nil
}

// Send delivers d, built by NewMessage. A refusal comes back with the
// server's answer (see refused).
func (m *SMTP) Send(ctx context.Context, d *domain.Delivery) error {
	msg, err := NewMessage(d, m.cfg.From, m.domain)
	if err != nil {
		return err
	}

	// One deadline for the token and the conversation both.
	ctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	opts := []gomail.Option{gomail.WithPort(m.cfg.Port), gomail.WithTimeout(m.cfg.Timeout)}
	if m.helo != "" {
		opts = append(opts, gomail.WithHELO(m.helo))
	}
	switch m.cfg.TLS {
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "tls":
		opts = append(opts, gomail.WithSSL())
	}
	if m.cfg.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(m.cfg.TLSConfig))
	}
	var xoauth2 *xoauth2Auth
	var gen int
	switch m.cfg.Auth {
	case AuthAuto:
		// Without a user name, as before there was a choice: no sign-in.
		if m.cfg.Username != "" {
			opts = append(opts, gomail.WithSMTPAuthCustom(&autoAuth{username: m.cfg.Username, password: m.cfg.Password}))
		}
	case AuthPlain, AuthLogin:
		// go-mail's PLAIN and LOGIN refuse to run without TLS, except to a
		// server on this machine.
		mech := gomail.SMTPAuthPlain
		if m.cfg.Auth == AuthLogin {
			mech = gomail.SMTPAuthLogin
		}
		opts = append(opts, gomail.WithSMTPAuth(mech), gomail.WithUsername(m.cfg.Username), gomail.WithPassword(m.cfg.Password))
	case AuthXOAUTH2:
		var token string
		if token, gen, err = m.tokens.token(ctx); err != nil {
			return &domain.Error{Kind: domain.KindUnavailable, Safe: domain.Say("the mail server did not accept the message"), Err: err}
		}
		xoauth2 = &xoauth2Auth{username: m.cfg.Username, token: token}
		opts = append(opts, gomail.WithSMTPAuthCustom(xoauth2))
	}
	client, err := gomail.NewClient(m.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		if xoauth2 != nil && xoauth2.refused() {
			m.tokens.forget(gen)
		}
		return refused(err)
	}
	return nil
}

// refused is the error Send returns for a conversation that failed: the
// server's answer, addresses redacted, of kind Invalid when the answer is
// permanent (the relay then gives up at once) and Unavailable otherwise.
func refused(err error) error {
	f := refusal(err)
	if f.Permanent {
		return &domain.Error{Kind: domain.KindInvalid, Safe: domain.Say("the mail server refused the message for good"), Err: f}
	}
	return &domain.Error{Kind: domain.KindUnavailable, Safe: domain.Say("the mail server did not accept the message"), Err: f}
}

// Log is the development mailer: it sends nothing and writes one line per
// email, without the address or the link, which may be a reporter's.
type Log struct {
	log *slog.Logger
}

// NewLog returns a mailer that writes to log.
func NewLog(log *slog.Logger) *Log { return &Log{log: log} }

// Send logs a summary of d.
func (l *Log) Send(_ context.Context, d *domain.Delivery) error {
	c, err := Compose(d)
	if err != nil {
		return err
	}
	l.log.Info("mail not sent (mail.driver is log)", slog.String("delivery", string(d.ID)),
		slog.String("kind", string(d.Kind)), slog.String("subject", c.Subject))
	return nil
}
