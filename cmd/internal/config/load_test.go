package config

import (
	"bytes"
	"encoding/base64"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/knadh/koanf/providers/structs"
	"github.com/knadh/koanf/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// env returns a Getenv over m.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// writeFile writes content to name in a fresh temporary directory.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// testKey is a valid data key: base64 of 32 bytes.
var testKey = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))

func TestDefaults(t *testing.T) {
	c, err := Load(Options{Getenv: env(nil)})
	require.NoError(t, err)

	want := Default()
	want.PublicURL = "http://127.0.0.1:8080"
	assert.Equal(t, &want, c)

	assert.Equal(t, "127.0.0.1:8080", c.Listen)
	assert.Equal(t, "sqlite:whisper.db", c.Database.URL)
	assert.Equal(t, "log", c.Mail.Driver)
	assert.Equal(t, 587, c.Mail.SMTP.Port)
	assert.Equal(t, "starttls", c.Mail.SMTP.TLS)
	assert.Equal(t, "log", c.SMS.Driver)
	assert.Equal(t, "https://api.plivo.com", c.SMS.Plivo.APIURL)
	assert.Equal(t, "GB", c.SMS.DefaultRegion)
	assert.Equal(t, Outbox{PollInterval: time.Second, RetryMin: 10 * time.Second, RetryMax: time.Hour, MaxAttempts: 20, Lease: 2 * time.Minute}, c.Outbox)
	assert.Equal(t, time.Hour, c.Retention.SweepInterval)
	assert.Equal(t, Limits{ReportsPerIP: 30, ReportsPerForm: 600, TextsPerNumber: 30, RepliesPerConversation: 20, IPv6Prefix: 64}, c.Limits)
	assert.Equal(t, 64, c.Security.PasswordHashingMemoryMiB)
	assert.Equal(t, 3, c.PasswordHashingSlots(), "64 MiB holds three 19 MiB hashes")

	assert.False(t, c.IsPostgres())
	assert.Equal(t, "whisper.db", c.SQLitePath())
	_, ok := c.DataKey()
	assert.False(t, ok)
	assert.Empty(t, c.TrustedProxies())
}

// TestKeys pins the key set to the table in README.md's "Configuration"
// section (a key added here is added there too) and checks that no two keys
// (or a key and another's _FILE twin) share an environment variable.
func TestKeys(t *testing.T) {
	k := koanf.New(".")
	require.NoError(t, k.Load(structs.Provider(Default(), "koanf"), nil))
	assert.Equal(t, []string{
		"database.url",
		"geoip.asn_db", "geoip.city_db",
		"http.trusted_proxies",
		"limits.ipv6_prefix", "limits.replies_per_conversation", "limits.reports_per_form", "limits.reports_per_ip", "limits.texts_per_number",
		"listen",
		"log.format", "log.level",
		"mail.driver", "mail.file.dir", "mail.from",
		"mail.smtp.auth", "mail.smtp.host",
		"mail.smtp.oauth2.client_id", "mail.smtp.oauth2.client_secret", "mail.smtp.oauth2.scopes", "mail.smtp.oauth2.token_url",
		"mail.smtp.password", "mail.smtp.port", "mail.smtp.tls", "mail.smtp.username",
		"metrics.listen",
		"operator.email", "operator.name", "operator.postal_address",
		"outbox.lease", "outbox.max_attempts", "outbox.poll_interval", "outbox.retry_max", "outbox.retry_min",
		"public_url",
		"reporter.exit_url",
		"retention.sweep_interval",
		"security.data_key", "security.old_data_keys", "security.password_hashing_memory_mib",
		"sms.default_region", "sms.driver", "sms.file.dir",
		"sms.plivo.accept_v2", "sms.plivo.api_url", "sms.plivo.auth_id", "sms.plivo.auth_token", "sms.plivo.number",
		"time_zone",
	}, k.Keys())

	seen := map[string]string{}
	for _, key := range k.Keys() {
		for _, name := range []string{envName(key), envName(key) + "_FILE"} {
			prev, dup := seen[name]
			assert.False(t, dup, "%s is the variable of both %s and %s", name, prev, key)
			seen[name] = key
		}
	}
	assert.Equal(t, "WHISPER_SMS_PLIVO_AUTH_TOKEN", envName("sms.plivo.auth_token"))
	assert.Equal(t, "WHISPER_PUBLIC_URL", envName("public_url"))
	assert.Equal(t, "WHISPER_DATABASE_URL", envName("database.url"))
}

