// Package config loads whisperd's and whisperctl's configuration.
//
// Layers, each overriding the one before (README.md, "Configuration", lists
// every key with its variable and default):
//
//  1. the defaults (Default);
//  2. an optional YAML file (Options.File); unknown keys are an error;
//  3. WHISPER_* environment variables: "WHISPER_" + the key in capitals with
//     dots as underscores, e.g. sms.plivo.auth_token is WHISPER_SMS_PLIVO_AUTH_TOKEN;
//  4. WHISPER_*_FILE variables, which name a file holding the value (for
//     secrets); setting a variable and its _FILE twin is an error;
//  5. command-line flags the user actually set (Options.Overrides).
//
// Load then validates the result and reports every problem at once. Only
// cmd/ imports this package (and koanf); adapters take plain values.
package config

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/whisper-schools/whisper/domain"
)

// Config is the whole configuration. Field tags are the config keys.
//
// Secret fields (Database.URL, Mail.SMTP.Password,
// Mail.SMTP.OAuth2.ClientSecret, SMS.Plivo.AuthToken, Security.DataKey,
// Security.OldDataKeys) never appear in errors or in LogValue.
type Config struct {
	// Listen is the host:port to serve on.
	Listen string `koanf:"listen"`
	// PublicURL is the external base URL, without a trailing slash. Load
	// derives it from Listen when it is not set.
	PublicURL string    `koanf:"public_url"`
	Database  Database  `koanf:"database"`
	Mail      Mail      `koanf:"mail"`
	SMS       SMS       `koanf:"sms"`
	Security  Security  `koanf:"security"`
	HTTP      HTTP      `koanf:"http"`
	GeoIP     GeoIP     `koanf:"geoip"`
	Outbox    Outbox    `koanf:"outbox"`
	Retention Retention `koanf:"retention"`
	Limits    Limits    `koanf:"limits"`
	Metrics   Metrics   `koanf:"metrics"`
	Operator  Operator  `koanf:"operator"`
	Reporter  Reporter  `koanf:"reporter"`
	Log       Log       `koanf:"log"`
	// TimeZone is the IANA name of the time zone every page, email and
	// export shows times in (marked GMT or BST in the default). Use
	// Config.Zone for it loaded.
	TimeZone string `koanf:"time_zone"`
}

// Database chooses the store.
type Database struct {
	// URL is "postgres://…" / "postgresql://…" for PostgreSQL or
	// "sqlite:PATH" for the embedded store. Secret: it may hold a password.
	URL string `koanf:"url"`
}

// Mail configures outgoing mail.
type Mail struct {
	// Driver is "log" (write a redacted line per mail), "smtp", or "file"
	// (write each mail, whole, to File.Dir: for trying Whisper locally).
	Driver string `koanf:"driver"`
	// From is the sender address, required with smtp.
	From string   `koanf:"from"`
	SMTP SMTP     `koanf:"smtp"`
	File MailFile `koanf:"file"`
}

// MailFile is where mail goes when Mail.Driver is "file".
type MailFile struct {
	// Dir is the folder each mail is written to as an .eml file. On the
	// embedded store Load defaults it to mail/ beside the database; with
	// PostgreSQL it must be set.
	Dir string `koanf:"dir"`
}

// SMTP is the mail server used when Mail.Driver is "smtp".
type SMTP struct {
	Host     string `koanf:"host"`
	Port     int    `koanf:"port"`
	Username string `koanf:"username"`
	Password string `koanf:"password"` // secret
	// TLS is "none", "starttls" or "tls" (implicit TLS).
	TLS string `koanf:"tls"`
	// Auth is how to sign in: "auto" (the best mechanism the server
	// offers; empty means auto), "plain", "login", "xoauth2" or "none".
	Auth   string     `koanf:"auth"`
	OAuth2 SMTPOAuth2 `koanf:"oauth2"`
}

