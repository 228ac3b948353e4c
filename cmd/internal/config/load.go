package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/providers/structs"
	"github.com/knadh/koanf/v2"
)

// Options says where Load finds configuration besides the defaults.
type Options struct {
	// File is the YAML file from --config or WHISPER_CONFIG (the caller
	// resolves which); "" means none. A named file that does not exist is
	// an error.
	File string
	// Getenv looks up environment variables; nil means os.Getenv. A
	// variable set to "" counts as unset.
	Getenv func(string) string
	// Overrides are the flags the user actually set, keyed by config key
	// (e.g. "listen", "database.url"). Flags left at their defaults must
	// not be here, or they would mask the file and the environment.
	Overrides map[string]any
	// Defaults, keyed by config key, replace Default's values for this
	// run, beneath the file, the environment and the flags: whisperd
	// --demo writes mail and texts to folders unless told otherwise.
	Defaults map[string]any
}

// EnvPrefix starts every environment variable Load reads.
const EnvPrefix = "WHISPER_"

// envName returns the environment variable for key, e.g.
// "sms.plivo.auth_token" → "WHISPER_SMS_PLIVO_AUTH_TOKEN".
func envName(key string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// Load builds the configuration from the defaults, opts.File, the
// environment, *_FILE secrets and opts.Overrides, in that order, and
// validates it. Every problem found is reported in one *Error; a file that
// cannot be read or parsed is reported on its own.
func Load(opts Options) (*Config, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}

	k := koanf.New(".")
	if err := k.Load(structs.Provider(Default(), "koanf"), nil); err != nil {
		return nil, fmt.Errorf("config: loading defaults: %w", err)
	}
	// The known keys come from the defaults: environment variable names
	// cannot be split on "_" because keys contain underscores.
	known := k.Keys()
	shape := k.Raw()

	var problems []string
	for key := range opts.Defaults {
		if !slices.Contains(known, key) {
			problems = append(problems, fmt.Sprintf("unknown default key %q", key))
		}
	}
	if err := k.Load(confmap.Provider(opts.Defaults, "."), nil); err != nil {
		return nil, fmt.Errorf("config: defaults: %w", err)
	}
	if opts.File != "" {
		m, err := readFile(opts.File)
		if err != nil {
			return nil, err
		}
		problems = append(problems, checkShape("", m, shape, opts.File)...)
		if err := k.Load(confmap.Provider(m, ""), nil); err != nil {
			return nil, fmt.Errorf("config: %s: %w", opts.File, err)
		}
	}

	vars, secrets, envProblems := readEnv(known, getenv)
	problems = append(problems, envProblems...)
	for _, layer := range []map[string]any{vars, secrets} {
		if err := k.Load(confmap.Provider(layer, "."), nil); err != nil {
			return nil, fmt.Errorf("config: environment: %w", err)
		}
	}

	flags := make(map[string]any, len(opts.Overrides))
	for key, v := range opts.Overrides {
		switch {
		case !slices.Contains(known, key):
			problems = append(problems, fmt.Sprintf("unknown override key %q", key))
		case v != nil:
			flags[key] = v
		}
	}
	if err := k.Load(confmap.Provider(flags, "."), nil); err != nil {
		return nil, fmt.Errorf("config: flags: %w", err)
	}

	if len(problems) > 0 {
		return nil, &Error{Problems: problems}
	}

	var c Config
	if err := decode(k, &c); err != nil {
		return nil, err
	}
	c.normalize()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// readFile reads and parses the YAML file at path.
func readFile(path string) (map[string]any, error) {
	b, err := file.Provider(path).ReadBytes()
	if err != nil {
		return nil, fmt.Errorf("config: reading config file: %w", err)
	}
	m, err := yaml.Parser().Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("config: parsing %s: %w", path, err)
	}
	if m == nil {
		return map[string]any{}, nil
	}
	// confmap turns nested map[any]any (YAML with non-string keys) into
	// map[string]any so checkShape sees every section.
	return confmap.Provider(m, "").Read()
}