func TestLayers(t *testing.T) {
	const file = `
listen: 0.0.0.0:9000
public_url: https://file.example/
database:
  url: sqlite:/var/lib/whisper/file.db
mail:
  driver: smtp
  from: Whisper <whisper@school.example>
  smtp:
    host: smtp.file.example
    port: 465
    tls: tls
outbox:
  retry_min: 30s
  max_attempts: 5
limits:
  reports_per_ip: 0
`
	path := writeFile(t, "whisper.yaml", file)

	tests := []struct {
		name      string
		env       map[string]string
		overrides map[string]any
		check     func(t *testing.T, c *Config)
	}{
		{
			name: "file overrides defaults",
			check: func(t *testing.T, c *Config) {
				assert.Equal(t, "0.0.0.0:9000", c.Listen)
				assert.Equal(t, "https://file.example", c.PublicURL)
				assert.Equal(t, "/var/lib/whisper/file.db", c.SQLitePath())
				assert.Equal(t, "smtp", c.Mail.Driver)
				assert.Equal(t, "Whisper <whisper@school.example>", c.Mail.From)
				assert.Equal(t, SMTP{Host: "smtp.file.example", Port: 465, TLS: "tls"}, c.Mail.SMTP)
				assert.Equal(t, 30*time.Second, c.Outbox.RetryMin)
				assert.Equal(t, 5, c.Outbox.MaxAttempts)
				assert.Equal(t, time.Hour, c.Outbox.RetryMax, "keys the file leaves out keep their defaults")
				assert.Equal(t, 0, c.Limits.ReportsPerIP)
				assert.Equal(t, 600, c.Limits.ReportsPerForm)
			},
		},
		{
			name: "env overrides file",
			env: map[string]string{
				"WHISPER_LISTEN":                "127.0.0.1:7000",
				"WHISPER_PUBLIC_URL":            "https://env.example/whisper",
				"WHISPER_MAIL_SMTP_PORT":        "2525",
				"WHISPER_MAIL_SMTP_PASSWORD":    "env-password",
				"WHISPER_OUTBOX_RETRY_MIN":      "1m",
				"WHISPER_LIMITS_REPORTS_PER_IP": "12",
				// Not keys: ignored.
				"WHISPER_CONFIG":            "/elsewhere.yaml",
				"WHISPER_TEST_DATABASE_URL": "postgres://u:p@localhost/test",
				"WHISPER_REQUIRE_POSTGRES":  "1",
				"WHISPER_NO_SUCH_KEY":       "x",
			},
			check: func(t *testing.T, c *Config) {
				assert.Equal(t, "127.0.0.1:7000", c.Listen)
				assert.Equal(t, "https://env.example/whisper", c.PublicURL)
				assert.Equal(t, 2525, c.Mail.SMTP.Port)
				assert.Equal(t, "env-password", c.Mail.SMTP.Password)
				assert.Equal(t, "smtp.file.example", c.Mail.SMTP.Host)
				assert.Equal(t, time.Minute, c.Outbox.RetryMin)
				assert.Equal(t, 12, c.Limits.ReportsPerIP)
				assert.False(t, c.IsPostgres())
			},
		},
		{
			name: "overrides beat env",
			env: map[string]string{
				"WHISPER_LISTEN":       "127.0.0.1:7000",
				"WHISPER_DATABASE_URL": "sqlite:env.db",
			},
			overrides: map[string]any{
				"listen":               ":8443",
				"database.url":         "sqlite:flag.db",
				"outbox.poll_interval": 5 * time.Second,
			},
			check: func(t *testing.T, c *Config) {
				assert.Equal(t, ":8443", c.Listen)
				assert.Equal(t, "flag.db", c.SQLitePath())
				assert.Equal(t, 5*time.Second, c.Outbox.PollInterval)
				assert.Equal(t, "https://file.example", c.PublicURL)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(Options{File: path, Getenv: env(tt.env), Overrides: tt.overrides})
			require.NoError(t, err)
			tt.check(t, c)
		})
	}
}

