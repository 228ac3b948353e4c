package config

import (
	"bufio"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readmePath is the one configuration reference: README.md, section
// "Configuration", its tables headed "| key | environment variable | …".
const readmePath = "../../../README.md"

// codeKeys walks t's koanf tags: a struct field is a section of keys, any
// other field (durations and lists included) one key.
func codeKeys(t reflect.Type, prefix string) []string {
	var keys []string
	for f := range t.Fields() {
		tag := f.Tag.Get("koanf")
		if tag == "" || tag == "-" {
			continue
		}
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeFor[time.Duration]() {
			keys = append(keys, codeKeys(f.Type, prefix+tag+".")...)
			continue
		}
		keys = append(keys, prefix+tag)
	}
	return keys
}

// referenceRow is one row of the reference: a key, its variable, and
// whether its meaning marks it "(secret".
type referenceRow struct {
	key, env string
	secret   bool
}

// readReference returns the rows of README.md's configuration tables.
func readReference(t *testing.T) []referenceRow {
	t.Helper()
	f, err := os.Open(readmePath)
	require.NoError(t, err)
	defer f.Close()
	code := regexp.MustCompile("`([^`]+)`")
	var rows []referenceRow
	inSection, inTable := false, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "## "):
			inSection = line == "## Configuration"
			inTable = false
		case !inSection:
		case strings.HasPrefix(line, "| key | environment variable |"):
			inTable = true
		case !strings.HasPrefix(line, "|"):
			inTable = false
		case inTable && !strings.HasPrefix(line, "|---"):
			cells := strings.Split(line, "|")
			require.GreaterOrEqual(t, len(cells), 4, "a reference row has key, variable, default and meaning: %s", line)
			key, env := code.FindStringSubmatch(cells[1]), code.FindStringSubmatch(cells[2])
			require.NotNil(t, key, "no `key` in the first cell: %s", line)
			require.NotNil(t, env, "no `WHISPER_…` in the second cell: %s", line)
			secret := strings.Contains(strings.Join(cells[3:], "|"), "(secret")
			rows = append(rows, referenceRow{key: key[1], env: env[1], secret: secret})
		}
	}
	require.NoError(t, sc.Err())
	return rows
}

// TestTheReferenceIsComplete holds README.md's configuration reference to
// the code: every key of Config is documented there with its environment
// variable, once, secrets marked as such, and every key documented there
// exists.
func TestTheReferenceIsComplete(t *testing.T) {
	inCode := codeKeys(reflect.TypeFor[Config](), "")
	slices.Sort(inCode)
	require.Equal(t, Keys(), inCode, "Load knows the keys the tags name")

	rows := readReference(t)
	require.NotEmpty(t, rows, "README.md has a section \"## Configuration\" with a table headed | key | environment variable | …")
	documented := map[string]bool{}
	for _, r := range rows {
		assert.False(t, documented[r.key], "%s is documented twice", r.key)
		documented[r.key] = true
		if slices.Contains(inCode, r.key) {
			assert.Equal(t, EnvName(r.key), r.env, "the variable documented for %s", r.key)
			assert.Equal(t, IsSecret(r.key), r.secret,
				"%s: README.md marks a key \"(secret)\" exactly when keys.go's secretKeys lists it (whisperd --help names its _FILE twin)", r.key)
		} else {
			assert.Fail(t, "documented but not a key", "README.md documents %q, which the configuration no longer has", r.key)
		}
	}
	for _, key := range inCode {
		assert.True(t, documented[key], "%s (%s) is not documented in README.md, \"Configuration\"; add a row for it", key, EnvName(key))
	}
}
