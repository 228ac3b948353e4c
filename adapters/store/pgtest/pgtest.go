// Package pgtest gives tests a fresh, migrated PostgreSQL database each.
//
// It finds a server in WHISPER_TEST_DATABASE_URL, or else starts one with
// testcontainers when a Docker engine answers, or else skips the test with
// the reason; WHISPER_REQUIRE_POSTGRES=1 (set in CI) turns that skip into a
// failure, so a missing server can never pass unnoticed.
//
// The schema is migrated once into a template database, named after a hash
// of the migrations so that test binaries running side by side share it; each
// test then gets its own copy (CREATE DATABASE … TEMPLATE), dropped when the
// test ends. A copy takes milliseconds where migrating takes much longer.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/modules/postgres"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/adapters/store/seal"
)

// Environment variables read by this package.
const (
	EnvURL     = "WHISPER_TEST_DATABASE_URL"
	EnvRequire = "WHISPER_REQUIRE_POSTGRES"
)

var server struct {
	once     sync.Once
	url      string // the admin URL of the server
	template string // the migrated template database
	skip     string // why there is no server
	err      error
}

// NewDatabase returns the URL of a new database holding the current schema,
// dropped when t ends. It skips t (or fails it, under WHISPER_REQUIRE_POSTGRES)
// when no server can be found.
func NewDatabase(t testing.TB) string {
	t.Helper()
	server.once.Do(setUp)
	if server.skip != "" {
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("PostgreSQL is required (%s=1) but unavailable: %s", EnvRequire, server.skip)
		}
		t.Skipf("no PostgreSQL for this test: %s (set %s, or run a Docker engine)", server.skip, EnvURL)
	}
	if server.err != nil {
		t.Fatalf("preparing the PostgreSQL template: %v", server.err)
	}

	name := "whisper_test_" + randomHex(6)
	ctx := context.Background()
	admin := openAdmin(t)
	defer admin.Close()
	// Copies of one template can collide while another test's copy is
	// starting ("source database is being accessed by other users"); a
	// short retry resolves it.
	var err error
	for attempt := 0; attempt < 20; attempt++ {
		if _, err = admin.ExecContext(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, server.template)); err == nil {
			break
		}
		time.Sleep(time.Duration(50*(attempt+1)) * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("creating test database: %v", err)
	}
	t.Cleanup(func() {
		admin := openAdmin(t)
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name)); err != nil {
			t.Errorf("dropping test database %s: %v", name, err)
		}
	})
	return withDatabase(server.url, name)
}

// NewEmptyDatabase returns the URL of a new database with no schema at all,
// dropped when t ends, for tests of migrating itself. It skips or fails t
// as NewDatabase does.
func NewEmptyDatabase(t testing.TB) string {
	t.Helper()
	url := NewDatabase(t)
	name := strings.TrimPrefix(mustParse(url).Path, "/")
	admin := openAdmin(t)
	defer admin.Close()
	// Dropped and made again from PostgreSQL's own empty template, under
	// the same name, so NewDatabase's cleanup still drops it.
	ctx := context.Background()
	for _, q := range []string{"DROP DATABASE %s WITH (FORCE)", "CREATE DATABASE %s"} {
		if _, err := admin.ExecContext(ctx, fmt.Sprintf(q, name)); err != nil {
			t.Fatalf("making the empty database %s: %v", name, err)
		}
	}
	return url
}

func mustParse(rawURL string) *url.URL {
	u, err := url.Parse(rawURL)
	if err != nil {
		panic(fmt.Sprintf("pgtest: %s is not a URL", rawURL))
	}
	return u
}

func openAdmin(t testing.TB) *sql.DB {
	db, err := sql.Open("pgx", server.url)
	if err != nil {
		t.Fatalf("connecting to PostgreSQL: %v", err)
	}
	return db
}

// setUp finds the server and prepares the template, once per test binary.
func setUp() {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	server.url = os.Getenv(EnvURL)
	if server.url == "" {
		server.url, server.skip = startContainer(ctx)
		if server.skip != "" {
			return
		}
	}
	server.template, server.err = prepareTemplate(ctx, server.url)
}

// startContainer runs PostgreSQL in Docker, when an engine answers.
func startContainer(ctx context.Context) (dsn, skip string) {
	defer func() {
		// testcontainers panics in some environments without Docker.
		if r := recover(); r != nil {
			dsn, skip = "", fmt.Sprintf("%s is unset and Docker is unusable: %v", EnvURL, r)
		}
	}()
	provider, err := testcontainers.ProviderDocker.GetProvider()
	if err != nil {
		return "", fmt.Sprintf("%s is unset and no Docker engine answers: %v", EnvURL, err)
	}
	defer provider.Close()
	if err := provider.Health(ctx); err != nil {
		return "", fmt.Sprintf("%s is unset and no Docker engine answers: %v", EnvURL, err)
	}
	ctr, err := postgres.Run(ctx, "postgres:15-alpine",
		postgres.WithDatabase("postgres"), postgres.WithUsername("postgres"), postgres.WithPassword("postgres"),
		postgres.BasicWaitStrategies())
	if err != nil {
		return "", fmt.Sprintf("starting a PostgreSQL container failed: %v", err)
	}
	// The container is left to testcontainers' reaper, which removes it
	// when this test binary exits.
	dsn, err = ctr.ConnectionString(ctx, "sslmode=disable")
	if err != nil {
		return "", fmt.Sprintf("reading the container's address failed: %v", err)
	}
	return dsn, ""
}

// templateLock serialises template preparation across test binaries.
const templateLock = 0x57_54_50_4c // "WTPL"

func prepareTemplate(ctx context.Context, adminURL string) (string, error) {
	name, err := templateName()
	if err != nil {
		return "", err
	}
	db, err := sql.Open("pgx", adminURL)
	if err != nil {
		return "", err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return "", fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", templateLock); err != nil {
		return "", err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", templateLock)

	var ready bool
	err = conn.QueryRowContext(ctx, "SELECT datistemplate FROM pg_database WHERE datname = $1", name).Scan(&ready)
	if err == nil && ready {
		return name, nil
	}
	// A template left half-made by a crashed run is rebuilt.
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name)); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	keys, err := seal.New(make([]byte, seal.KeySize))
	if err != nil {
		return "", err
	}
	st, err := store.Open(ctx, withDatabase(adminURL, name), keys)
	if err != nil {
		return "", err
	}
	_, err = st.Migrate(ctx)
	if err == nil {
		// Each copy is a new database for whatever key its test brings:
		// the template keeps no key's fingerprint.
		_, err = st.DB().ExecContext(ctx, "DELETE FROM data_key")
	}
	st.Close()
	if err != nil {
		return "", fmt.Errorf("migrating the template: %w", err)
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("ALTER DATABASE %s WITH IS_TEMPLATE true", name)); err != nil {
		return "", err
	}
	return name, nil
}

// templateName changes whenever a migration does, so a stale template is
// never used.
func templateName() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(store.MigrationFiles(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(store.MigrationFiles(), path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	if err != nil {
		return "", err
	}
	return "whisper_template_" + hex.EncodeToString(h.Sum(nil))[:12], nil
}

func withDatabase(rawURL, name string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		panic(fmt.Sprintf("pgtest: %s is not a URL", EnvURL))
	}
	u.Path = "/" + strings.TrimPrefix(name, "/")
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