// SMTPOAuth2 is where XOAUTH2 gets its tokens (the OAuth 2.0 client
// credentials flow), used when SMTP.Auth is "xoauth2".
type SMTPOAuth2 struct {
	TokenURL     string   `koanf:"token_url"`
	ClientID     string   `koanf:"client_id"`
	ClientSecret string   `koanf:"client_secret"` // secret
	Scopes       []string `koanf:"scopes"`
}

// SMS configures text messaging.
type SMS struct {
	// Driver is "log", "plivo", or "file" (write each text to File.Dir:
	// for trying Whisper locally).
	Driver string  `koanf:"driver"`
	Plivo  Plivo   `koanf:"plivo"`
	File   SMSFile `koanf:"file"`
	// DefaultRegion is the country whose national numbers (07700 900123)
	// Whisper reads without a country code, e.g. in whisperctl dsar
	// --phone: its two-letter code.
	DefaultRegion string `koanf:"default_region"`
}

// SMSFile is where texts go when SMS.Driver is "file".
type SMSFile struct {
	// Dir is the folder each text is written to as a small text file. On
	// the embedded store Load defaults it to sms/ beside the database;
	// with PostgreSQL it must be set.
	Dir string `koanf:"dir"`
}

// Plivo is the account used when SMS.Driver is "plivo".
type Plivo struct {
	AuthID    string `koanf:"auth_id"`
	AuthToken string `koanf:"auth_token"` // secret
	// Number is the service's own number that reporters text.
	Number string `koanf:"number"`
	// APIURL is the API base URL without a trailing slash; tests point it
	// at a fake server.
	APIURL string `koanf:"api_url"`
	// AcceptV2 lets in webhooks signed only with Plivo's older V2 scheme,
	// which signs the URL and nonce but not the message. Off by default:
	// only for accounts that cannot send V3.
	AcceptV2 bool `koanf:"accept_v2"`
}

// Security holds key material and the cost of password hashing.
type Security struct {
	// DataKey is base64 of the 32-byte key for personal data at rest.
	// Secret. Use Config.DataKey to decode it.
	DataKey string `koanf:"data_key"`
	// OldDataKeys are base64 keys retired by a rotation that has not
	// finished: data sealed under them still opens, and lookups still find
	// rows indexed under them. From the environment (or its _FILE) one
	// string, the keys separated by commas or white space. Secret. Use
	// Config.OldDataKeys to decode them.
	OldDataKeys []string `koanf:"old_data_keys"`
	// PasswordHashingMemoryMiB is the most memory, in MiB, that password
	// hashes (sign-ins, new passwords) may hold at once. Each hash holds
	// passhash's per-hash memory (19 MiB) while it runs, so the budget
	// fixes how many run at once; sign-ins beyond that wait their turn.
	// Use Config.PasswordHashingSlots for the count.
	PasswordHashingMemoryMiB int `koanf:"password_hashing_memory_mib"`
}

// HTTP configures the HTTP server.
type HTTP struct {
	// TrustedProxies are CIDRs (or bare IPs) whose X-Forwarded-For is
	// believed. From the environment it is one comma-separated string. Use
	// Config.TrustedProxies for the parsed prefixes.
	TrustedProxies []string `koanf:"trusted_proxies"`
}

// GeoIP names MaxMind-format databases; empty means unknown.
type GeoIP struct {
	CityDB string `koanf:"city_db"`
	ASNDB  string `koanf:"asn_db"`
}

// Outbox configures delivery of queued mail and SMS.
type Outbox struct {
	PollInterval time.Duration `koanf:"poll_interval"`
	RetryMin     time.Duration `koanf:"retry_min"`
	RetryMax     time.Duration `koanf:"retry_max"`
	MaxAttempts  int           `koanf:"max_attempts"`
	// Lease is how long a claimed delivery stays hidden from other
	// workers; a crashed worker's deliveries are retried after it. The
	// relay claims one delivery at a time and gives its send half the
	// lease, so the lease outlasts one send, timeouts included.
	Lease time.Duration `koanf:"lease"`
}