func TestEnvOnlyPostgres(t *testing.T) {
	c, err := Load(Options{Getenv: env(map[string]string{
		"WHISPER_DATABASE_URL":         "postgres://whisper:pw@db.example:5432/whisper?sslmode=require",
		"WHISPER_SECURITY_DATA_KEY":    testKey,
		"WHISPER_SMS_DRIVER":           "plivo",
		"WHISPER_SMS_PLIVO_AUTH_ID":    "MAXXXXXXXXXXXXXXXXXX",
		"WHISPER_SMS_PLIVO_AUTH_TOKEN": "plivo-token",
		"WHISPER_SMS_PLIVO_NUMBER":     "14155550100",
		"WHISPER_SMS_PLIVO_API_URL":    "http://127.0.0.1:4010/",
	})})
	require.NoError(t, err)
	assert.True(t, c.IsPostgres())
	assert.Equal(t, "", c.SQLitePath())
	key, ok := c.DataKey()
	require.True(t, ok)
	assert.Equal(t, bytes.Repeat([]byte{7}, 32), key)
	assert.Equal(t, "plivo-token", c.SMS.Plivo.AuthToken)
	assert.Equal(t, "http://127.0.0.1:4010", c.SMS.Plivo.APIURL, "trailing slash trimmed")
	assert.False(t, c.SMS.Plivo.AcceptV2, "V3 only unless asked")
}

// sms.plivo.accept_v2 is a yes or no, from the file or the environment;
// anything else is refused, not taken as no.
func TestAcceptV2(t *testing.T) {
	c, err := Load(Options{Getenv: env(map[string]string{"WHISPER_SMS_PLIVO_ACCEPT_V2": "true"})})
	require.NoError(t, err)
	assert.True(t, c.SMS.Plivo.AcceptV2)
	c, err = Load(Options{File: writeFile(t, "whisper.yaml", "sms:\n  plivo:\n    accept_v2: true\n"), Getenv: env(nil)})
	require.NoError(t, err)
	assert.True(t, c.SMS.Plivo.AcceptV2)
	_, err = Load(Options{Getenv: env(map[string]string{"WHISPER_SMS_PLIVO_ACCEPT_V2": "perhaps"})})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "accept_v2")
}

