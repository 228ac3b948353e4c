package logging

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Repeats is a slog.Handler that thins warnings and errors that repeat.
// Records are grouped by level, message and the "kind" attribute when
// there is one. The first of a group is written; the others within the
// window after it are counted, not written; once the window has passed, one
// record "<message> (repeated N times in the last minute)" with a "count"
// attribute (and the attributes of the latest repeat) stands for them, and
// a new window begins. A failure that happens every second thus writes a
// line a minute, and one that stops is still counted: the summary is
// written by the next record of any kind after its window, by Sweep, or by
// Flush.
//
// Records below warn (requests, starts, one-off notes) pass untouched.
type Repeats struct {
	next slog.Handler
	s    *repeatState
	// kind is the "kind" attribute added with WithAttrs, if any.
	kind string
}

// repeatState is shared by a Repeats and every handler derived from it, so
// that a logger With attributes counts with its parent.
type repeatState struct {
	window time.Duration
	now    func() time.Time
	mu     sync.Mutex
	seen   map[string]*repeat
}

// repeat is one group of records within its window.
type repeat struct {
	start time.Time
	// count is how many were held back since start; last is the latest of
	// them and h the handler it came through, for its summary.
	count int
	last  slog.Record
	h     slog.Handler
}

// NewRepeats returns next behind a repeat filter with the given window
// (time.Minute in the binaries) and clock (time.Now; tests pass their own).
func NewRepeats(next slog.Handler, window time.Duration, now func() time.Time) *Repeats {
	return &Repeats{next: next, s: &repeatState{window: window, now: now, seen: map[string]*repeat{}}}
}

// Enabled reports whether the handler behind it takes records at level.
func (h *Repeats) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// WithAttrs returns a handler adding as, counting repeats with h.
func (h *Repeats) WithAttrs(as []slog.Attr) slog.Handler {
	kind := h.kind
	for _, a := range as {
		if a.Key == "kind" {
			kind = a.Value.String()
		}
	}
	return &Repeats{next: h.next.WithAttrs(as), s: h.s, kind: kind}
}

// WithGroup returns a handler opening group name, counting repeats with h.
func (h *Repeats) WithGroup(name string) slog.Handler {
	return &Repeats{next: h.next.WithGroup(name), s: h.s, kind: h.kind}
}

// summary is a record to write through its handler.
type summary struct {
	h slog.Handler
	r slog.Record
}

// Handle writes r, or counts it when it repeats one written within the
// window, and writes the summaries of windows that have passed. Each
// summary covers repeats within one window, up to its own time.
func (h *Repeats) Handle(ctx context.Context, r slog.Record) error {
	s := h.s
	now := s.now()
	pass := true
	s.mu.Lock()
	out := s.due(now)
	if r.Level >= slog.LevelWarn {
		key := h.key(r)
		if rp, ok := s.seen[key]; ok {
			rp.hold(h.next, r)
			pass = false
		} else {
			s.seen[key] = &repeat{start: now}
		}
	}
	s.mu.Unlock()

	err := write(ctx, out)
	if pass {
		err = errors.Join(err, h.next.Handle(ctx, r))
	}
	return err
}

// due returns the summaries of the windows that have passed, each starting
// the next window of its group, so that a steady failure writes one line a
// window whatever else is logged meanwhile. A group with nothing held is
// forgotten. The caller holds s.mu.
func (s *repeatState) due(now time.Time) []summary {
	var out []summary
	for key, rp := range s.seen {
		switch {
		case now.Sub(rp.start) < s.window:
		case rp.count > 0:
			out = append(out, rp.summary(s.window))
			rp.start = now
		default:
			delete(s.seen, key)
		}
	}
	return out
}

// Sweep writes the summaries of the windows that have passed, as the next
// record would. whisperd calls it every few seconds, so that the count of
// a failure that has stopped is written within a minute or so even when
// nothing else is logged.
func (h *Repeats) Sweep(ctx context.Context) error {
	s := h.s
	now := s.now()
	s.mu.Lock()
	out := s.due(now)
	s.mu.Unlock()
	return write(ctx, out)
}

// write hands each summary to its handler.
func write(ctx context.Context, out []summary) error {
	var errs []error
	for _, sm := range out {
		errs = append(errs, sm.h.Handle(ctx, sm.r))
	}
	return errors.Join(errs...)
}

// Flush writes the summary of every group with repeats held back and
// forgets them all: whisperd calls it as it stops, so that no count is lost.
func (h *Repeats) Flush(ctx context.Context) error {
	s := h.s
	s.mu.Lock()
	var out []summary
	for key, rp := range s.seen {
		if rp.count > 0 {
			out = append(out, rp.summary(s.window))
		}
		delete(s.seen, key)
	}
	s.mu.Unlock()
	return write(ctx, out)
}

// key groups r by level, message and kind.
func (h *Repeats) key(r slog.Record) string {
	kind := h.kind
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "kind" {
			kind = a.Value.String()
			return false
		}
		return true
	})
	return fmt.Sprintf("%d\x00%s\x00%s", r.Level, r.Message, kind)
}

// hold counts r instead of writing it.
func (rp *repeat) hold(h slog.Handler, r slog.Record) {
	rp.count++
	rp.last, rp.h = r.Clone(), h
}

// summary returns the record that stands for the repeats held back, at the
// time of the latest (so that "in the last minute" is true of its time),
// and resets the count.
func (rp *repeat) summary(window time.Duration) summary {
	last := rp.last
	out := slog.NewRecord(last.Time, last.Level,
		fmt.Sprintf("%s (repeated %d %s in the last %s)", last.Message, rp.count, times(rp.count), windowWords(window)), last.PC)
	last.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(a)
		return true
	})
	out.AddAttrs(slog.Int("count", rp.count))
	h := rp.h
	rp.count, rp.last, rp.h = 0, slog.Record{}, nil
	return summary{h: h, r: out}
}

// windowWords names the window in a sentence: "minute", or a duration.
func windowWords(window time.Duration) string {
	if window == time.Minute {
		return "minute"
	}
	return window.String()
}

func times(n int) string {
	if n == 1 {
		return "time"
	}
	return "times"
}
