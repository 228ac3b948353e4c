package config

import (
	"log/slog"
	"net/url"
	"strings"
)

// Log says how whisperd and whisperctl write their diagnostics.
type Log struct {
	// Format is "text" (logfmt-style key=value lines, for people) or
	// "json" (one JSON object a line, for a log collector).
	Format string `koanf:"format"`
	// Level is the least severe record written: "debug", "info", "warn"
	// or "error". Use Log.SlogLevel for it as a slog.Level.
	Level string `koanf:"level"`
}

// logLevels maps each accepted log.level to its slog.Level.
var logLevels = map[string]slog.Level{
	"debug": slog.LevelDebug,
	"info":  slog.LevelInfo,
	"warn":  slog.LevelWarn,
	"error": slog.LevelError,
}

// SlogLevel returns Level as a slog.Level; Validate refuses a level it
// does not know, so an unknown one (only in a Config that was never
// validated) reads as info.
func (l Log) SlogLevel() slog.Level {
	return logLevels[l.Level] // the zero value is slog.LevelInfo
}

// JSON reports whether Format asks for JSON lines.
func (l Log) JSON() bool { return l.Format == "json" }

func (c *Config) validateLog(v *validator) {
	switch c.Log.Format {
	case "text", "json":
	default:
		v.addf("log.format must be text or json, not %q", c.Log.Format)
	}
	if _, ok := logLevels[c.Log.Level]; !ok {
		v.addf("log.level must be debug, info, warn or error, not %q", c.Log.Level)
	}
}

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
	if c.Mail.Driver == FileDriver {
		mail = append(mail, slog.String("dir", c.Mail.File.Dir))
	}
	sms := []slog.Attr{slog.String("driver", c.SMS.Driver)}
	if c.SMS.Driver == "plivo" {
		sms = append(sms, slog.String("api_url", redactURL(c.SMS.Plivo.APIURL)), slog.Bool("accept_v2", c.SMS.Plivo.AcceptV2))
	}
	if c.SMS.Driver == FileDriver {
		sms = append(sms, slog.String("dir", c.SMS.File.Dir))
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
		slog.Group("log", slog.String("format", c.Log.Format), slog.String("level", c.Log.Level)),
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
