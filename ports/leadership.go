package ports

import "context"

// Leadership lets the instances that share a store take turns at
// background work that must never run twice at once, such as the
// retention purge: whichever instance takes a named lock does the work,
// and the others find it taken and leave the work to it.
//
// A lock is held while fn runs and no longer: it is released when fn
// returns, and with the holder's connection or process when that dies,
// so a crashed holder never keeps the others out. Locks are not
// re-entrant: fn taking the lock it holds finds it taken.
//
// On PostgreSQL a lock is a session-level advisory lock, taken on a
// connection of its own, so every process on the database sees it. On
// SQLite it is an exclusive lock (flock) on a file beside the database,
// one per lock name, so every process on the machine that opens the same
// database file sees it — whisperd's sweep and an operator's
// `whisperctl purge` alike.
type Leadership interface {
	// Exclusive runs fn unless another holder of the lock called name is
	// running it, and reports whether it ran. It does not wait: when the
	// lock is taken it returns false and a nil error at once. When fn ran,
	// its error is returned as it is; an error taking the lock is returned
	// with ran false.
	Exclusive(ctx context.Context, name string, fn func(ctx context.Context) error) (ran bool, err error)
}
