package store_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/adapters/store/pgtest"
	"github.com/whisper-schools/whisper/adapters/store/storetest"
)

// testExclusive opens two stores on one database, as two instances would,
// and checks that while one runs the job the other does not.
func testExclusive(t *testing.T, url string) {
	keys := storetest.Keys(t)
	var stores [2]*store.Store
	for i := range stores {
		st, err := store.Open(context.Background(), url, keys)
		require.NoError(t, err)
		t.Cleanup(func() { st.Close() })
		stores[i] = st
	}
	var runs atomic.Int32
	ran, err := stores[0].Exclusive(context.Background(), "sweep", func(ctx context.Context) error {
		runs.Add(1)
		other, err := stores[1].Exclusive(ctx, "sweep", func(context.Context) error { runs.Add(1); return nil })
		require.NoError(t, err)
		assert.False(t, other, "the other instance must not run it meanwhile")
		another, err := stores[1].Exclusive(ctx, "other-job", func(context.Context) error { return nil })
		require.NoError(t, err)
		assert.True(t, another, "a different lock is free")
		return nil
	})
	require.NoError(t, err)
	assert.True(t, ran)
	assert.Equal(t, int32(1), runs.Load())
	ran, err = stores[1].Exclusive(context.Background(), "sweep", func(context.Context) error { return nil })
	require.NoError(t, err)
	assert.True(t, ran, "released afterwards")
}

func TestExclusiveOnSQLite(t *testing.T) {
	testExclusive(t, "sqlite:"+filepath.Join(t.TempDir(), "whisper.db"))
}

func TestExclusiveOnPostgres(t *testing.T) {
	testExclusive(t, pgtest.NewDatabase(t))
}
