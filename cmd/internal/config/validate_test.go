package config

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// validConfig returns a Config that passes Validate with every driver on,
// so that each case below breaks exactly one thing.
func validConfig() Config {
	c := Default()
	c.PublicURL = "https://whisper.example"
	c.Database.URL = "postgres://whisper:db-password@db.example:5432/whisper?sslmode=require"
	c.Security.DataKey = testKey
	c.Mail = Mail{
		Driver: "smtp",
		From:   "Whisper <whisper@school.example>",
		SMTP:   SMTP{Host: "smtp.example", Port: 587, Username: "whisper", Password: "smtp-password", TLS: "starttls"},
	}
	c.SMS = SMS{Driver: "plivo", Plivo: Plivo{
		AuthID: "MAXXXXXXXXXXXXXXXXXX", AuthToken: "plivo-token", Number: "14155550100", APIURL: "https://api.plivo.com",
	}}
	c.HTTP.TrustedProxies = []string{"10.0.0.0/8", "192.0.2.1"}
	return c
}

func TestValidate(t *testing.T) {
	require.NoError(t, normalizedDefault().Validate())
	valid := validConfig()
	require.NoError(t, valid.Validate())

	tests := []struct {
		name   string
		modify func(c *Config)
		want   string // a substring of the only problem; "" means valid
		secret string // must not appear in the error
	}{
		{"listen without port", func(c *Config) { c.Listen = "localhost" }, `listen "localhost" must be host:port`, ""},
		{"listen port not numeric", func(c *Config) { c.Listen = ":http" }, `listen ":http"`, ""},
		{"listen port too big", func(c *Config) { c.Listen = ":70000" }, `listen ":70000"`, ""},
		{"listen port 0", func(c *Config) { c.Listen = "127.0.0.1:0" }, "", ""},
		{"listen all interfaces", func(c *Config) { c.Listen = ":8080" }, "", ""},
		{"metrics off", func(c *Config) { c.Metrics.Listen = "" }, "", ""},
		{"metrics on loopback", func(c *Config) { c.Metrics.Listen = "127.0.0.1:9464" }, "", ""},
		{"metrics without port", func(c *Config) { c.Metrics.Listen = "9464" }, `metrics.listen "9464" must be host:port`, ""},

		{"database postgresql scheme", func(c *Config) { c.Database.URL = "postgresql://u:p@h/db" }, "", ""},
		{"database sqlite relative", func(c *Config) { c.Database.URL = "sqlite:data/whisper.db"; c.Security.DataKey = "" }, "", ""},
		{"database sqlite absolute", func(c *Config) { c.Database.URL = "sqlite:/var/lib/whisper.db" }, "", ""},
		{"database other scheme", func(c *Config) { c.Database.URL = "mysql://root:db-secret@h/db" }, "database.url must start with postgres://, postgresql:// or sqlite:", "db-secret"},
		{"database bare path", func(c *Config) { c.Database.URL = "whisper.db" }, "database.url must start with", ""},
		{"database sqlite without path", func(c *Config) { c.Database.URL = "sqlite:" }, "database.url sqlite: needs a file path", ""},
		{"database empty", func(c *Config) { c.Database.URL = "" }, "database.url is required", ""},
		{"postgres needs data key", func(c *Config) { c.Security.DataKey = "" }, "security.data_key is required with PostgreSQL", "db-password"},

		{"public_url with path", func(c *Config) { c.PublicURL = "https://school.example/whisper" }, "", ""},
		{"public_url http", func(c *Config) { c.PublicURL = "http://localhost:8080" }, "", ""},
		{"public_url relative", func(c *Config) { c.PublicURL = "/whisper" }, "public_url must be an absolute http:// or https:// URL", ""},
		{"public_url other scheme", func(c *Config) { c.PublicURL = "ftp://school.example" }, "public_url must be an absolute http", ""},
		{"public_url no host", func(c *Config) { c.PublicURL = "https:///path" }, "public_url must name a host", ""},
		{"public_url opaque", func(c *Config) { c.PublicURL = "https:school.example" }, "public_url is not a valid URL", ""},
		{"public_url query", func(c *Config) { c.PublicURL = "https://school.example/?a=1" }, "public_url must not have a query or fragment", ""},
		{"public_url fragment", func(c *Config) { c.PublicURL = "https://school.example/#x" }, "public_url must not have a query or fragment", ""},
		{"public_url credentials", func(c *Config) { c.PublicURL = "https://user:url-secret@school.example" }, "public_url must not contain a user name or password", "url-secret"},
		{"public_url unparsable", func(c *Config) { c.PublicURL = "https://x/%zz-url-secret" }, "public_url is not a valid URL", "url-secret"},
		{"public_url empty", func(c *Config) { c.PublicURL = "" }, "public_url is required", ""},

		{"mail log needs nothing", func(c *Config) { c.Mail = Mail{Driver: "log"} }, "", ""},
		{"mail driver unknown", func(c *Config) { c.Mail.Driver = "sendmail" }, `mail.driver must be log, smtp or file, not "sendmail"`, ""},
		{"smtp needs from", func(c *Config) { c.Mail.From = "" }, "mail.from is required when mail.driver is smtp", ""},
		{"smtp from invalid", func(c *Config) { c.Mail.From = "not an address" }, `mail.from "not an address" is not a valid email address`, ""},
		{"smtp from bare address", func(c *Config) { c.Mail.From = "whisper@school.example" }, "", ""},
		{"smtp needs host", func(c *Config) { c.Mail.SMTP.Host = "" }, "mail.smtp.host is required", "smtp-password"},
		{"smtp port 0", func(c *Config) { c.Mail.SMTP.Port = 0 }, "mail.smtp.port must be between 1 and 65535, not 0", ""},
		{"smtp port too big", func(c *Config) { c.Mail.SMTP.Port = 65536 }, "mail.smtp.port must be between 1 and 65535", ""},
		{"smtp tls none", func(c *Config) { c.Mail.SMTP.TLS = "none" }, "", ""},
		{"smtp tls implicit", func(c *Config) { c.Mail.SMTP.TLS = "tls" }, "", ""},
		{"smtp tls unknown", func(c *Config) { c.Mail.SMTP.TLS = "ssl" }, `mail.smtp.tls must be none, starttls or tls, not "ssl"`, ""},

		{"sms log needs nothing", func(c *Config) { c.SMS = SMS{Driver: "log"} }, "", ""},
		{"sms driver unknown", func(c *Config) { c.SMS.Driver = "twilio" }, `sms.driver must be log, plivo or file, not "twilio"`, ""},
		{"plivo needs auth_id", func(c *Config) { c.SMS.Plivo.AuthID = "" }, "sms.plivo.auth_id is required when sms.driver is plivo", "plivo-token"},
		{"plivo needs auth_token", func(c *Config) { c.SMS.Plivo.AuthToken = "" }, "sms.plivo.auth_token is required when sms.driver is plivo", ""},
		{"plivo needs number", func(c *Config) { c.SMS.Plivo.Number = "" }, "sms.plivo.number is required when sms.driver is plivo", ""},
		{"plivo needs api_url", func(c *Config) { c.SMS.Plivo.APIURL = "" }, "sms.plivo.api_url is required", ""},
		{"plivo api_url relative", func(c *Config) { c.SMS.Plivo.APIURL = "api.plivo.com" }, "sms.plivo.api_url must be an absolute http:// or https:// URL", ""},
		{"sms default_region Ireland", func(c *Config) { c.SMS.DefaultRegion = "IE" }, "", ""},
		{"sms default_region unknown", func(c *Config) { c.SMS.DefaultRegion = "UK" }, `sms.default_region must be a country's two-letter code, such as GB or IE, not "UK"`, ""},
		{"sms default_region a name", func(c *Config) { c.SMS.DefaultRegion = "Wales" }, `sms.default_region must be a country's two-letter code`, ""},
		{"plivo api_url test server", func(c *Config) { c.SMS.Plivo.APIURL = "http://127.0.0.1:41234" }, "", ""},

		{"data key raw std", func(c *Config) { c.Security.DataKey = strings.TrimRight(testKey, "=") }, "", ""},
		{"data key url", func(c *Config) {
			c.Security.DataKey = base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 32))
		}, "", ""},
		{"data key raw url", func(c *Config) {
			c.Security.DataKey = base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0xff}, 32))
		}, "", ""},
		{"data key not base64", func(c *Config) { c.Security.DataKey = "key-secret!!" }, "security.data_key is not valid base64", "key-secret"},
		{"data key too short", func(c *Config) {
			c.Security.DataKey = base64.StdEncoding.EncodeToString([]byte("short-key-secret"))
		}, "security.data_key decodes to 16 bytes; it must be base64 of exactly 32 bytes",
			base64.StdEncoding.EncodeToString([]byte("short-key-secret"))},

		{"hashing budget one hash", func(c *Config) { c.Security.PasswordHashingMemoryMiB = 19 }, "", ""},
		{"hashing budget below one hash", func(c *Config) { c.Security.PasswordHashingMemoryMiB = 18 },
			"security.password_hashing_memory_mib must be at least 19, the memory of one password hash, not 18", ""},
		{"hashing budget 0", func(c *Config) { c.Security.PasswordHashingMemoryMiB = 0 }, "security.password_hashing_memory_mib must be at least 19", ""},
		{"hashing budget negative", func(c *Config) { c.Security.PasswordHashingMemoryMiB = -64 }, "not -64", ""},

		{"proxy bare ipv6", func(c *Config) { c.HTTP.TrustedProxies = []string{"2001:db8::1"} }, "", ""},
		{"proxy invalid", func(c *Config) { c.HTTP.TrustedProxies = []string{"10.0.0.0/8", "10.0.0.0/33"} }, `http.trusted_proxies: "10.0.0.0/33" is not a CIDR or IP address`, ""},
		{"proxy hostname", func(c *Config) { c.HTTP.TrustedProxies = []string{"proxy.internal"} }, `"proxy.internal" is not a CIDR`, ""},

		{"poll interval 0", func(c *Config) { c.Outbox.PollInterval = 0 }, "outbox.poll_interval must be a duration greater than 0", ""},
		{"retry_min above retry_max", func(c *Config) { c.Outbox.RetryMin = 2 * time.Hour }, "outbox.retry_min (2h0m0s) must not exceed outbox.retry_max (1h0m0s)", ""},
		{"retry_min equals retry_max", func(c *Config) { c.Outbox.RetryMin = time.Hour }, "", ""},
		{"max_attempts 0", func(c *Config) { c.Outbox.MaxAttempts = 0 }, "outbox.max_attempts must be at least 1, not 0", ""},
		{"sweep interval 0", func(c *Config) { c.Retention.SweepInterval = 0 }, "retention.sweep_interval must be a duration greater than 0", ""},
		{"limits off", func(c *Config) { c.Limits = Limits{IPv6Prefix: 64} }, "", ""},
		{"ipv6 prefix too short", func(c *Config) { c.Limits.IPv6Prefix = 16 }, "limits.ipv6_prefix must be from 32 to 128 (bits of an IPv6 address counted as one client), not 16", ""},
		{"ipv6 prefix too long", func(c *Config) { c.Limits.IPv6Prefix = 129 }, "limits.ipv6_prefix must be from 32 to 128 (bits of an IPv6 address counted as one client), not 129", ""},
		{"ipv6 prefix per address", func(c *Config) { c.Limits.IPv6Prefix = 128 }, "", ""},
		{"limit negative", func(c *Config) { c.Limits.TextsPerNumber = -1 }, "limits.texts_per_number must be 0 (no limit) or more, not -1", ""},

		{"operator complete", func(c *Config) {
			c.Operator = Operator{Name: "Whisper Services Ltd", Email: "privacy@whisper.example", PostalAddress: "1 High Street, Exeter, EX1 1AA"}
		}, "", ""},
		{"operator without address", func(c *Config) { c.Operator = Operator{Name: "Whisper Services Ltd", Email: "privacy@whisper.example"} }, "", ""},
		{"operator without email", func(c *Config) { c.Operator = Operator{Name: "Whisper Services Ltd"} }, "operator.email is required when operator.name or operator.postal_address is set", ""},
		{"operator without name", func(c *Config) { c.Operator = Operator{Email: "privacy@whisper.example"} }, "operator.name is required when operator.email or operator.postal_address is set", ""},
		{"operator email invalid", func(c *Config) { c.Operator = Operator{Name: "W", Email: "privacy at whisper"} }, `operator.email "privacy at whisper" is not a plain email address`, ""},
		{"operator email with a name", func(c *Config) { c.Operator = Operator{Name: "W", Email: "W <privacy@whisper.example>"} }, "is not a plain email address", ""},
		{"operator email in brackets", func(c *Config) { c.Operator = Operator{Name: "W", Email: "<privacy@whisper.example>"} }, "is not a plain email address", ""},
		{"operator address too long", func(c *Config) {
			c.Operator = Operator{Name: "W", Email: "privacy@whisper.example", PostalAddress: strings.Repeat("a", 501)}
		}, "operator.postal_address is at most 500 characters", ""},

		{"exit_url elsewhere", func(c *Config) { c.Reporter.ExitURL = "https://www.google.com/search?q=weather" }, "", ""},
		{"exit_url empty", func(c *Config) { c.Reporter.ExitURL = "" }, "reporter.exit_url must be an absolute http:// or https:// URL", ""},
		{"exit_url relative", func(c *Config) { c.Reporter.ExitURL = "/weather" }, "reporter.exit_url must be an absolute http:// or https:// URL", ""},
		{"exit_url script", func(c *Config) { c.Reporter.ExitURL = "javascript:alert(1)" }, "reporter.exit_url is not a valid URL", ""},
		{"exit_url no host", func(c *Config) { c.Reporter.ExitURL = "https:///weather" }, "reporter.exit_url must name a host", ""},

		{"log json", func(c *Config) { c.Log.Format = "json" }, "", ""},
		{"log format unknown", func(c *Config) { c.Log.Format = "logfmt" }, `log.format must be text or json, not "logfmt"`, ""},
		{"log level debug", func(c *Config) { c.Log.Level = "debug" }, "", ""},
		{"log level error", func(c *Config) { c.Log.Level = "error" }, "", ""},
		{"log level unknown", func(c *Config) { c.Log.Level = "warning" }, `log.level must be debug, info, warn or error, not "warning"`, ""},
		{"log level empty", func(c *Config) { c.Log.Level = "" }, `log.level must be debug, info, warn or error, not ""`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.modify(&c)
			err := c.Validate()
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			var cerr *Error
			require.ErrorAs(t, err, &cerr)
			require.Len(t, cerr.Problems, 1, err.Error())
			assert.Contains(t, err.Error(), tt.want)
			assert.True(t, strings.HasPrefix(err.Error(), "config: "), err.Error())
			for _, s := range []string{"db-password", "smtp-password", "plivo-token", testKey, tt.secret} {
				if s != "" {
					assert.NotContains(t, err.Error(), s)
				}
			}
		})
	}
}

