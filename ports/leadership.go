package ports

import (
	"context"
	"errors"
)

// Leadership lets the instances that share a store take turns at
// background work that must never run twice at once, such as the
// retention purge: whichever instance takes a named lock does the work,
// and the others find it taken and leave the work to it.
//
// A lock is a lease kept in the store itself: a row naming its holder and
// when the lease runs out. The holder renews it while fn runs and gives
// it up when fn returns. A holder that dies stops renewing, and its lease
// runs out (after a minute by default), so a crashed holder keeps the
// others out for one lease at most. Being rows, leases need no session of
// their own: they work through a connection pooler in transaction mode,
// and every process on the same database — whisperd's sweep and an
// operator's `whisperctl purge` alike — sees them. Locks are not
// re-entrant: fn taking the lock it holds finds it taken.
//
// A holder that cannot renew its lease in time (the database down for
// longer than the lease, or the process stalled) may find another has
// taken it over. It then learns so at once: fn's ctx is cancelled, with
// ErrLeadershipLost as its cause (context.Cause), so that fn stops
// before doing more work that another may now be doing too.
type Leadership interface {
	// Exclusive runs fn unless another holder of the lock called name is
	// running it, and reports whether it ran. It does not wait: when the
	// lock is taken it returns false and a nil error at once. When fn ran,
	// its error is returned as it is; when the lease was lost while fn ran,
	// the error also wraps ErrLeadershipLost, even if fn returned nil. An
	// error taking the lock is returned with ran false.
	Exclusive(ctx context.Context, name string, fn func(ctx context.Context) error) (ran bool, err error)
}

// ErrLeadershipLost is the cause of a leader's cancelled context when
// its lease ran out and another may have taken the lock over.
var ErrLeadershipLost = errors.New("the lock's lease ran out while its job ran; another instance may have taken it over")