// checkShape compares a file's nested map m with the defaults' shape and
// returns a problem for every key that is unknown or of the wrong shape. It
// deletes keys set to null, so that "mail:" with everything under it
// commented out leaves the defaults alone. Problems name keys, never values.
func checkShape(prefix string, m, shape map[string]any, file string) []string {
	var problems []string
	for name, v := range m {
		key := prefix + name
		ref, ok := shape[name]
		if !ok {
			problems = append(problems, fmt.Sprintf("unknown key %q in %s", key, file))
			continue
		}
		if v == nil {
			delete(m, name)
			continue
		}
		sub, isMap := v.(map[string]any)
		refSub, refIsMap := ref.(map[string]any)
		_, isList := v.([]any)
		switch {
		case refIsMap && isMap:
			problems = append(problems, checkShape(key+".", sub, refSub, file)...)
		case refIsMap:
			problems = append(problems, fmt.Sprintf("%s in %s must be a section of keys, not a value", key, file))
		case isMap:
			problems = append(problems, fmt.Sprintf("%s in %s must be a value, not a section of keys", key, file))
		case isList && reflect.TypeOf(ref).Kind() != reflect.Slice:
			problems = append(problems, fmt.Sprintf("%s in %s must be a single value, not a list", key, file))
		}
	}
	slices.Sort(problems) // map order is random; keep messages stable
	return problems
}

// readEnv reads WHISPER_<KEY> and WHISPER_<KEY>_FILE for every known key.
// It returns the plain variables and the values read from files separately
// so that they load as two layers.
func readEnv(known []string, getenv func(string) string) (vars, secrets map[string]any, problems []string) {
	vars = make(map[string]any)
	secrets = make(map[string]any)
	for _, key := range known {
		name := envName(key)
		val, path := getenv(name), getenv(name+"_FILE")
		switch {
		case val != "" && path != "":
			problems = append(problems, fmt.Sprintf("both %s and %s_FILE are set; set only one", name, name))
		case path != "":
			b, err := os.ReadFile(path)
			if err != nil {
				// The *PathError names the file, not its contents.
				problems = append(problems, fmt.Sprintf("%s_FILE: %v", name, err))
				continue
			}
			secrets[key] = strings.TrimRight(string(b), "\r\n")
		case val != "":
			vars[key] = val
		}
	}
	return vars, secrets, problems
}

// decode unmarshals k into c and reports every field that does not fit.
func decode(k *koanf.Koanf, c *Config) error {
	err := k.UnmarshalWithConf("", c, koanf.UnmarshalConf{
		Tag: "koanf",
		DecoderConfig: &mapstructure.DecoderConfig{
			DecodeHook: mapstructure.ComposeDecodeHookFunc(
				durationHook,
				intHook,
				stringHook,
				mapstructure.StringToSliceHookFunc(","),
			),
			WeaklyTypedInput: true,
		},
	})
	if err == nil {
		return nil
	}
	var problems []string
	collectDecodeErrors(err, &problems)
	slices.Sort(problems)
	return &Error{Problems: problems}
}

// collectDecodeErrors flattens mapstructure's joined errors into lines of
// the form "key: reason". Values only reach these messages for durations
// and numbers, never for the (string) secrets.
func collectDecodeErrors(err error, out *[]string) {
	switch e := err.(type) {
	case *mapstructure.DecodeError:
		*out = append(*out, fmt.Sprintf("%s: %v", e.Name(), e.Unwrap()))
	case interface{ Unwrap() []error }:
		for _, x := range e.Unwrap() {
			collectDecodeErrors(x, out)
		}
	default:
		if u := errors.Unwrap(err); u != nil {
			collectDecodeErrors(u, out)
		} else {
			*out = append(*out, err.Error())
		}
	}
}

var durationType = reflect.TypeFor[time.Duration]()

