package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store/pgtest"
)

// ctlRun runs the whisperctl binary with env and returns its exit code,
// stdout and stderr.
func ctlRun(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	bin, err := buildCtl()
	require.NoError(t, err)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	code := 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return code, stdout.String(), stderr.String()
}

// ctlOK runs whisperctl, requires it to succeed, and returns its stdout.
func ctlOK(t *testing.T, env []string, args ...string) string {
	t.Helper()
	code, stdout, stderr := ctlRun(t, env, args...)
	require.Equal(t, 0, code, "whisperctl %v: %s", args, stderr)
	return stdout
}

// reporters post reports to a whisperd until halted, remembering each one
// acknowledged with a 303: its token and the marker it carried.
type reporters struct {
	mu           sync.Mutex
	acknowledged map[string]string // token → marker
	stop         chan struct{}
	wg           sync.WaitGroup
}

func startReporters(t *testing.T, base string, workers int) *reporters {
	t.Helper()
	_, page := get(t, base+"/r/DEMO")
	category := regexp.MustCompile(`option value="(inb_[a-z2-7]+)"`).FindStringSubmatch(page)
	require.NotNil(t, category)
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r := &reporters{acknowledged: map[string]string{}, stop: make(chan struct{})}
	for worker := range workers {
		r.wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-r.stop:
					return
				default:
				}
				marker := fmt.Sprintf("report-%d-%d", worker, n)
				resp, err := client.PostForm(base+"/r/DEMO", url.Values{"message": {marker}, "category": {category[1]}})
				if err != nil {
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusSeeOther {
					r.mu.Lock()
					r.acknowledged[strings.TrimPrefix(resp.Header.Get("Location"), "/t/")] = marker
					r.mu.Unlock()
				}
			}
		})
	}
	t.Cleanup(r.halt)
	return r
}

func (r *reporters) count() int { r.mu.Lock(); defer r.mu.Unlock(); return len(r.acknowledged) }

// snapshot is every report acknowledged so far.
func (r *reporters) snapshot() map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.acknowledged)
}

func (r *reporters) halt() {
	select {
	case <-r.stop:
	default:
		close(r.stop)
	}
	r.wg.Wait()
}

// saveAuditHead puts something in the audit log and returns its head, as
// operators keep one apart.
func saveAuditHead(t *testing.T, env []string) string {
	t.Helper()
	var orgs []struct {
		ID string `json:"id"`
	}
	require.NoError(t, json.Unmarshal([]byte(ctlOK(t, env, "org", "list", "--json")), &orgs))
	require.NotEmpty(t, orgs)
	ctlOK(t, env, "org", "set-status", orgs[0].ID, "active", "--reason", "backup drill")
	head := strings.TrimSpace(ctlOK(t, env, "audit", "head"))
	require.Regexp(t, `^[0-9]+:`, head)
	return head
}

// checkRestored is the end of the restore drill: the schema is whole, the
// audit log verifies against the head saved before the backup, and a
// whisperd on the restored database shows every report acknowledged before
// the backup began.
func checkRestored(t *testing.T, env []string, head string, before map[string]string) {
	t.Helper()
	assert.Contains(t, ctlOK(t, env, "db", "status"), "The schema is up to date")
	assert.Contains(t, ctlOK(t, env, "audit", "verify", "--head", head), "chain intact")
	again := startProcess(t, env)
	for token, marker := range before {
		status, body := get(t, again.url+"/t/"+token)
		require.Equal(t, http.StatusOK, status, "a report acknowledged before the backup began is in it")
		require.Contains(t, body, marker)
	}
}

