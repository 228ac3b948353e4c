package store_test

import (
	"testing"

	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/ports"
)

func TestSQLiteContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) ports.Store { return storetest.OpenSQLite(t) })
}

func TestPostgresContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) ports.Store { return storetest.OpenPostgres(t) })
}