// normalizedDefault returns the defaults as Load leaves them.
func normalizedDefault() *Config {
	c := Default()
	c.normalize()
	return &c
}

func TestValidateErrorFormat(t *testing.T) {
	c := validConfig()
	c.Outbox.RetryMin, c.Outbox.RetryMax = -2*time.Second, -time.Second
	assert.EqualError(t, c.Validate(), "config: 2 problems:\n"+
		"- outbox.retry_min must be a duration greater than 0, such as \"1s\"\n"+
		"- outbox.retry_max must be a duration greater than 0, such as \"1s\"")
}

func TestValidateCollectsEveryProblem(t *testing.T) {
	c := Config{}
	err := c.Validate()
	var cerr *Error
	require.ErrorAs(t, err, &cerr)
	assert.Len(t, cerr.Problems, 16, err.Error())
	assert.True(t, strings.HasPrefix(err.Error(), "config: 16 problems:\n- listen"), err.Error())
	assert.Equal(t, len(cerr.Problems), strings.Count(err.Error(), "\n- "))
	assert.NotContains(t, err.Error(), "public_url", "an invalid listen already explains the missing public_url")
}

func TestDataKeyHelper(t *testing.T) {
	c := validConfig()
	key, ok := c.DataKey()
	require.True(t, ok)
	assert.Len(t, key, 32)

	c.Security.DataKey = "  " + testKey + "\n"
	_, ok = c.DataKey()
	assert.True(t, ok, "surrounding space is ignored")

	c.Security.DataKey = base64.StdEncoding.EncodeToString(make([]byte, 31))
	_, ok = c.DataKey()
	assert.False(t, ok)
}

