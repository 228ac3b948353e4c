package config

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/knadh/koanf/providers/structs"
	"github.com/knadh/koanf/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// examplePath is the example configuration shipped beside the binaries
// (/usr/share/doc/whisper/whisper.example.yaml in the Debian package). It
// sets every key to its default and shows the keys unset by default
// commented out, so it doubles as a reference an operator edits in place.
const examplePath = "../../../whisper.example.yaml"

// The example leaves DemoDefaults' keys commented out: a file that set
// them, even to the plain defaults, would override --demo, and the demo's
// mail would go to the log instead of a folder.
var demoDefaults = DemoDefaults()

// TestTheExampleLoadsAsTheDefaults holds the promise the example makes in
// its header: loaded as it is, it changes nothing. It loads it with the real
// loader, beside loading no file at all: plainly; with the settings that
// others are derived from (listen, database.url and the file drivers)
// changed, so that a derived value written into the example as a constant
// (public_url, mail.file.dir) is caught; and as whisperd --demo loads it.
func TestTheExampleLoadsAsTheDefaults(t *testing.T) {
	for name, opts := range map[string]Options{
		"plain": {},
		"derived": {Getenv: env(map[string]string{
			"WHISPER_LISTEN":       "0.0.0.0:9000",
			"WHISPER_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "elsewhere.db"),
			"WHISPER_MAIL_DRIVER":  FileDriver,
			"WHISPER_SMS_DRIVER":   FileDriver,
		})},
		"demo": {Defaults: demoDefaults},
	} {
		t.Run(name, func(t *testing.T) {
			if opts.Getenv == nil {
				opts.Getenv = env(nil)
			}
			without, err := Load(opts)
			require.NoError(t, err)
			opts.File = examplePath
			withFile, err := Load(opts)
			require.NoError(t, err, "whisper.example.yaml loads as it is")
			assert.Equal(t, without, withFile, "whisper.example.yaml must set every key to config.Default()'s value, and leave derived ones unset")
		})
	}

	c, err := Load(Options{File: examplePath, Getenv: env(nil)})
	require.NoError(t, err)
	want := Default()
	want.PublicURL = "http://127.0.0.1:8080"
	assert.Equal(t, &want, c)
}

// exampleKey is one key of the example, set or commented out.
type exampleKey struct {
	value     *yaml.Node
	doc       string // the comment lines above it
	commented bool   // written "# key: …", not set
}

// commentedKey matches a key commented out, "# key:" alone or with an
// example value. Keys are lower case and prose comments are sentences, so
// prose never matches; a line that did would show up as an unknown key.
var commentedKey = regexp.MustCompile(`^(\s*)# ([a-z0-9_]+:(?:\s.*)?)$`)

// readExample parses the example with its commented-out keys uncommented
// and returns every key in it by its dotted name. It fails the test on a key
// written twice, commented or not.
func readExample(t *testing.T) map[string]exampleKey {
	t.Helper()
	b, err := os.ReadFile(examplePath)
	require.NoError(t, err)
	lines := strings.Split(string(b), "\n")
	commented := map[int]bool{} // by line number, from 1 as yaml.Node counts
	for i, line := range lines {
		if commentedKey.MatchString(line) {
			lines[i] = commentedKey.ReplaceAllString(line, "$1$2")
			commented[i+1] = true
		}
	}
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(strings.Join(lines, "\n")), &doc),
		"whisper.example.yaml with its commented-out keys uncommented is YAML")
	require.Equal(t, yaml.DocumentNode, doc.Kind)
	require.Len(t, doc.Content, 1)

	keys := map[string]exampleKey{}
	var walk func(prefix string, m *yaml.Node)
	walk = func(prefix string, m *yaml.Node) {
		require.Equal(t, yaml.MappingNode, m.Kind, "%s is a section of keys", strings.TrimSuffix(prefix, "."))
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i], m.Content[i+1]
			name := prefix + k.Value
			if v.Kind == yaml.MappingNode {
				walk(name+".", v)
				continue
			}
			_, dup := keys[name]
			require.False(t, dup, "whisper.example.yaml has %s twice (line %d)", name, k.Line)
			keys[name] = exampleKey{value: v, doc: k.HeadComment, commented: commented[k.Line]}
		}
	}
	walk("", doc.Content[0])
	return keys
}

// TestTheExampleHasEveryKey holds the example to Config's koanf tags, as
// TestTheReferenceIsComplete holds README.md: every key is there, set or
// commented out, with a comment naming its environment variable (and the
// _FILE variable for a secret); no key is there that Config lacks; a key
// with a default is written with it, unless whisperd --demo changes that
// default; and a secret carries no example value.
func TestTheExampleHasEveryKey(t *testing.T) {
	inCode := codeKeys(reflect.TypeFor[Config](), "")
	inExample := readExample(t)

	defaults := koanf.New(".")
	require.NoError(t, defaults.Load(structs.Provider(Default(), "koanf"), nil))

	for _, key := range inCode {
		ex, ok := inExample[key]
		if !assert.True(t, ok, "%s is not in whisper.example.yaml; add it with a comment, set to its default or, when unset by default, as \"# %s:\"",
			key, key[strings.LastIndex(key, ".")+1:]) {
			continue
		}
		envVar := regexp.MustCompile(`\b` + EnvName(key) + `\b`)
		assert.Regexp(t, envVar, ex.doc, "the comment above %s in whisper.example.yaml names %s", key, EnvName(key))
		hasDefault := !isZero(defaults.Get(key))
		if _, demo := demoDefaults[key]; demo {
			assert.True(t, ex.commented, "%s: whisperd --demo changes its default, so whisper.example.yaml leaves it commented out", key)
		} else {
			assert.False(t, hasDefault && ex.commented, "%s has a default, so whisper.example.yaml sets it rather than commenting it out", key)
		}
		if IsSecret(key) {
			assert.Contains(t, ex.doc, EnvName(key)+"_FILE", "%s is a secret: the comment above it names its _FILE variable", key)
			if !hasDefault {
				assert.Equal(t, "!!null", ex.value.Tag, "%s is a secret: whisper.example.yaml gives no example value for it", key)
			}
		}
	}
	for key := range inExample {
		assert.True(t, slices.Contains(inCode, key), "whisper.example.yaml has %q, which the configuration does not have", key)
	}
}

// isZero reports whether a default read back from koanf is unset: nil, or
// its type's zero value (an empty string, a nil list, false or 0).
func isZero(v any) bool {
	return v == nil || reflect.ValueOf(v).IsZero()
}
