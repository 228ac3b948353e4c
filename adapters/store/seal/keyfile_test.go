package seal

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeyFilePath(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "/var/lib/whisper/whisper.db.key", KeyFilePath("/var/lib/whisper/whisper.db"))
}

func TestLoadOrCreateKeyFile(t *testing.T) {
	t.Parallel()
	path := KeyFilePath(filepath.Join(t.TempDir(), "whisper.db"))

	key, created, err := LoadOrCreateKeyFile(path)
	require.NoError(t, err)
	assert.True(t, created)
	assert.Len(t, key, KeySize)

	fi, err := os.Stat(path)
	require.NoError(t, err)
	if runtime.GOOS != "windows" {
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	}
	text, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, base64.StdEncoding.EncodeToString(key)+"\n", string(text))

	again, created, err := LoadOrCreateKeyFile(path)
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, key, again)

	_, err = New(key)
	assert.NoError(t, err)
}

func TestLoadKeyFileWrittenByOperator(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	path := filepath.Join(t.TempDir(), "whisper.db.key")
	// No trailing newline, URL-safe alphabet: as an operator might paste it.
	require.NoError(t, os.WriteFile(path, []byte(base64.RawURLEncoding.EncodeToString(key)), 0o600))

	got, created, err := LoadOrCreateKeyFile(path)
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, key, got)
}

func TestLoadKeyFileRefusesOpenPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix permission bits")
	}
	t.Parallel()
	key := newKey(t)
	path := filepath.Join(t.TempDir(), "whisper.db.key")
	text := base64.StdEncoding.EncodeToString(key) + "\n"
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	require.NoError(t, os.Chmod(path, 0o644)) // Chmod, not WriteFile's mode, to escape the umask

	_, _, err := LoadOrCreateKeyFile(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "chmod 600")
	assert.Contains(t, err.Error(), "0644")
	assert.NotContains(t, err.Error(), text[:10])

	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, text, string(after), "a refused key file is left alone")
}

func TestLoadKeyFileRejectsBadContent(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "whisper.db.key")
	text := base64.StdEncoding.EncodeToString(newKey(t)[:16]) + "\n"
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))

	_, _, err := LoadOrCreateKeyFile(path)
	require.ErrorContains(t, err, "got 16")
	assert.Contains(t, err.Error(), path)
	assert.NotContains(t, err.Error(), text[:10])
}

func TestLoadOrCreateKeyFileConcurrent(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "whisper.db.key")

	const callers = 20
	var (
		wg      sync.WaitGroup
		start   = make(chan struct{})
		keys    [callers][]byte
		created [callers]bool
		errs    [callers]error
	)
	for i := range callers {
		wg.Go(func() {
			<-start
			keys[i], created[i], errs[i] = LoadOrCreateKeyFile(path)
		})
	}
	close(start)
	wg.Wait()

	creators := 0
	for i := range callers {
		require.NoError(t, errs[i], "caller %d", i)
		assert.Equal(t, keys[0], keys[i], "caller %d", i)
		if created[i] {
			creators++
		}
	}
	assert.Equal(t, 1, creators, "exactly one caller creates the file")
}

// A caller that finds the file created but not yet written waits for the
// creator to finish instead of failing on an empty key.
func TestLoadKeyFileWaitsForCreator(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	path := filepath.Join(t.TempDir(), "whisper.db.key")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	require.NoError(t, err)

	done := make(chan struct{})
	var (
		got     []byte
		created bool
		loadErr error
	)
	go func() {
		defer close(done)
		got, created, loadErr = LoadOrCreateKeyFile(path)
	}()
	time.Sleep(5 * keyFilePoll)
	_, err = f.Write([]byte(base64.StdEncoding.EncodeToString(key) + "\n"))
	require.NoError(t, err)
	require.NoError(t, f.Close())
	<-done

	require.NoError(t, loadErr)
	assert.False(t, created)
	assert.Equal(t, key, got)
}
