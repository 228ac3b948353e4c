package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/whisper-schools/whisper/domain"
)

// Error lists every problem found while loading or validating a
// configuration. Problems name keys and environment variables, never the
// value of a secret.
type Error struct {
	Problems []string
}

// Error returns "config: <problem>" for one problem, and otherwise
// "config: N problems:" followed by one "- <problem>" line each.
func (e *Error) Error() string {
	if len(e.Problems) == 1 {
		return "config: " + e.Problems[0]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "config: %d problems:", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n- ")
		b.WriteString(p)
	}
	return b.String()
}

// Validate checks c and returns an *Error listing every problem, or nil.
// It expects a Config as Load leaves it (PublicURL derived, proxies split).
func (c *Config) Validate() error {
	var v validator

	listenOK := v.hostPort("listen", c.Listen, "127.0.0.1:8080 or :8080")
	if c.Metrics.Listen != "" {
		v.hostPort("metrics.listen", c.Metrics.Listen, "127.0.0.1:9464")
	}
	c.validateDatabase(&v)
	switch {
	case c.PublicURL != "":
		v.httpURL("public_url", c.PublicURL, true)
	case listenOK:
		v.addf("public_url is required")
	}
	c.validateMail(&v)
	c.validateSMS(&v)

	if _, err := decodeDataKey(c.Security.DataKey); err != nil {
		v.addf("%v", err)
	}
	for i, s := range c.Security.OldDataKeys {
		// The message is decodeDataKey's, which never holds the key, about
		// the i-th entry of the list.
		if _, err := decodeDataKey(s); err != nil {
			v.addf("security.old_data_keys entry %d: %s", i+1, strings.TrimPrefix(err.Error(), "security.data_key "))
		}
	}
	if len(c.Security.OldDataKeys) > 0 && strings.TrimSpace(c.Security.DataKey) == "" {
		v.addf("security.old_data_keys needs security.data_key: the new key, which the old ones are retired for")
	}
	if n, one := c.Security.PasswordHashingMemoryMiB, PasswordHashMemoryMiB; n < one {
		v.addf("security.password_hashing_memory_mib must be at least %d, the memory of one password hash, not %d", one, n)
	}
	for _, s := range c.HTTP.TrustedProxies {
		if _, err := parseProxy(s); err != nil {
			v.addf("http.trusted_proxies: %q is not a CIDR or IP address", s)
		}
	}

	v.positive("outbox.poll_interval", c.Outbox.PollInterval)
	v.positive("outbox.retry_min", c.Outbox.RetryMin)
	v.positive("outbox.retry_max", c.Outbox.RetryMax)
	v.positive("outbox.lease", c.Outbox.Lease)
	if c.Outbox.RetryMin > c.Outbox.RetryMax {
		v.addf("outbox.retry_min (%v) must not exceed outbox.retry_max (%v)", c.Outbox.RetryMin, c.Outbox.RetryMax)
	}
	if c.Outbox.MaxAttempts < 1 {
		v.addf("outbox.max_attempts must be at least 1, not %d", c.Outbox.MaxAttempts)
	}
	v.positive("retention.sweep_interval", c.Retention.SweepInterval)

	c.validateOperator(&v)
	c.validateLog(&v)
	v.httpURL("reporter.exit_url", c.Reporter.ExitURL, false)
	if _, err := c.Zone(); err != nil {
		v.addf("time_zone %q is not a time zone; use an IANA name such as Europe/London", c.TimeZone)
	}

	v.nonNegative("limits.reports_per_ip", c.Limits.ReportsPerIP)
	v.nonNegative("limits.reports_per_form", c.Limits.ReportsPerForm)
	v.nonNegative("limits.texts_per_number", c.Limits.TextsPerNumber)
	v.nonNegative("limits.replies_per_conversation", c.Limits.RepliesPerConversation)
	// Shorter than a /32, one count would cover a whole provider's
	// customers; 128 counts every address apart.
	if p := c.Limits.IPv6Prefix; p < 32 || p > 128 {
		v.addf("limits.ipv6_prefix must be from 32 to 128 (bits of an IPv6 address counted as one client), not %d", p)
	}

	if len(v.problems) == 0 {
		return nil
	}
	return &Error{Problems: v.problems}
}