// TestBackupTakenWhileReportsArriveRestores is the embedded store's restore
// drill of docs/operations.md ("Backups and restore"), run while reporters
// keep writing.
func TestBackupTakenWhileReportsArriveRestores(t *testing.T) {
	live := filepath.Join(t.TempDir(), "whisper.db")
	liveEnv := []string{"WHISPER_DATABASE_URL=sqlite:" + live, "WHISPER_LIMITS_REPORTS_PER_IP=0", "WHISPER_LIMITS_REPORTS_PER_FORM=0"}
	server := startProcess(t, liveEnv, "--demo")
	head := saveAuditHead(t, liveEnv)
	reports := startReporters(t, server.url, 4)
	eventually(t, "some reports", func() bool { return reports.count() >= 40 })

	before := reports.snapshot()
	backup := filepath.Join(t.TempDir(), "whisper-backup.db")
	said := ctlOK(t, liveEnv, "backup", "--out", backup)
	assert.Contains(t, said, backup)
	assert.Contains(t, said, live+".key", "the reminder names the key file")
	eventually(t, "reports after the backup", func() bool { return reports.count() >= len(before)+20 })
	reports.halt()
	require.NoError(t, server.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, server.cmd.Wait())
	info, err := os.Stat(backup)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	// Restored elsewhere: the copy and, kept apart, the key file.
	restored := filepath.Join(t.TempDir(), "whisper.db")
	copyFile(t, backup, restored)
	copyFile(t, live+".key", restored+".key")
	checkRestored(t, []string{"WHISPER_DATABASE_URL=sqlite:" + restored}, head, before)
	t.Logf("%d reports acknowledged before the backup, all restored; %d in all", len(before), reports.count())
}

// TestPostgresDumpTakenWhileReportsArriveRestores is the small site's
// PostgreSQL drill of docs/operations.md: pg_dump while reporters keep
// writing, pg_restore into a new database.
func TestPostgresDumpTakenWhileReportsArriveRestores(t *testing.T) {
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (Debian: postgresql-client)", tool)
		}
	}
	key := "WHISPER_SECURITY_DATA_KEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	live := pgtest.NewDatabase(t)
	liveEnv := []string{"WHISPER_DATABASE_URL=" + live, key, "WHISPER_LIMITS_REPORTS_PER_IP=0", "WHISPER_LIMITS_REPORTS_PER_FORM=0"}
	server := startProcess(t, liveEnv, "--demo")
	head := saveAuditHead(t, liveEnv)
	reports := startReporters(t, server.url, 4)
	eventually(t, "some reports", func() bool { return reports.count() >= 40 })

	before := reports.snapshot()
	dump := filepath.Join(t.TempDir(), "whisper.dump")
	out, err := exec.Command("pg_dump", "--format=custom", "--file="+dump, live).CombinedOutput()
	require.NoError(t, err, "%s", out)
	eventually(t, "reports after the dump", func() bool { return reports.count() >= len(before)+20 })
	reports.halt()

	restored := pgtest.NewEmptyDatabase(t)
	out, err = exec.Command("pg_restore", "--no-owner", "--exit-on-error", "--dbname="+restored, dump).CombinedOutput()
	require.NoError(t, err, "%s", out)
	checkRestored(t, []string{"WHISPER_DATABASE_URL=" + restored, key}, head, before)
	t.Logf("%d reports acknowledged before the dump, all restored; %d in all", len(before), reports.count())
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(to, b, 0o600))
}

// After a restore, whisperd erases what is due before it answers anyone:
// the first request already finds the old conversation gone.
func TestPurgesBeforeServing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "whisper.db")
	link := anOldReport(t, db)
	second := start(t, []string{"--database-url", "sqlite:" + db}, map[string]string{"WHISPER_RETENTION_SWEEP_INTERVAL": "1h"})
	status, _ := get(t, second.url+link)
	assert.Equal(t, http.StatusNotFound, status, "erased before the first answer")
	logs := second.stderr.String()
	swept, listening := strings.Index(logs, "erased=1"), strings.Index(logs, `msg=listening`)
	require.GreaterOrEqual(t, swept, 0, logs)
	assert.Less(t, swept, listening, "the sweep ran before whisperd listened")
}

