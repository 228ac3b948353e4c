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
