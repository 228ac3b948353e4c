package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func xoauth2Config() Config {
	c := validConfig()
	c.Mail.SMTP.Password = ""
	c.Mail.SMTP.Auth = "xoauth2"
	c.Mail.SMTP.OAuth2 = SMTPOAuth2{
		TokenURL: "https://login.microsoftonline.com/TENANT/oauth2/v2.0/token", ClientID: "client-id",
		ClientSecret: "oauth-client-secret", Scopes: []string{"https://outlook.office365.com/.default"},
	}
	return c
}

func TestValidateSMTPAuth(t *testing.T) {
	for _, tc := range []struct {
		name   string
		modify func(c *Config)
		want   string // a substring of the only problem; "" means valid
	}{
		{"auto", func(c *Config) { c.Mail.SMTP.Auth = "auto" }, ""},
		{"empty is auto", func(c *Config) { c.Mail.SMTP.Auth = "" }, ""},
		{"none", func(c *Config) { c.Mail.SMTP.Auth = "none" }, ""},
		{"login", func(c *Config) { c.Mail.SMTP.Auth = "login" }, ""},
		{"plain needs a user", func(c *Config) { c.Mail.SMTP.Auth, c.Mail.SMTP.Username = "plain", "" },
			"mail.smtp.username is required when mail.smtp.auth is plain"},
		{"unknown", func(c *Config) { c.Mail.SMTP.Auth = "cram-md5" },
			`mail.smtp.auth must be auto, plain, login, xoauth2 or none, not "cram-md5"`},
		{"oauth2 without xoauth2", func(c *Config) { c.Mail.SMTP.OAuth2.ClientID = "x" },
			"mail.smtp.oauth2 is set but mail.smtp.auth is not xoauth2"},
		{"xoauth2", func(c *Config) { *c = xoauth2Config() }, ""},
		{"xoauth2 needs a secret", func(c *Config) { *c = xoauth2Config(); c.Mail.SMTP.OAuth2.ClientSecret = "" },
			"mail.smtp.oauth2.client_secret is required when mail.smtp.auth is xoauth2"},
		{"xoauth2 needs a token url", func(c *Config) { *c = xoauth2Config(); c.Mail.SMTP.OAuth2.TokenURL = "" },
			"mail.smtp.oauth2.token_url is required"},
		{"xoauth2 token url is a url", func(c *Config) { *c = xoauth2Config(); c.Mail.SMTP.OAuth2.TokenURL = "login.example/token" },
			"mail.smtp.oauth2.token_url must be an absolute http:// or https:// URL"},
		{"xoauth2 needs the mailbox", func(c *Config) { *c = xoauth2Config(); c.Mail.SMTP.Username = "" },
			"mail.smtp.username is required when mail.smtp.auth is xoauth2"},
		{"xoauth2 takes no password", func(c *Config) { *c = xoauth2Config(); c.Mail.SMTP.Password = "smtp-password" },
			"mail.smtp.password is not used when mail.smtp.auth is xoauth2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := validConfig()
			tc.modify(&c)
			err := c.Validate()
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			var ce *Error
			require.ErrorAs(t, err, &ce)
			require.Len(t, ce.Problems, 1, err.Error())
			assert.Contains(t, ce.Problems[0], tc.want)
			assert.NotContains(t, err.Error(), "oauth-client-secret")
			assert.NotContains(t, err.Error(), "smtp-password")
		})
	}
}

func TestLoadsSMTPAuthFromTheEnvironment(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret")
	require.NoError(t, os.WriteFile(secret, []byte("oauth-client-secret\n"), 0o600))
	c, err := Load(Options{Getenv: env(map[string]string{
		"WHISPER_MAIL_DRIVER":                         "smtp",
		"WHISPER_MAIL_FROM":                           "whisper@school.example",
		"WHISPER_MAIL_SMTP_HOST":                      "smtp.office365.com",
		"WHISPER_MAIL_SMTP_USERNAME":                  "whisper@school.example",
		"WHISPER_MAIL_SMTP_AUTH":                      " XOAUTH2 ",
		"WHISPER_MAIL_SMTP_OAUTH2_TOKEN_URL":          "https://login.microsoftonline.com/TENANT/oauth2/v2.0/token",
		"WHISPER_MAIL_SMTP_OAUTH2_CLIENT_ID":          "client-id",
		"WHISPER_MAIL_SMTP_OAUTH2_CLIENT_SECRET_FILE": secret,
		"WHISPER_MAIL_SMTP_OAUTH2_SCOPES":             "https://outlook.office365.com/.default, offline_access",
	})})
	require.NoError(t, err)
	s := c.Mail.SMTP
	assert.Equal(t, "xoauth2", s.Auth)
	assert.Equal(t, "oauth-client-secret", s.OAuth2.ClientSecret)
	assert.Equal(t, []string{"https://outlook.office365.com/.default", "offline_access"}, s.OAuth2.Scopes)

	mail := c.LogValue().Group()
	var summary string
	for _, a := range mail {
		summary += a.String() + " "
	}
	assert.Contains(t, summary, "auth=xoauth2")
	assert.NotContains(t, summary, "oauth-client-secret")

	_, err = Load(Options{Getenv: env(map[string]string{"WHISPER_MAIL_DRIVER": "smtp", "WHISPER_MAIL_FROM": "a@b.example",
		"WHISPER_MAIL_SMTP_HOST": "smtp.example", "WHISPER_MAIL_SMTP_AUTH": "ntlm"})})
	assert.ErrorContains(t, err, "mail.smtp.auth must be auto, plain, login, xoauth2 or none")
}
