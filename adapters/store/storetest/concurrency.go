package storetest

import (
	"testing"

	"github.com/whisper-schools/whisper/ports"
)

// The concurrency section races requests against each other on one store:
// a promise that holds one request at a time but breaks when two meet is
// broken. Each area keeps its races in a file of its own (races_*.go); they
// all run here, on every store, under -race in CI.
func concurrencyTests() map[string]func(*testing.T, ports.Store) {
	all := map[string]func(*testing.T, ports.Store){}
	for _, area := range []map[string]func(*testing.T, ports.Store){interactionRaces, outboxRaces, staffRaces, textRaces, transactionRaces} {
		for name, fn := range area {
			all["Race/"+name] = fn
		}
	}
	return all
}