// schemaStores are a migrated database of each kind for whisperd, with
// the environment to reach it and a database/sql handle on its tables.
func schemaStores(t *testing.T, fn func(t *testing.T, env []string, db *sql.DB)) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "whisper.db")
		env := []string{"WHISPER_DATABASE_URL=sqlite:" + path}
		ctlOK(t, env, "db", "migrate")
		db, err := sql.Open("sqlite", "file:"+path)
		require.NoError(t, err)
		defer db.Close()
		fn(t, env, db)
	})
	t.Run("postgres", func(t *testing.T) {
		url := pgtest.NewDatabase(t)
		env := []string{"WHISPER_DATABASE_URL=" + url, "WHISPER_SECURITY_DATA_KEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}
		db, err := sql.Open("pgx", url)
		require.NoError(t, err)
		defer db.Close()
		fn(t, env, db)
	})
}

// futureMigration is a migration no release knows yet.
const futureMigration = "20991231000099"

func addFutureMigration(t *testing.T, db *sql.DB) {
	t.Helper()
	_, err := db.ExecContext(context.Background(),
		"INSERT INTO schema_migrations (name, group_id, migrated_at) VALUES ('"+futureMigration+"', 999, CURRENT_TIMESTAMP)")
	require.NoError(t, err)
}

// An old whisperd does not start on a schema a newer release migrated, and
// says which versions it found.
func TestRefusesASchemaNewerThanItKnows(t *testing.T) {
	schemaStores(t, func(t *testing.T, env []string, db *sql.DB) {
		var status struct {
			LatestKnown string `json:"latest_known"`
		}
		require.NoError(t, json.Unmarshal([]byte(ctlOK(t, env, "db", "status", "--json")), &status))
		addFutureMigration(t, db)
		bin, err := buildBinary()
		require.NoError(t, err)
		cmd := exec.Command(bin, "--listen", "127.0.0.1:0")
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		require.Error(t, err, "whisperd must not start:\n%s", out)
		assert.Contains(t, string(out), "newer than this release")
		assert.Contains(t, string(out), futureMigration)
		assert.Contains(t, string(out), status.LatestKnown)
		assert.NotContains(t, string(out), "msg=listening")
	})
}

// /readyz is 503 while the database lacks a migration this release knows,
// or has one it does not, and 200 again once the schema is its own.
func TestReadyzFollowsTheSchema(t *testing.T) {
	schemaStores(t, func(t *testing.T, env []string, db *sql.DB) {
		ctx := context.Background()
		server := startProcess(t, env)
		ready := func() int { status, _ := get(t, server.url+"/readyz"); return status }
		require.Equal(t, http.StatusOK, ready())

		// As if a backup from before the last upgrade were restored
		// beneath the running instance: its last migration is pending.
		var latest string
		require.NoError(t, db.QueryRowContext(ctx, "SELECT max(name) FROM schema_migrations").Scan(&latest))
		_, err := db.ExecContext(ctx, "DELETE FROM schema_migrations WHERE name = '"+latest+"'")
		require.NoError(t, err)
		assert.Equal(t, http.StatusServiceUnavailable, ready(), "pending migrations")
		_, err = db.ExecContext(ctx, "INSERT INTO schema_migrations (name, group_id, migrated_at) VALUES ('"+latest+"', 1, CURRENT_TIMESTAMP)")
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, ready())

		addFutureMigration(t, db)
		assert.Equal(t, http.StatusServiceUnavailable, ready(), "a newer release's schema")
	})
}

