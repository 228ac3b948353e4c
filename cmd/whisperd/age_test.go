package main

import (
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"
)

// ageEverything moves every interaction of an SQLite database back by age,
// as if it had been waiting that long.
func ageEverything(t *testing.T, path string, age time.Duration) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	defer db.Close()
	old := time.Now().Add(-age).UTC().Format("2006-01-02 15:04:05.999999-07:00")
	_, err = db.Exec("UPDATE interactions SET created_at = ?, last_activity_at = ?", old, old)
	require.NoError(t, err)
}
