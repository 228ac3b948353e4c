package store_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/adapters/store/pgtest"
	"github.com/whisper-schools/whisper/adapters/store/seal"
	"github.com/whisper-schools/whisper/adapters/store/storetest"
)

// twoStores opens two stores on one migrated database, as two instances
// would.
func twoStores(t *testing.T, url string) (first, second *store.Store) {
	keys := leaderKeys(t)
	var stores [2]*store.Store
	for i := range stores {
		st, err := store.Open(context.Background(), url, keys)
		require.NoError(t, err)
		t.Cleanup(func() { st.Close() })
		stores[i] = st
	}
	_, err := stores[0].Migrate(context.Background())
	require.NoError(t, err)
	return stores[0], stores[1]
}

func TestExclusiveOnSQLite(t *testing.T) {
	first, second := twoStores(t, "sqlite:"+filepath.Join(t.TempDir(), "whisper.db"))
	storetest.TwoLeaders(t, first, second)
}

func TestExclusiveOnPostgres(t *testing.T) {
	first, second := twoStores(t, pgtest.NewDatabase(t))
	storetest.TwoLeaders(t, first, second)
}

// Two instances' callers racing for one lock never run at once.
func TestExclusiveRaceOfTwoInstances(t *testing.T) {
	for name, url := range map[string]func(t testing.TB) string{
		"SQLite":     func(t testing.TB) string { return "sqlite:" + filepath.Join(t.TempDir(), "whisper.db") },
		"PostgreSQL": pgtest.NewDatabase,
	} {
		t.Run(name, func(t *testing.T) {
			first, second := twoStores(t, url(t))
			storetest.RaceLeaders(t, first, second)
		})
	}
}

// holderEnv names the database a child process of this test binary holds
// the "sweep" lock on, with a lease of a second, until its stdin closes.
const holderEnv = "WHISPER_TEST_HOLD_SWEEP"

// TestExclusiveAcrossProcesses holds the lock in another process, as
// whisperd's sweep holds it while an operator runs whisperctl purge: this
// process finds it taken; free at once when the other lets go; and when
// the other dies holding it, free once its lease has run out.
func TestExclusiveAcrossProcesses(t *testing.T) {
	if url := os.Getenv(holderEnv); url != "" {
		holdSweep(t, url)
		return
	}
	for name, url := range map[string]func(t testing.TB) string{
		"SQLite":     func(t testing.TB) string { return "sqlite:" + filepath.Join(t.TempDir(), "whisper.db") },
		"PostgreSQL": pgtest.NewDatabase,
	} {
		t.Run(name, func(t *testing.T) {
			url := url(t)
			st, _ := twoStores(t, url)
			sweep := func() bool {
				ran, err := st.Exclusive(context.Background(), "sweep", func(context.Context) error { return nil })
				require.NoError(t, err)
				return ran
			}

			child, stdin := startHolder(t, url)
			assert.False(t, sweep(), "the other process holds the lock")
			stdin.Close()
			require.NoError(t, child.Wait())
			assert.True(t, sweep(), "free at once when the other process let go")

			child, _ = startHolder(t, url)
			assert.False(t, sweep(), "the other process holds the lock")
			require.NoError(t, child.Process.Kill())
			child.Wait()
			// Its lease runs out a second after its last renewal.
			for !sweep() {
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}

// startHolder starts a child that holds the lock, and waits until it does.
func startHolder(t *testing.T, url string) (*exec.Cmd, io.Closer) {
	child := exec.Command(os.Args[0], "-test.run=^TestExclusiveAcrossProcesses$")
	child.Env = append(os.Environ(), holderEnv+"="+url)
	stdin, err := child.StdinPipe()
	require.NoError(t, err)
	stdout, err := child.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, child.Start())
	t.Cleanup(func() { child.Process.Kill(); child.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "holding\n", line)
	return child, stdin
}

// holdSweep is the child's part: it takes the lock, says so on stdout,
// and holds it until its stdin closes.
func holdSweep(t *testing.T, url string) {
	st, err := store.Open(context.Background(), url, leaderKeys(t))
	require.NoError(t, err)
	defer st.Close()
	st.SetLease(time.Second)
	ran, err := st.Exclusive(context.Background(), "sweep", func(context.Context) error {
		os.Stdout.WriteString("holding\n")
		_, err := io.ReadAll(os.Stdin)
		return err
	})
	require.NoError(t, err)
	require.True(t, ran)
}

// leaderKeys is the one data key of these tests' databases, the same in
// this process and its children: a store refuses a key other than the one
// its database was first opened with.
func leaderKeys(t *testing.T) *seal.Keyring {
	keys, err := seal.New(bytes.Repeat([]byte{7}, seal.KeySize))
	require.NoError(t, err)
	return keys
}