// sms.default_region is read in any case and kept in capitals.
func TestDefaultRegion(t *testing.T) {
	c, err := Load(Options{Getenv: env(map[string]string{"WHISPER_SMS_DEFAULT_REGION": " ie "})})
	require.NoError(t, err)
	assert.Equal(t, "IE", c.SMS.DefaultRegion)
	_, err = Load(Options{File: writeFile(t, "whisper.yaml", "sms:\n  default_region: XX\n"), Getenv: env(nil)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sms.default_region")
}

func TestFileSecrets(t *testing.T) {
	dir := t.TempDir()
	secret := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	c, err := Load(Options{
		File: writeFile(t, "whisper.yaml", "sms:\n  plivo:\n    auth_token: from-yaml\n"),
		Getenv: env(map[string]string{
			"WHISPER_DATABASE_URL_FILE":         secret("db", "postgres://u:pw@db/whisper\n"),
			"WHISPER_SECURITY_DATA_KEY_FILE":    secret("key", testKey+"\r\n"),
			"WHISPER_SMS_PLIVO_AUTH_TOKEN_FILE": secret("token", "from-file\n"),
			"WHISPER_MAIL_SMTP_PASSWORD_FILE":   secret("pw", " spaces kept "),
			"WHISPER_LISTEN_FILE":               secret("listen", ":9999\n"), // any key, not just secrets
		}),
	})
	require.NoError(t, err)
	assert.Equal(t, "postgres://u:pw@db/whisper", c.Database.URL)
	assert.Equal(t, testKey, c.Security.DataKey)
	assert.Equal(t, "from-file", c.SMS.Plivo.AuthToken, "_FILE beats the file")
	assert.Equal(t, " spaces kept ", c.Mail.SMTP.Password)
	assert.Equal(t, ":9999", c.Listen)
}

func TestOverridesBeatFileSecrets(t *testing.T) {
	c, err := Load(Options{
		Getenv:    env(map[string]string{"WHISPER_DATABASE_URL_FILE": writeFile(t, "db", "sqlite:secret.db\n")}),
		Overrides: map[string]any{"database.url": "sqlite:flag.db"},
	})
	require.NoError(t, err)
	assert.Equal(t, "flag.db", c.SQLitePath())
}

func TestNullSectionsKeepDefaults(t *testing.T) {
	c, err := Load(Options{
		File:   writeFile(t, "whisper.yaml", "# everything commented out\nmail:\nsms:\n  plivo:\npublic_url:\ngeoip: {}\n"),
		Getenv: env(nil),
	})
	require.NoError(t, err)
	assert.Equal(t, "log", c.Mail.Driver)
	assert.Equal(t, 587, c.Mail.SMTP.Port)
	assert.Equal(t, "https://api.plivo.com", c.SMS.Plivo.APIURL)
	assert.Equal(t, "http://127.0.0.1:8080", c.PublicURL)

	c, err = Load(Options{File: writeFile(t, "empty.yaml", ""), Getenv: env(nil)})
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:8080", c.Listen)
}

func TestTrustedProxies(t *testing.T) {
	want := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("192.0.2.7/32"),
		netip.MustParsePrefix("2001:db8::/32"),
		netip.MustParsePrefix("::1/128"),
	}
	tests := []struct {
		name      string
		file      string
		env       map[string]string
		overrides map[string]any
	}{
		{
			name: "env comma list",
			env:  map[string]string{"WHISPER_HTTP_TRUSTED_PROXIES": "10.1.2.3/8, 192.0.2.7,2001:db8::/32 ,::1"},
		},
		{
			name: "yaml list",
			file: "http:\n  trusted_proxies:\n    - 10.0.0.0/8\n    - 192.0.2.7\n    - 2001:db8::/32\n    - ::1\n",
		},
		{
			name: "yaml string",
			file: "http:\n  trusted_proxies: 10.0.0.0/8,192.0.2.7,2001:db8::/32,::1\n",
		},
		{
			name:      "flag",
			overrides: map[string]any{"http.trusted_proxies": []string{"10.0.0.0/8", "192.0.2.7", "2001:db8::/32", "::1"}},
		},
		{
			name: "env beats yaml list",
			file: "http:\n  trusted_proxies: [172.16.0.0/12]\n",
			env:  map[string]string{"WHISPER_HTTP_TRUSTED_PROXIES": "10.0.0.0/8,192.0.2.7,2001:db8::/32,::1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{Getenv: env(tt.env), Overrides: tt.overrides}
			if tt.file != "" {
				opts.File = writeFile(t, "whisper.yaml", tt.file)
			}
			c, err := Load(opts)
			require.NoError(t, err)
			assert.Equal(t, want, c.TrustedProxies())
		})
	}

	c, err := Load(Options{Getenv: env(map[string]string{"WHISPER_HTTP_TRUSTED_PROXIES": " , "})})
	require.NoError(t, err)
	assert.Empty(t, c.TrustedProxies())
}

func TestPublicURLDerivedFromListen(t *testing.T) {
	tests := []struct {
		listen, want string
	}{
		{"127.0.0.1:8080", "http://127.0.0.1:8080"},
		{":8080", "http://localhost:8080"},
		{"0.0.0.0:80", "http://localhost:80"},
		{"[::]:8080", "http://localhost:8080"},
		{"[::1]:9000", "http://[::1]:9000"},
		{"whisper.internal:8080", "http://whisper.internal:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.listen, func(t *testing.T) {
			c, err := Load(Options{Getenv: env(map[string]string{"WHISPER_LISTEN": tt.listen})})
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.PublicURL)
		})
	}
}