// Retention configures the scheduled retention purge.
type Retention struct {
	SweepInterval time.Duration `koanf:"sweep_interval"`
}

// Limits are new reports (and texts) accepted per hour; 0 turns one off.
// IPv6Prefix is how many leading bits of an IPv6 address are counted as
// one client, by these limits and the sign-in throttle.
type Limits struct {
	ReportsPerIP   int `koanf:"reports_per_ip"`
	ReportsPerForm int `koanf:"reports_per_form"`
	TextsPerNumber int `koanf:"texts_per_number"`
	// RepliesPerConversation caps a reporter's replies to one interaction
	// an hour, web and text alike.
	RepliesPerConversation int `koanf:"replies_per_conversation"`
	IPv6Prefix             int `koanf:"ipv6_prefix"`
}

// Metrics configures the operators' Prometheus endpoint.
type Metrics struct {
	// Listen is the host:port that serves /metrics on a listener of its
	// own, e.g. 127.0.0.1:9464; empty serves no metrics. The public
	// listener never serves them: counters that move after one staff reply
	// tell an onlooker how that report came in.
	Listen string `koanf:"listen"`
}

// Operator is who runs this Whisper service, as the user notice names
// them: the controller of reporters' contact and meta data, and the one
// reporters write to about their rights. Empty means not configured:
// whisperd then warns at start, and the notice tells reporters to ask
// their school instead.
type Operator struct {
	// Name is the organisation that runs the service.
	Name string `koanf:"name"`
	// Email is where reporters write about their data.
	Email string `koanf:"email"`
	// PostalAddress is where they may write by post; one line, its parts
	// separated by commas, or several lines.
	PostalAddress string `koanf:"postal_address"`
}

// Reporter configures what reporters' pages offer.
type Reporter struct {
	// ExitURL is where every reporter page's "Exit this page" link goes:
	// a neutral site that someone looking over a child's shoulder would
	// not wonder about. An absolute http(s) URL.
	ExitURL string `koanf:"exit_url"`
}

// DefaultExitURL is the neutral site the quick exit leads to unless
// reporter.exit_url says otherwise.
const DefaultExitURL = "https://www.bbc.co.uk/weather"

// IsSet reports whether any part of the operator's identity is configured.
func (o Operator) IsSet() bool {
	return o.Name != "" || o.Email != "" || o.PostalAddress != ""
}

// Default returns the configuration used when nothing is set: the embedded
// store in ./whisper.db, 127.0.0.1:8080, and mail and SMS written to the log.
func Default() Config {
	return Config{
		Listen:   "127.0.0.1:8080",
		Database: Database{URL: "sqlite:whisper.db"},
		Mail: Mail{
			Driver: "log",
			SMTP:   SMTP{Port: 587, TLS: "starttls"},
		},
		SMS: SMS{
			Driver:        "log",
			Plivo:         Plivo{APIURL: "https://api.plivo.com"},
			DefaultRegion: string(domain.DefaultPhoneRegion),
		},
		Outbox: Outbox{
			PollInterval: time.Second,
			RetryMin:     10 * time.Second,
			RetryMax:     time.Hour,
			MaxAttempts:  20,
			Lease:        2 * time.Minute,
		},
		Security:  Security{PasswordHashingMemoryMiB: DefaultPasswordHashingMemoryMiB},
		Retention: Retention{SweepInterval: time.Hour},
		Limits:    Limits{ReportsPerIP: 30, ReportsPerForm: 600, TextsPerNumber: 30, RepliesPerConversation: 20, IPv6Prefix: 64},
		Reporter:  Reporter{ExitURL: DefaultExitURL},
		Log:       Log{Format: "text", Level: "info"},
		TimeZone:  domain.DefaultTimeZone,
	}
}