func TestLogValueHasNoSecrets(t *testing.T) {
	c := validConfig()
	c.PublicURL = "https://user:url-secret@whisper.example/base"
	c.GeoIP.CityDB = "/var/lib/GeoLite2-City.mmdb"

	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("starting", "config", &c)
	log.Info("starting", "config", c)
	out := buf.String()

	for _, secret := range []string{
		"db-password", "sslmode", "smtp-password", "plivo-token", testKey, "url-secret",
		c.SMS.Plivo.Number, c.SMS.Plivo.AuthID,
	} {
		assert.NotContains(t, out, secret)
	}

	line, _, _ := strings.Cut(out, "\n")
	var got struct {
		Config map[string]any `json:"config"`
	}
	require.NoError(t, json.Unmarshal([]byte(line), &got))
	assert.Equal(t, "127.0.0.1:8080", got.Config["listen"])
	assert.Equal(t, "https://whisper.example/base", got.Config["public_url"])
	assert.Equal(t, "postgres://db.example:5432/whisper", got.Config["database"])
	assert.Equal(t, true, got.Config["data_key_set"])
	assert.Equal(t, map[string]any{"driver": "smtp", "host": "smtp.example", "port": 587.0, "tls": "starttls"}, got.Config["mail"])
	assert.Equal(t, map[string]any{"driver": "plivo", "api_url": "https://api.plivo.com", "accept_v2": false}, got.Config["sms"])
	assert.Equal(t, 2.0, got.Config["trusted_proxies"])
	assert.Equal(t, map[string]any{"memory_mib": 64.0, "at_once": 3.0}, got.Config["password_hashing"])

	c.Database.URL = "sqlite:/var/lib/whisper.db?_pragma=key(sqlite-secret)"
	assert.Equal(t, "sqlite:/var/lib/whisper.db", c.databaseSummary())
}

// time_zone is an IANA name, Europe/London unless set; anything else is
// refused at start rather than showing the wrong hour later.
func TestTimeZone(t *testing.T) {
	c := validConfig()
	z, err := c.Zone()
	require.NoError(t, err)
	assert.Equal(t, "Europe/London", z.String(), "the default")

	c.TimeZone = "Pacific/Auckland"
	require.NoError(t, c.Validate())
	z, err = c.Zone()
	require.NoError(t, err)
	assert.Equal(t, "2026-10-09T02:03:00+13:00", z.ISO(time.Date(2026, 10, 8, 13, 3, 0, 0, time.UTC)))

	for _, bad := range []string{"Europe/Londres", "GMT+1", "", "Local", "../../etc/passwd"} {
		c.TimeZone = bad
		err := c.Validate()
		require.Error(t, err, "%q", bad)
		assert.Contains(t, err.Error(), "time_zone", "%q", bad)
	}
}
