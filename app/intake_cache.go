package app

import (
	"context"
	"sync"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// IntakeCacheFor is how long whisperd lets what taking a report reads — a
// report form, whether any block is in force — serve further reports once
// read. A change made through the same Service
// is seen at once (see changeIntake); one made by another instance or by
// whisperctl within this time: a form closed a moment ago may take one more
// report, and a sender blocked a moment ago may send one more. Whom
// a report alerts is never cached (see alertRecipients): a member's
// language and notification choice are read with each report.
const IntakeCacheFor = time.Second

// intakeCache keeps, for a moment, what every report reads the same way:
// when a whole year group reports the same incident, every report reads
// the same form and the same (usually empty) block list, and on a busy
// store those reads were most of a report's statements. It holds forms,
// organisations, inboxes and one yes-or-no; nothing about reporters or
// staff.
type intakeCache struct {
	keep time.Duration // zero: no caching
	mu   sync.Mutex
	// forgets counts forget calls, so that a value read before a change is
	// not kept after it.
	forgets uint64
	forms   map[domain.FormCode]remembered[ReportForm]
	// anyBlocks has one entry at most: whether any block is in force.
	anyBlocks map[struct{}]remembered[bool]
}

type remembered[V any] struct {
	value V
	read  time.Time // on the monotonic clock, not the service's
}

// recall returns m's value for key while it is fresh, and otherwise reads
// it and remembers it. Values are shared: read them, never change them.
func recall[K comparable, V any](c *intakeCache, m *map[K]remembered[V], key K, read func() (V, error)) (V, error) {
	if c.keep == 0 {
		return read()
	}
	started := time.Now()
	c.mu.Lock()
	r, ok := (*m)[key]
	forgets := c.forgets
	c.mu.Unlock()
	if ok && time.Since(r.read) < c.keep {
		return r.value, nil
	}
	v, err := read()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if c.forgets == forgets {
		if *m == nil {
			*m = map[K]remembered[V]{}
		}
		(*m)[key] = remembered[V]{value: v, read: started}
	}
	c.mu.Unlock()
	return v, nil
}

// reader runs fn with a transaction to read in: one already open (within)
// or a View of its own (Service.view). The cache opens one only for what
// it does not hold, so a report whose intake is all cached reads nothing.
type reader func(fn func(tx ports.Tx) error) error

// within reads in tx.
func within(tx ports.Tx) reader { return func(fn func(tx ports.Tx) error) error { return fn(tx) } }

// view reads in a View of its own.
func (s *core) view(ctx context.Context) reader {
	return func(fn func(tx ports.Tx) error) error { return s.store.View(ctx, fn) }
}

// form returns the report form with that code, kept by its canonical
// form (codes are read in any case).
func (c *intakeCache) form(ctx context.Context, read reader, code string, now time.Time) (ReportForm, error) {
	load := func() (rf ReportForm, err error) {
		err = read(func(tx ports.Tx) error {
			rf, err = loadReportForm(ctx, tx, code, now)
			return err
		})
		return rf, err
	}
	fc, err := domain.ParseFormCode(code)
	if err != nil {
		return ReportForm{}, errNoSuchForm
	}
	rf, err := recall(c, &c.forms, fc, load)
	if err != nil {
		return rf, err
	}
	return rf.at(now), nil
}

// blocked reports whether the sender is blocked at now. Blocks are rare:
// while none is in force, the sender is not looked up at all.
func (c *intakeCache) blocked(ctx context.Context, read reader, sender domain.Sender, now time.Time) (blocked bool, err error) {
	if c.keep != 0 {
		anyBlocks, err := recall(c, &c.anyBlocks, struct{}{}, func() (found bool, err error) {
			err = read(func(tx ports.Tx) error {
				found, err = tx.Blocks().AnyInForce(ctx, now)
				return err
			})
			return found, err
		})
		if err != nil || !anyBlocks {
			return false, err
		}
	}
	err = read(func(tx ports.Tx) error {
		blocked, err = tx.Blocks().Blocked(ctx, sender, now)
		return err
	})
	return blocked, err
}

// forget empties the cache.
func (c *intakeCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forgets++
	clear(c.forms)
	clear(c.anyBlocks)
}

// changeIntake runs fn, which changes forms, inboxes, organisations or
// staff's inboxes, in a transaction, and then forgets what was cached.
func (s *core) changeIntake(ctx context.Context, fn func(tx ports.Tx) error) error {
	defer s.intake.forget()
	return s.store.InTx(ctx, fn)
}
