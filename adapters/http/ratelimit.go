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

// full reports whether key has used up its allowance.
func (l *limiter) full(key string) bool {
	if l.limit <= 0 {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recent(key, l.now())) >= l.limit
}

// record counts one event for key.
func (l *limiter) record(key string) {
	if l.limit <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.events[key] = append(l.recent(key, now), now)
	// Forget quiet keys now and then, so memory follows the traffic of the
	// last hour, not of all time.
	if len(l.events) > 4096 {
		for k := range l.events {
			if len(l.recent(k, now)) == 0 {
				delete(l.events, k)
			}
		}
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