// durationHook accepts Go duration strings ("30s", "1h") and refuses bare
// numbers, which mapstructure would otherwise take as nanoseconds.
func durationHook(from, to reflect.Type, data any) (any, error) {
	if to != durationType || from == durationType {
		return data, nil
	}
	s, ok := data.(string)
	if !ok {
		return nil, fmt.Errorf("must be a duration such as \"30s\" or \"1h\", not %v", data)
	}
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("%q is not a duration such as \"30s\" or \"1h\"", s)
	}
	return d, nil
}

// intHook accepts whole numbers only, where mapstructure's weak typing would
// truncate 1.5 to 1, read true as 1 and "0x10" as 16.
func intHook(from, to reflect.Type, data any) (any, error) {
	if to.Kind() != reflect.Int || to == durationType {
		return data, nil
	}
	switch v := data.(type) {
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("%q is not a whole number", v)
		}
		return n, nil
	case float64:
		if v != float64(int(v)) {
			return nil, fmt.Errorf("%v is not a whole number", v)
		}
		return int(v), nil
	case bool:
		return nil, fmt.Errorf("%v is not a whole number", v)
	}
	return data, nil
}

// stringHook reads YAML scalars as their text: weak typing would turn a
// password of "true" into "1".
func stringHook(from, to reflect.Type, data any) (any, error) {
	if to.Kind() != reflect.String {
		return data, nil
	}
	switch v := data.(type) {
	case bool:
		return strconv.FormatBool(v), nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	}
	return data, nil
}

// normalize tidies values after loading: it trims trailing slashes from
// URLs, derives PublicURL from Listen when unset, lowercases the enums,
// puts the file drivers' folders beside the embedded database when unset
// and splits and trims trusted proxies.
func (c *Config) normalize() {
	c.PublicURL = strings.TrimRight(strings.TrimSpace(c.PublicURL), "/")
	if c.PublicURL == "" {
		c.PublicURL = derivePublicURL(c.Listen)
	}
	c.SMS.Plivo.APIURL = strings.TrimRight(strings.TrimSpace(c.SMS.Plivo.APIURL), "/")
	c.Mail.Driver = strings.ToLower(strings.TrimSpace(c.Mail.Driver))
	c.Mail.SMTP.TLS = strings.ToLower(strings.TrimSpace(c.Mail.SMTP.TLS))
	c.Mail.SMTP.Auth = strings.ToLower(strings.TrimSpace(c.Mail.SMTP.Auth))
	c.Mail.SMTP.OAuth2.TokenURL = strings.TrimSpace(c.Mail.SMTP.OAuth2.TokenURL)
	c.Mail.SMTP.OAuth2.Scopes = splitList(c.Mail.SMTP.OAuth2.Scopes)
	c.SMS.Driver = strings.ToLower(strings.TrimSpace(c.SMS.Driver))
	c.SMS.DefaultRegion = strings.ToUpper(strings.TrimSpace(c.SMS.DefaultRegion))
	c.defaultFileDirs()

	c.HTTP.TrustedProxies = splitList(c.HTTP.TrustedProxies)
	// Keys from one variable or file may be separated by white space too.
	c.Security.OldDataKeys = splitList(strings.Fields(strings.Join(c.Security.OldDataKeys, " ")))
	c.Operator.Name = strings.TrimSpace(c.Operator.Name)
	c.Operator.Email = strings.TrimSpace(c.Operator.Email)
	c.Operator.PostalAddress = strings.TrimSpace(c.Operator.PostalAddress)
	c.Log.Format = strings.ToLower(strings.TrimSpace(c.Log.Format))
	c.Log.Level = strings.ToLower(strings.TrimSpace(c.Log.Level))
}

// splitList splits entries on commas and drops blanks, so that a list reads
// the same from YAML and from one environment variable.
func splitList(entries []string) []string {
	var out []string
	for _, entry := range entries {
		for s := range strings.SplitSeq(entry, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// derivePublicURL returns "http://" + listen, with "localhost" in place of
// an empty or unspecified host, or "" when listen is not host:port.
func derivePublicURL(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return ""
	}
	if a, err := netip.ParseAddr(host); host == "" || (err == nil && a.IsUnspecified()) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