func (c *Config) validateDatabase(v *validator) {
	switch {
	case c.IsPostgres():
		if strings.TrimSpace(c.Security.DataKey) == "" {
			v.addf("security.data_key is required with PostgreSQL, since several instances must share it " +
				"(generate one with: openssl rand -base64 32)")
		}
	case strings.HasPrefix(c.Database.URL, sqlitePrefix):
		if strings.TrimSpace(c.SQLitePath()) == "" {
			v.addf("database.url sqlite: needs a file path, e.g. sqlite:whisper.db")
		}
	case c.Database.URL == "":
		v.addf("database.url is required: postgres://… or sqlite:PATH")
	default:
		// Never echo the URL: it may carry a password.
		v.addf("database.url must start with postgres://, postgresql:// or sqlite:")
	}
}

// maxOperatorText bounds each part of the operator's identity, which the
// notice prints: room for a long name or a full postal address.
const maxOperatorText = 500

// validateOperator checks the operator's identity: all or nothing of the
// name and email, since a notice that names a controller must also say how
// to reach them.
func (c *Config) validateOperator(v *validator) {
	o := c.Operator
	if !o.IsSet() {
		return
	}
	if o.Name == "" {
		v.addf("operator.name is required when operator.email or operator.postal_address is set")
	}
	if o.Email == "" {
		v.addf("operator.email is required when operator.name or operator.postal_address is set")
	} else if a, err := mail.ParseAddress(o.Email); err != nil || a.Address != o.Email {
		v.addf("operator.email %q is not a plain email address such as privacy@example.org", o.Email)
	}
	for _, f := range []struct{ key, value string }{
		{"operator.name", o.Name}, {"operator.email", o.Email}, {"operator.postal_address", o.PostalAddress},
	} {
		if utf8.RuneCountInString(f.value) > maxOperatorText {
			v.addf("%s is at most %d characters", f.key, maxOperatorText)
		}
	}
}

func (c *Config) validateMail(v *validator) {
	m := c.Mail
	switch m.Driver {
	case "log":
	case "smtp":
		if m.From == "" {
			v.addf("mail.from is required when mail.driver is smtp")
		} else if _, err := mail.ParseAddress(m.From); err != nil {
			v.addf("mail.from %q is not a valid email address", m.From)
		}
		if m.SMTP.Host == "" {
			v.addf("mail.smtp.host is required when mail.driver is smtp")
		}
		if m.SMTP.Port < 1 || m.SMTP.Port > 65535 {
			v.addf("mail.smtp.port must be between 1 and 65535, not %d", m.SMTP.Port)
		}
		switch m.SMTP.TLS {
		case "none", "starttls", "tls":
		default:
			v.addf("mail.smtp.tls must be none, starttls or tls, not %q", m.SMTP.TLS)
		}
		validateSMTPAuth(v, m.SMTP)
	case FileDriver:
		validateFileDir(v, "mail.file.dir", m.File.Dir)
	default:
		v.addf("mail.driver must be log, smtp or file, not %q", m.Driver)
	}
}