// postReport sends one report to the demo form and returns its
// conversation link and reference.
func postReport(t *testing.T, base, message string) (link, ref string) {
	t.Helper()
	_, page := get(t, base+"/r/DEMO")
	category := regexp.MustCompile(`option value="(inb_[a-z2-7]+)"`).FindStringSubmatch(page)
	require.NotNil(t, category)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(base+"/r/DEMO", url.Values{"message": {message}, "category": {category[1]}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	link = resp.Header.Get("Location")
	_, body := get(t, base+link)
	ref = regexp.MustCompile(`WSP-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(body)
	require.NotEmpty(t, ref)
	return link, ref
}

// The steps of docs/operations.md "What was done after the backup": a hold
// and an erasure made after the backup are read from the live audit log
// and made again on the restored copy before whisperd starts, whose purge
// then honours the hold.
func TestWhatWasDoneAfterTheBackupIsDoneAgain(t *testing.T) {
	live := filepath.Join(t.TempDir(), "whisper.db")
	liveEnv := []string{"WHISPER_DATABASE_URL=sqlite:" + live}
	server := startProcess(t, liveEnv, "--demo")
	heldLink, heldRef := postReport(t, server.url, "keep this one")
	erasedLink, erasedRef := postReport(t, server.url, "erase this one")
	backup := filepath.Join(t.TempDir(), "whisper-backup.db")
	ctlOK(t, liveEnv, "backup", "--out", backup)
	ctlOK(t, liveEnv, "hold", "set", "--ref", heldRef, "--reason", "a court's order")
	ctlOK(t, liveEnv, "erase", "--ref", erasedRef, "--reason", "the reporter asked")
	require.NoError(t, server.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, server.cmd.Wait())

	restored := filepath.Join(t.TempDir(), "whisper.db")
	copyFile(t, backup, restored)
	copyFile(t, live+".key", restored+".key")
	restoredEnv := []string{"WHISPER_DATABASE_URL=sqlite:" + restored}
	seq, _, ok := strings.Cut(strings.TrimSpace(ctlOK(t, restoredEnv, "audit", "head")), ":")
	require.True(t, ok)
	var since []struct {
		Action string `json:"action"`
		Ref    string `json:"ref"`
		Reason string `json:"reason"`
	}
	require.NoError(t, json.Unmarshal([]byte(ctlOK(t, liveEnv, "audit", "list", "--after", seq, "--limit", "100000", "--json")), &since))
	done := map[string]bool{}
	for _, e := range since {
		switch e.Action {
		case "hold.set":
			ctlOK(t, restoredEnv, "hold", "set", "--ref", e.Ref, "--reason", "again after the restore: "+e.Reason)
		case "erase":
			ctlOK(t, restoredEnv, "erase", "--ref", e.Ref, "--reason", "again after the restore: "+e.Reason)
		default:
			continue
		}
		done[e.Action+" "+e.Ref] = true
	}
	assert.Equal(t, map[string]bool{"hold.set " + heldRef: true, "erase " + erasedRef: true}, done)

	// Long enough ago that the purge would erase everything not held.
	ageEverything(t, restored, 3*365*24*time.Hour)
	again := startProcess(t, restoredEnv)
	status, body := get(t, again.url+heldLink)
	assert.Equal(t, http.StatusOK, status, "the hold made again keeps it from the purge")
	assert.Contains(t, body, "keep this one")
	status, _ = get(t, again.url+erasedLink)
	assert.Equal(t, http.StatusNotFound, status, "the erasure made again")
}

// A plain copy of a running database can be an empty file: whisperd does
// not migrate it into an empty database that would pass for the copy.
func TestRefusesAnEmbeddedFileWithNoSchema(t *testing.T) {
	copied := filepath.Join(t.TempDir(), "whisper.db")
	require.NoError(t, os.WriteFile(copied, nil, 0o600))
	var stderr syncBuffer
	err := run(context.Background(), env{
		args: []string{"--listen", "127.0.0.1:0", "--database-url", "sqlite:" + copied},
		getenv: func(k string) string {
			return map[string]string{"WHISPER_SECURITY_DATA_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}[k]
		},
		stdout: io.Discard, stderr: &stderr,
		ready: func(string) { t.Error("whisperd must not serve") },
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "holds no Whisper schema")
	assert.Contains(t, err.Error(), "do not migrate it")
	db, err := sql.Open("sqlite", "file:"+copied)
	require.NoError(t, err)
	defer db.Close()
	var tables int
	require.NoError(t, db.QueryRow("SELECT count(*) FROM sqlite_master").Scan(&tables))
	assert.Zero(t, tables, "no schema was made in it")
}