func TestLoadErrors(t *testing.T) {
	const secret = "hunter2-very-secret"
	tests := []struct {
		name      string
		file      string // YAML content; "" means no file
		fileName  string // Options.File as given, overriding file
		env       map[string]string
		overrides map[string]any
		want      []string
	}{
		{
			name:     "missing config file",
			fileName: "/nonexistent/whisper.yaml",
			want:     []string{"config: reading config file", "/nonexistent/whisper.yaml", "no such file"},
		},
		{
			name: "malformed yaml",
			file: "listen: [\n",
			want: []string{"config: parsing"},
		},
		{
			name: "unknown file key",
			file: "mail:\n  smtp:\n    hots: smtp.example\nlistn: :80\n",
			want: []string{"2 problems", `unknown key "listn"`, `unknown key "mail.smtp.hots"`},
		},
		{
			name: "value where a section belongs",
			file: "mail: smtp\n",
			want: []string{"mail in", "must be a section of keys"},
		},
		{
			name: "section where a value belongs",
			file: "listen:\n  host: x\n",
			want: []string{"listen in", "must be a value"},
		},
		{
			name: "list where a value belongs",
			file: "security:\n  data_key: [" + secret + "]\n",
			want: []string{"security.data_key in", "not a list"},
		},
		{
			name: "both variable and _FILE",
			env: map[string]string{
				"WHISPER_SMS_PLIVO_AUTH_TOKEN":      secret,
				"WHISPER_SMS_PLIVO_AUTH_TOKEN_FILE": "/run/secrets/token",
			},
			want: []string{"both WHISPER_SMS_PLIVO_AUTH_TOKEN and WHISPER_SMS_PLIVO_AUTH_TOKEN_FILE are set"},
		},
		{
			name: "missing _FILE",
			env:  map[string]string{"WHISPER_MAIL_SMTP_PASSWORD_FILE": "/nonexistent/password"},
			want: []string{"WHISPER_MAIL_SMTP_PASSWORD_FILE", "/nonexistent/password", "no such file"},
		},
		{
			name:      "unknown override",
			overrides: map[string]any{"databse.url": "sqlite:x.db"},
			want:      []string{`unknown override key "databse.url"`},
		},
		{
			name: "duration without unit",
			env:  map[string]string{"WHISPER_OUTBOX_RETRY_MIN": "10"},
			want: []string{"outbox.retry_min:", "not a duration"},
		},
		{
			name: "yaml number as duration",
			file: "retention:\n  sweep_interval: 3600\n",
			want: []string{"retention.sweep_interval:", "must be a duration"},
		},
		{
			name: "not a whole number",
			env:  map[string]string{"WHISPER_MAIL_SMTP_PORT": "smtp", "WHISPER_LIMITS_REPORTS_PER_IP": "1.5"},
			want: []string{"2 problems", `mail.smtp.port: "smtp" is not a whole number`, "limits.reports_per_ip:"},
		},
		{
			name: "hashing budget not a whole number",
			env:  map[string]string{"WHISPER_SECURITY_PASSWORD_HASHING_MEMORY_MIB": "64MiB"},
			want: []string{`security.password_hashing_memory_mib: "64MiB" is not a whole number`},
		},
		{
			name: "hashing budget below one hash",
			file: "security:\n  password_hashing_memory_mib: 8\n",
			want: []string{"security.password_hashing_memory_mib must be at least 19, the memory of one password hash, not 8"},
		},
		{
			name: "validation runs after loading",
			env: map[string]string{
				"WHISPER_DATABASE_URL": "mysql://root:" + secret + "@db/whisper",
				"WHISPER_SMS_DRIVER":   "plivo",
			},
			want: []string{"database.url must start with", "sms.plivo.auth_id is required"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{File: tt.fileName, Getenv: env(tt.env), Overrides: tt.overrides}
			if tt.file != "" {
				opts.File = writeFile(t, "whisper.yaml", tt.file)
			}
			c, err := Load(opts)
			require.Error(t, err)
			assert.Nil(t, c)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), secret)
		})
	}
}

// TestPasswordHashingBudget loads the budget from each layer and checks
// how many hashes it lets run at once.
func TestPasswordHashingBudget(t *testing.T) {
	path := writeFile(t, "whisper.yaml", "security:\n  password_hashing_memory_mib: 200\n")
	for _, tt := range []struct {
		name  string
		file  string
		env   map[string]string
		mib   int
		slots int
	}{
		{name: "default", mib: 64, slots: 3},
		{name: "file", file: path, mib: 200, slots: 10},
		{name: "env beats file", file: path, env: map[string]string{"WHISPER_SECURITY_PASSWORD_HASHING_MEMORY_MIB": "19"}, mib: 19, slots: 1},
		{name: "rounded down to whole hashes", env: map[string]string{"WHISPER_SECURITY_PASSWORD_HASHING_MEMORY_MIB": "37"}, mib: 37, slots: 1},
		{name: "exact multiple", env: map[string]string{"WHISPER_SECURITY_PASSWORD_HASHING_MEMORY_MIB": "38"}, mib: 38, slots: 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(Options{File: tt.file, Getenv: env(tt.env)})
			require.NoError(t, err)
			assert.Equal(t, tt.mib, c.Security.PasswordHashingMemoryMiB)
			assert.Equal(t, tt.slots, c.PasswordHashingSlots())
		})
	}
}

