package config

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// composePath is the Compose file docs/container.md describes. whisperd
// ignores a WHISPER_ variable that names no key, so a misspelt one there
// would be silently lost; this test reads it without Docker.
const composePath = "../../../deploy/compose.yaml"

func TestComposeFile(t *testing.T) {
	b, err := os.ReadFile(composePath)
	require.NoError(t, err)
	doc, err := yaml.Parser().Unmarshal(b)
	require.NoError(t, err, "deploy/compose.yaml is YAML")

	services := mapAt(t, doc, "services")
	require.ElementsMatch(t, []string{"whisperd", "postgres", "caddy"}, keysOf(services))
	secrets := mapAt(t, doc, "secrets")
	volumes := mapAt(t, doc, "volumes")

	whisperd := mapAt(t, services, "whisperd")
	assert.Equal(t, "${WHISPER_IMAGE:-ghcr.io/whisper-schools/whisper:latest}", whisperd["image"])
	assert.NotContains(t, whisperd, "ports", "whisperd is not published on the host; Caddy is the way in")
	env := mapAt(t, whisperd, "environment")
	// Every key may come from a file; a secret only from a file, so that
	// it stays out of `docker inspect`.
	var names []string
	for _, k := range Keys() {
		names = append(names, EnvName(k)+"_FILE")
		if !IsSecret(k) {
			names = append(names, EnvName(k))
		}
	}
	for name := range env {
		assert.True(t, slices.Contains(names, name),
			"whisperd's %s must name a configuration key, and a secret's only with _FILE", name)
	}
	assert.Contains(t, env, "WHISPER_DATABASE_URL_FILE")
	assert.Contains(t, env, "WHISPER_SECURITY_DATA_KEY_FILE")
	assert.Equal(t, "0.0.0.0:8080", env["WHISPER_LISTEN"])
	metrics, _ := env["WHISPER_METRICS_LISTEN"].(string)
	assert.NotEmpty(t, metrics)
	assert.False(t, strings.HasSuffix(metrics, ":8080"), "/metrics has a port of its own, which Caddy does not proxy")
	for _, s := range listAt(t, whisperd, "secrets") {
		var read bool
		for name, v := range env {
			read = read || strings.HasSuffix(name, "_FILE") && v == "/run/secrets/"+s
		}
		assert.True(t, read, "a _FILE variable reads whisperd's secret %s", s)
	}

	caddy := mapAt(t, services, "caddy")
	cenv := mapAt(t, caddy, "environment")
	assert.Equal(t, "whisperd:8080", cenv["WHISPER_UPSTREAM"])
	assert.Contains(t, cenv, "WHISPER_DOMAIN")
	assert.Contains(t, listAt(t, caddy, "volumes"), "../packaging/caddy/Caddyfile:/etc/caddy/Caddyfile:ro")
	assert.Subset(t, listAt(t, caddy, "ports"), []string{"80:80", "443:443"})
	assert.Equal(t, env["WHISPER_HTTP_TRUSTED_PROXIES"], mapAt(t, mapAt(t, caddy, "networks"), "whisper")["ipv4_address"],
		"whisperd trusts X-Forwarded-For from Caddy's address, and only from it")

	pg := mapAt(t, services, "postgres")
	assert.True(t, strings.HasPrefix(pg["image"].(string), "postgres:15"), "PostgreSQL 15")
	assert.Contains(t, pg, "healthcheck")
	assert.Equal(t, "/run/secrets/postgres_password", mapAt(t, pg, "environment")["POSTGRES_PASSWORD_FILE"])
	assert.NotContains(t, pg, "ports", "PostgreSQL is not published on the host")
	assert.Equal(t, "service_healthy", mapAt(t, mapAt(t, whisperd, "depends_on"), "postgres")["condition"])

	for name, svc := range services {
		for _, s := range listAtOpt(svc.(map[string]any), "secrets") {
			assert.Contains(t, secrets, s, "%s's secret %s is declared", name, s)
		}
		for _, v := range listAtOpt(svc.(map[string]any), "volumes") {
			src, _, _ := strings.Cut(v, ":")
			if !strings.HasPrefix(src, ".") && !strings.HasPrefix(src, "/") {
				assert.Contains(t, volumes, src, "%s's volume %s is declared", name, src)
			}
		}
	}
}

// mapAt returns m[key] as a mapping, failing the test if it is not one.
func mapAt(t *testing.T, m map[string]any, key string) map[string]any {
	t.Helper()
	v, ok := m[key].(map[string]any)
	require.True(t, ok, "%s is a mapping", key)
	return v
}

// listAt returns m[key] as a list of strings, failing the test if it is
// not one.
func listAt(t *testing.T, m map[string]any, key string) []string {
	t.Helper()
	l := listAtOpt(m, key)
	require.NotEmpty(t, l, "%s is a list of strings", key)
	return l
}

// listAtOpt returns the strings of the list m[key], if there is one.
func listAtOpt(m map[string]any, key string) []string {
	var out []string
	l, _ := m[key].([]any)
	for _, v := range l {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func keysOf(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