// validateSMTPAuth checks mail.smtp.auth and what it needs. Secrets are
// named, never shown.
func validateSMTPAuth(v *validator, s SMTP) {
	o := s.OAuth2
	oauthSet := o.TokenURL != "" || o.ClientID != "" || o.ClientSecret != "" || len(o.Scopes) > 0
	switch s.Auth {
	case "", "auto", "none":
		if oauthSet {
			v.addf("mail.smtp.oauth2 is set but mail.smtp.auth is not xoauth2")
		}
	case "plain", "login":
		v.required("mail.smtp.username", s.Username, "mail.smtp.auth is "+s.Auth)
		if oauthSet {
			v.addf("mail.smtp.oauth2 is set but mail.smtp.auth is not xoauth2")
		}
	case "xoauth2":
		when := "mail.smtp.auth is xoauth2"
		v.required("mail.smtp.username", s.Username, when+" (the mailbox to send as)")
		v.required("mail.smtp.oauth2.token_url", o.TokenURL, when)
		if o.TokenURL != "" {
			v.httpURL("mail.smtp.oauth2.token_url", o.TokenURL, false)
		}
		v.required("mail.smtp.oauth2.client_id", o.ClientID, when)
		v.required("mail.smtp.oauth2.client_secret", o.ClientSecret, when)
		if s.Password != "" {
			v.addf("mail.smtp.password is not used when mail.smtp.auth is xoauth2; leave it unset")
		}
	default:
		v.addf("mail.smtp.auth must be auto, plain, login, xoauth2 or none, not %q", s.Auth)
	}
}

func (c *Config) validateSMS(v *validator) {
	s := c.SMS
	switch s.Driver {
	case "log":
	case "plivo":
		v.required("sms.plivo.auth_id", s.Plivo.AuthID, "sms.driver is plivo")
		v.required("sms.plivo.auth_token", s.Plivo.AuthToken, "sms.driver is plivo")
		v.required("sms.plivo.number", s.Plivo.Number, "sms.driver is plivo")
		if s.Plivo.APIURL == "" {
			v.addf("sms.plivo.api_url is required when sms.driver is plivo")
		} else {
			v.httpURL("sms.plivo.api_url", s.Plivo.APIURL, false)
		}
	case FileDriver:
		validateFileDir(v, "sms.file.dir", s.File.Dir)
	default:
		v.addf("sms.driver must be log, plivo or file, not %q", s.Driver)
	}
	// Empty is the default, GB.
	if _, ok := domain.ParsePhoneRegion(s.DefaultRegion); !ok && s.DefaultRegion != "" {
		v.addf("sms.default_region must be a country's two-letter code, such as GB or IE, not %q", s.DefaultRegion)
	}
}

// validator collects problems.
type validator struct {
	problems []string
}

func (v *validator) addf(format string, args ...any) {
	v.problems = append(v.problems, fmt.Sprintf(format, args...))
}

func (v *validator) required(key, value, when string) {
	if strings.TrimSpace(value) == "" {
		v.addf("%s is required when %s", key, when)
	}
}

func (v *validator) positive(key string, d time.Duration) {
	if d <= 0 {
		v.addf("%s must be a duration greater than 0, such as \"1s\"", key)
	}
}

func (v *validator) nonNegative(key string, n int) {
	if n < 0 {
		v.addf("%s must be 0 (no limit) or more, not %d", key, n)
	}
}

// hostPort checks that the address under key is host:port with a numeric
// port; ":0" is allowed.
func (v *validator) hostPort(key, s, example string) bool {
	_, port, err := net.SplitHostPort(s)
	if err == nil {
		if n, perr := strconv.Atoi(port); perr == nil && n >= 0 && n <= 65535 {
			return true
		}
	}
	v.addf("%s %q must be host:port, e.g. %s", key, s, example)
	return false
}

// httpURL checks that s is an absolute http or https URL without
// credentials. A base URL (public_url) also may not carry a query or
// fragment. Messages leave s out, since a URL may embed a password.
func (v *validator) httpURL(key, s string, base bool) {
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Opaque != "":
		v.addf("%s is not a valid URL", key)
	case u.Scheme != "http" && u.Scheme != "https":
		v.addf("%s must be an absolute http:// or https:// URL", key)
	case u.Host == "" || u.Hostname() == "":
		v.addf("%s must name a host", key)
	case u.User != nil:
		v.addf("%s must not contain a user name or password", key)
	case base && strings.ContainsAny(s, "?#"):
		v.addf("%s must not have a query or fragment", key)
	}
}