func TestYAMLScalarsAsStrings(t *testing.T) {
	c, err := Load(Options{
		File:   writeFile(t, "whisper.yaml", "mail:\n  smtp:\n    password: true\n    port: \"2525\"\n"),
		Getenv: env(nil),
	})
	require.NoError(t, err)
	assert.Equal(t, "true", c.Mail.SMTP.Password)
	assert.Equal(t, 2525, c.Mail.SMTP.Port)
}

func TestMetricsListen(t *testing.T) {
	c, err := Load(Options{Getenv: env(nil)})
	require.NoError(t, err)
	assert.Empty(t, c.Metrics.Listen, "metrics are off unless an operator asks")

	c, err = Load(Options{Getenv: env(map[string]string{"WHISPER_METRICS_LISTEN": "127.0.0.1:9464"})})
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:9464", c.Metrics.Listen)
}

func TestOperator(t *testing.T) {
	c, err := Load(Options{Getenv: env(nil)})
	require.NoError(t, err)
	assert.False(t, c.Operator.IsSet(), "no operator unless one is configured")

	c, err = Load(Options{
		File:   writeFile(t, "whisper.yaml", "operator:\n  name: Whisper Services Ltd\n  postal_address: |\n    1 High Street\n    Exeter EX1 1AA\n"),
		Getenv: env(map[string]string{"WHISPER_OPERATOR_EMAIL": " privacy@whisper.example "}),
	})
	require.NoError(t, err)
	assert.Equal(t, Operator{Name: "Whisper Services Ltd", Email: "privacy@whisper.example", PostalAddress: "1 High Street\nExeter EX1 1AA"}, c.Operator)
	assert.True(t, c.Operator.IsSet())
}

// log.format and log.level come from the environment like any key, in
// any case, and read as the slog level they name.
func TestLogSettings(t *testing.T) {
	c, err := Load(Options{Getenv: env(nil)})
	require.NoError(t, err)
	assert.Equal(t, Log{Format: "text", Level: "info"}, c.Log)
	assert.False(t, c.Log.JSON())
	assert.Equal(t, slog.LevelInfo, c.Log.SlogLevel())

	c, err = Load(Options{Getenv: env(map[string]string{"WHISPER_LOG_FORMAT": "JSON", "WHISPER_LOG_LEVEL": " Warn "})})
	require.NoError(t, err)
	assert.True(t, c.Log.JSON())
	assert.Equal(t, slog.LevelWarn, c.Log.SlogLevel())

	_, err = Load(Options{Getenv: env(map[string]string{"WHISPER_LOG_LEVEL": "verbose"})})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `log.level must be debug, info, warn or error, not "verbose"`)
}

func TestOldDataKeysFromAFile(t *testing.T) {
	a, b := testKey, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	path := filepath.Join(t.TempDir(), "old_keys")
	require.NoError(t, os.WriteFile(path, []byte(a+"\n"+b+",\n"), 0o600))
	c, err := Load(Options{Getenv: func(k string) string {
		return map[string]string{"WHISPER_SECURITY_DATA_KEY": b, "WHISPER_SECURITY_OLD_DATA_KEYS_FILE": path}[k]
	}})
	require.NoError(t, err)
	assert.Equal(t, []string{a, b}, c.Security.OldDataKeys)
	assert.Len(t, c.OldDataKeys(), 2)

	_, err = Load(Options{Getenv: func(k string) string {
		return map[string]string{"WHISPER_SECURITY_DATA_KEY": b, "WHISPER_SECURITY_OLD_DATA_KEYS": "not-a-key"}[k]
	}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "security.old_data_keys entry 1")
	assert.NotContains(t, err.Error(), "not-a-key")
}
