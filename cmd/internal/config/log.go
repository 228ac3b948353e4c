package config

import (
	"log/slog"
	"net/url"
	"strings"
)

// LogValue summarises c for the startup log: listen address, public URL,
// the kind and location of the database, the drivers and the tunables. It
// leaves out every secret, database credentials, and the service's phone
// number. It has a value receiver so that both Config and *Config redact.
func (c Config) LogValue() slog.Value {
	mail := []slog.Attr{slog.String("driver", c.Mail.Driver)}
	if c.Mail.Driver == "smtp" {
		mail = append(mail,
			slog.String("host", c.Mail.SMTP.Host),
			slog.Int("port", c.Mail.SMTP.Port),
			slog.String("tls", c.Mail.SMTP.TLS))
		// The default, auto, goes unsaid, as before there was a choice.
		if a := c.Mail.SMTP.Auth; a != "" && a != "auto" {
			mail = append(mail, slog.String("auth", a))
		}
		if c.Mail.SMTP.Auth == "xoauth2" {
			mail = append(mail, slog.String("token_url", redactURL(c.Mail.SMTP.OAuth2.TokenURL)))
		}
	}
	sms := []slog.Attr{slog.String("driver", c.SMS.Driver)}
	if c.SMS.Driver == "plivo" {
		sms = append(sms, slog.String("api_url", redactURL(c.SMS.Plivo.APIURL)), slog.Bool("accept_v2", c.SMS.Plivo.AcceptV2))
	}
	return slog.GroupValue(
		slog.String("listen", c.Listen),
		slog.String("metrics_listen", c.Metrics.Listen),
		slog.String("public_url", redactURL(c.PublicURL)),
		slog.String("database", c.databaseSummary()),
		slog.Bool("data_key_set", c.Security.DataKey != ""),
		slog.Int("old_data_keys", len(c.Security.OldDataKeys)),
		slog.Group("password_hashing",
			slog.Int("memory_mib", c.Security.PasswordHashingMemoryMiB),
			slog.Int("at_once", c.PasswordHashingSlots())),
		slog.Attr{Key: "mail", Value: slog.GroupValue(mail...)},
		slog.Attr{Key: "sms", Value: slog.GroupValue(sms...)},
		slog.Int("trusted_proxies", len(c.HTTP.TrustedProxies)),
		slog.Bool("geoip_city", c.GeoIP.CityDB != ""),
		slog.Bool("geoip_asn", c.GeoIP.ASNDB != ""),
		slog.Group("outbox",
			slog.Duration("poll_interval", c.Outbox.PollInterval),
			slog.Duration("retry_min", c.Outbox.RetryMin),
			slog.Duration("retry_max", c.Outbox.RetryMax),
			slog.Int("max_attempts", c.Outbox.MaxAttempts)),
		slog.Duration("retention_sweep_interval", c.Retention.SweepInterval),
		slog.Group("limits",
			slog.Int("reports_per_ip", c.Limits.ReportsPerIP),
			slog.Int("reports_per_form", c.Limits.ReportsPerForm),
			slog.Int("texts_per_number", c.Limits.TextsPerNumber),
			slog.Int("replies_per_conversation", c.Limits.RepliesPerConversation), slog.Int("ipv6_prefix", c.Limits.IPv6Prefix)),
	)
}

// databaseSummary names the store without credentials or parameters:
// "sqlite:whisper.db" or "postgres://db.example:5432/whisper".
func (c *Config) databaseSummary() string {
	if c.IsPostgres() {
		u, err := url.Parse(c.Database.URL)
		if err != nil {
			return "postgres (unparsable URL)"
		}
		return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
	}
	if path, ok := strings.CutPrefix(c.Database.URL, sqlitePrefix); ok {
		path, _, _ = strings.Cut(path, "?") // options may hold keys
		return sqlitePrefix + path
	}
	return "unknown"
}

// redactURL drops credentials, query and fragment from s.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}
