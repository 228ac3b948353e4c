package config

import (
	"bufio"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The Debian package installs packaging/deb/whisper.yaml as
// /etc/whisper/whisper.yaml and starts whisperd on it with
// packaging/systemd/whisperd.service. These tests load that file with the
// real loader, so a key renamed here breaks the build rather than a
// school's first start.

const (
	packagedConfig = "../../../packaging/deb/whisper.yaml"
	packagedUnit   = "../../../packaging/systemd/whisperd.service"
	stateDir       = "/var/lib/whisper"
)

func TestPackagedConfigLoads(t *testing.T) {
	// No WHISPER_* variables: the file alone must start whisperd.
	c, err := Load(Options{File: packagedConfig, Getenv: env(nil)})
	require.NoError(t, err)

	assert.Equal(t, "127.0.0.1:8080", c.Listen, "only a proxy on this machine reaches whisperd")
	assert.Equal(t, "127.0.0.1:9464", c.Metrics.Listen)
	assert.False(t, c.IsPostgres())
	assert.Equal(t, stateDir+"/whisper.db", c.SQLitePath())
	_, ok := c.DataKey()
	assert.False(t, ok, "no key in the file: whisperd keeps it in a file beside the database")
	assert.Equal(t, FileDriver, c.Mail.Driver, "nothing leaves the machine until SMTP is configured")
	assert.Equal(t, FileDriver, c.SMS.Driver)
	assert.Equal(t, stateDir+"/mail", c.Mail.File.Dir)
	assert.Equal(t, stateDir+"/sms", c.SMS.File.Dir)
	assert.Equal(t, []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}, c.TrustedProxies())
	assert.False(t, c.Operator.IsSet(), "the operator is the school's to fill in")
}

// TestPackagedConfigWritesOnlyToTheStateDirectory checks the file against
// the unit: under ProtectSystem=strict whisperd can write only to its
// StateDirectory, so every path it writes must be there, and the unit must
// start whisperd on the file the package installs.
func TestPackagedConfigWritesOnlyToTheStateDirectory(t *testing.T) {
	unit := readUnit(t, packagedUnit)
	assert.Equal(t, []string{"/usr/bin/whisperd --config /etc/whisper/whisper.yaml"}, unit["ExecStart"])
	assert.Equal(t, []string{"whisper"}, unit["StateDirectory"])
	assert.Equal(t, []string{stateDir}, unit["WorkingDirectory"])
	assert.Equal(t, []string{"strict"}, unit["ProtectSystem"])
	assert.Empty(t, unit["ReadWritePaths"], "the state directory is the only writable place")

	c, err := Load(Options{File: packagedConfig, Getenv: env(nil)})
	require.NoError(t, err)
	for key, path := range map[string]string{
		"database.url":  c.SQLitePath(),
		"mail.file.dir": c.Mail.File.Dir,
		"sms.file.dir":  c.SMS.File.Dir,
	} {
		rel, err := filepath.Rel(stateDir, path)
		if assert.NoError(t, err, key) {
			assert.False(t, rel == ".." || strings.HasPrefix(rel, "../"), "%s %q is outside %s", key, path, stateDir)
		}
	}
}

// readUnit returns a systemd unit's settings, each key with its values in
// order; comments and section headers are dropped.
func readUnit(t *testing.T, path string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	settings := map[string][]string{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if line == "" || line[0] == '#' || line[0] == ';' || line[0] == '[' {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		require.True(t, ok, "%s: not a setting: %q", path, line)
		settings[key] = append(settings[key], value)
	}
	require.NoError(t, s.Err())
	return settings
}
