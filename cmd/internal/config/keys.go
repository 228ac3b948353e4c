package config

import (
	"slices"

	"github.com/knadh/koanf/providers/structs"
	"github.com/knadh/koanf/v2"
)

// Keys returns every configuration key, sorted: the koanf tags of Config,
// as Load knows them. The binaries' --help lists them, and a test holds
// README.md's reference to them.
func Keys() []string {
	k := koanf.New(".")
	// Loading a struct of plain values cannot fail.
	_ = k.Load(structs.Provider(Default(), "koanf"), nil)
	keys := k.Keys()
	slices.Sort(keys)
	return keys
}

// EnvName returns the environment variable for key, e.g.
// "sms.plivo.auth_token" → "WHISPER_SMS_PLIVO_AUTH_TOKEN". The same name
// with "_FILE" added names a file holding the value.
func EnvName(key string) string { return envName(key) }

// secretKeys are the keys whose values are secrets (the Config fields
// marked secret): best given through the _FILE variable, so that they stay
// out of the process environment and shell history. README.md marks the
// same keys "(secret)"; a test holds the two together.
var secretKeys = []string{
	"database.url", // it may hold a password
	"mail.smtp.oauth2.client_secret",
	"mail.smtp.password",
	"security.data_key",
	"security.old_data_keys",
	"sms.plivo.auth_token",
}

// IsSecret reports whether key's value is a secret.
func IsSecret(key string) bool { return slices.Contains(secretKeys, key) }
