package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/domain"
)

// The backup's contents, taken while reports arrive, are tested through
// the binaries (cmd/whisperd TestBackupTakenWhileReportsArriveRestores);
// here, the file it makes and the files it will not.
func TestBackupMakesANewPrivateFileThatOpens(t *testing.T) {
	ctx := context.Background()
	keys := storetest.Keys(t)
	st := storetest.OpenURLWithKeys(t, "sqlite:"+filepath.Join(t.TempDir(), "whisper.db"), keys)
	out := filepath.Join(t.TempDir(), "backup.db")
	require.NoError(t, st.Backup(ctx, out))
	info, err := os.Stat(out)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	err = st.Backup(ctx, out)
	assert.Equal(t, domain.KindConflict, domain.KindOf(err), "never overwritten")
	again, err := os.Stat(out)
	require.NoError(t, err)
	assert.Equal(t, info.ModTime(), again.ModTime())

	restored, err := store.Open(ctx, "sqlite:"+out, keys)
	require.NoError(t, err)
	defer restored.Close()
	assert.NoError(t, restored.CheckSchema(ctx), "the copy has the whole schema")
}

func TestBackupIsForTheEmbeddedStoreOnly(t *testing.T) {
	st := storetest.OpenPostgres(t)
	out := filepath.Join(t.TempDir(), "backup.db")
	err := st.Backup(context.Background(), out)
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err))
	assert.Contains(t, domain.SafeWords(err).String(), "docs/operations.md")
	_, err = os.Stat(out)
	assert.True(t, os.IsNotExist(err), "nothing written")
}

// Backups racing for one name: exactly one writes it, the others are
// refused, and none overwrites another's copy.
func TestBackupsRacingForOneNameWriteItOnce(t *testing.T) {
	ctx := context.Background()
	st := storetest.OpenSQLite(t)
	out := filepath.Join(t.TempDir(), "backup.db")
	const racers = 8
	errs := make(chan error, racers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range racers {
		wg.Go(func() {
			<-start
			errs <- st.Backup(ctx, out)
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	written := 0
	for err := range errs {
		if err == nil {
			written++
			continue
		}
		assert.Equal(t, domain.KindConflict, domain.KindOf(err), "%v", err)
	}
	assert.Equal(t, 1, written)
	assert.NoError(t, quickCheck(t, out))
}

// quickCheck opens the file at path as SQLite and checks its structure.
func quickCheck(t *testing.T, path string) error {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	var result string
	if err := db.QueryRow("PRAGMA quick_check").Scan(&result); err != nil {
		return err
	}
	if result != "ok" {
		return fmt.Errorf("quick_check: %s", result)
	}
	return nil
}
