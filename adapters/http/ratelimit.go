package http

import (
	"sync"
	"time"
)

// limiter counts events per key over a sliding hour, in this process's
// memory. Several instances each count their own share; that keeps a flood
// in check without a shared counter on the hot path. A limit of zero lets
// everything through.
type limiter struct {
	limit  int
	window time.Duration
	now    func() time.Time

	mu     sync.Mutex
	events map[string][]time.Time
}

func newLimiter(limit int, window time.Duration, now func() time.Time) *limiter {
	return &limiter{limit: limit, window: window, now: now, events: map[string][]time.Time{}}
}

// take reserves one of key's allowance and reports whether there was one
// left. Checking and counting are one step, so concurrent requests cannot
// all slip through below the limit; an attempt that does not become a
// report gives its place back with release.
func (l *limiter) take(key string) bool {
	if l.limit <= 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	recent := l.recent(key, now)
	if len(recent) >= l.limit {
		return false
	}
	l.events[key] = append(recent, now)
	// Forget quiet keys now and then, so memory follows the traffic of the
	// last hour, not of all time.
	if len(l.events) > 4096 {
		for k := range l.events {
			if len(l.recent(k, now)) == 0 {
				delete(l.events, k)
			}
		}
	}
	return true
}

// release gives back the place the last take reserved for key.
func (l *limiter) release(key string) {
	if l.limit <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if ev := l.events[key]; len(ev) > 0 {
		l.events[key] = ev[:len(ev)-1]
	}
}

// recent drops key's events older than the window and returns the rest.
func (l *limiter) recent(key string, now time.Time) []time.Time {
	ev := l.events[key]
	cut := 0
	for cut < len(ev) && now.Sub(ev[cut]) >= l.window {
		cut++
	}
	ev = ev[cut:]
	if len(ev) == 0 {
		delete(l.events, key)
		return nil
	}
	l.events[key] = ev
	return ev
}
