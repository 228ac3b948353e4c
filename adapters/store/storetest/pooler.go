package storetest

import (
	"testing"

	"github.com/whisper-schools/whisper/ports"
)

// RunPooled runs the parts of the contract that a connection pooler in
// transaction mode could break, on stores opened through one: a read-only
// View (said per transaction, not per session), writers and outbox
// claims on many connections at once, and leadership leases. A session
// setting, a cached prepared statement or a session lock shows up here as
// a failure, since consecutive transactions of one client meet different
// server sessions, and one server session serves many clients.
func RunPooled(t *testing.T, open func(t *testing.T) ports.Store) {
	for name, fn := range map[string]func(*testing.T, ports.Store){
		"ViewCannotWrite":              testViewCannotWrite,
		"ConcurrentWriters":            testConcurrentWriters,
		"OutboxClaimIsExclusive":       testOutboxClaimExclusive,
		"LeadershipExcludesOneHolder":  func(t *testing.T, st ports.Store) { TwoLeaders(t, st, st) },
		"Race/OneHolderAtATime":        func(t *testing.T, st ports.Store) { RaceLeaders(t, st, st) },
		"Race/OneHolderAfterATakeOver": raceTakeOver,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, open(t))
		})
	}
}