// Zone returns TimeZone loaded. The binaries embed the time zone database
// (time/tzdata), so a minimal image with none of its own loads it too.
// "Local" and "" are refused: the machine's own zone is not a setting.
func (c *Config) Zone() (domain.Zone, error) {
	name := strings.TrimSpace(c.TimeZone)
	if name == "" || name == "Local" {
		return domain.Zone{}, fmt.Errorf("config: time_zone %q is not an IANA time zone", c.TimeZone)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return domain.Zone{}, fmt.Errorf("config: time_zone: %w", err)
	}
	return domain.NewZone(loc), nil
}

// DefaultPasswordHashingMemoryMiB is the default hashing budget: room for
// three hashes at once whatever the machine, so whisperd's memory under a
// burst of sign-ins is known in advance. Three at once take a few
// hundredths of a second each: ample for a school's staff.
const DefaultPasswordHashingMemoryMiB = 64

// PasswordHashMemoryMiB is the memory one password hash holds while it
// runs: passhash's default cost, 19 MiB (OWASP's argon2id). The
// configuration holds the plain number, not the hashing adapter, so that it
// depends on no adapter; cmd/internal/wire's tests check that the two agree.
const PasswordHashMemoryMiB = 19

// PasswordHashingSlots returns how many password hashes may run at once
// within Security.PasswordHashingMemoryMiB: the budget divided by the
// memory of one hash, rounded down, and at least one.
func (c *Config) PasswordHashingSlots() int {
	return max(c.Security.PasswordHashingMemoryMiB/PasswordHashMemoryMiB, 1)
}

const sqlitePrefix = "sqlite:"

// IsPostgres reports whether Database.URL names a PostgreSQL server.
func (c *Config) IsPostgres() bool {
	return strings.HasPrefix(c.Database.URL, "postgres://") || strings.HasPrefix(c.Database.URL, "postgresql://")
}

// SQLitePath returns the path after "sqlite:" in Database.URL (it may be
// relative to the working directory), or "" when the URL is not sqlite:.
func (c *Config) SQLitePath() string {
	path, ok := strings.CutPrefix(c.Database.URL, sqlitePrefix)
	if !ok {
		return ""
	}
	return path
}

// DataKey returns the decoded 32-byte data key, or false when none is set
// or it is malformed (Validate reports the latter).
func (c *Config) DataKey() ([]byte, bool) {
	key, err := decodeDataKey(c.Security.DataKey)
	if err != nil || key == nil {
		return nil, false
	}
	return key, true
}

// OldDataKeys returns Security.OldDataKeys decoded, leaving out any that
// are malformed (Validate reports them).
func (c *Config) OldDataKeys() [][]byte {
	var keys [][]byte
	for _, s := range c.Security.OldDataKeys {
		if key, err := decodeDataKey(s); err == nil && key != nil {
			keys = append(keys, key)
		}
	}
	return keys
}

// TrustedProxies returns HTTP.TrustedProxies parsed, a bare IP becoming a
// /32 or /128. Invalid entries are left out (Validate reports them).
func (c *Config) TrustedProxies() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range c.HTTP.TrustedProxies {
		if p, err := parseProxy(s); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// dataKeyLen is the length of the key for personal data at rest (AES-256).
const dataKeyLen = 32

// decodeDataKey decodes s as base64 in any of the common alphabets. It
// returns nil, nil for an empty s. Errors never contain s.
func decodeDataKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	n := -1
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		b, err := enc.DecodeString(s)
		if err != nil {
			continue
		}
		if len(b) == dataKeyLen {
			return b, nil
		}
		n = len(b)
	}
	if n < 0 {
		return nil, fmt.Errorf("security.data_key is not valid base64; it must be base64 of exactly %d bytes", dataKeyLen)
	}
	return nil, fmt.Errorf("security.data_key decodes to %d bytes; it must be base64 of exactly %d bytes", n, dataKeyLen)
}

// parseProxy parses a CIDR or a bare IP address.
func parseProxy(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("%q has a zone", s)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}
