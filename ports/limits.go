package ports

import (
	"context"
	"time"
)

// LimitWindow is the span every rate limit counts over: a limit of n lets
// n attempts of one key through in any hour.
const LimitWindow = time.Hour

// Limiter counts attempts per key for rate limits, shared by every
// instance that shares the store: on PostgreSQL the counts are kept in the
// database, so N instances allow a key its limit once, not N times; the
// embedded store keeps them in its process's memory. Keys name what is
// counted (an address, a form, a number) and are kept only as blind
// indexes. Taking is not part of any transaction: a place taken stays
// taken until it is released or leaves the window.
type Limiter interface {
	// Take reserves one of key's limit places for the LimitWindow, at
	// now, and reports whether there was one left. Checking and counting
	// are one step, so attempts racing for a key's last place cannot all
	// win it, on one instance or several. limit must be at least 1.
	Take(ctx context.Context, key string, limit int, now time.Time) (bool, error)
	// TakeAll reserves one place of each ask's key at now, all or none:
	// when any key is full it holds nothing and reports false. A report
	// takes its address's place and its form's this way, in one step.
	TakeAll(ctx context.Context, now time.Time, asks ...LimitAsk) (bool, error)
	// Release gives back one of key's places taken at at, for an attempt
	// that did not become what the limit counts. Releasing a place that
	// has left the window already does nothing.
	Release(ctx context.Context, key string, at time.Time) error
	// ForgetBefore forgets the keys of which nothing was taken since t:
	// their counts are empty, and need not be kept. It returns how many.
	ForgetBefore(ctx context.Context, t time.Time) (int, error)
}

// LimitAsk asks for one place of Key's limit of Limit (at least 1).
type LimitAsk struct {
	Key   string
	Limit int
}
