package logging

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clock is a hand-moved clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// lockedBuffer is a buffer many goroutines may log into.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// repeatsLogger returns a logger behind Repeats with a one-minute window,
// writing JSON lines to the returned buffer, and the clock it reads.
func repeatsLogger() (*slog.Logger, *Repeats, *lockedBuffer, *clock) {
	buf := &lockedBuffer{}
	clk := &clock{t: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
	h := NewRepeats(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}), time.Minute, clk.now)
	return slog.New(h), h, buf, clk
}

// lines parses every JSON line written.
func lines(t *testing.T, b *lockedBuffer) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b.buf.Bytes()))
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), sc.Text())
		out = append(out, m)
	}
	return out
}

// total adds up the records lines stand for: one for a plain line, count
// for a summary.
func total(ls []map[string]any) int {
	n := 0
	for _, l := range ls {
		if c, ok := l["count"].(float64); ok {
			n += int(c)
		} else {
			n++
		}
	}
	return n
}

func TestASteadyFailureWritesALineAMinute(t *testing.T) {
	log, _, buf, clk := repeatsLogger()
	for range 181 { // every second for three minutes
		log.Error("outbox pass failed", slog.String("error", "connection refused"))
		clk.advance(time.Second)
	}
	ls := lines(t, buf)
	require.Len(t, ls, 4, "the first, then one summary a minute")
	assert.Equal(t, "outbox pass failed", ls[0]["msg"])
	assert.NotContains(t, ls[0], "count")
	assert.Equal(t, "outbox pass failed (repeated 59 times in the last minute)", ls[1]["msg"])
	assert.EqualValues(t, 59, ls[1]["count"])
	assert.Equal(t, "ERROR", ls[1]["level"])
	assert.Equal(t, "connection refused", ls[1]["error"], "a summary carries the latest repeat's attributes")
	for _, l := range ls[2:] {
		assert.Equal(t, "outbox pass failed (repeated 60 times in the last minute)", l["msg"])
	}
	assert.Equal(t, 180, total(ls), "the 181st is held in the fourth minute")
}

func TestInfoPassesAndOneOffsAreWritten(t *testing.T) {
	log, _, buf, clk := repeatsLogger()
	for range 5 {
		log.Info("listening")
		log.Debug("text received")
	}
	log.Warn("relay stalled")
	clk.advance(2 * time.Minute)
	log.Warn("relay stalled")
	ls := lines(t, buf)
	require.Len(t, ls, 12, "info and debug are never held back, nor a warning alone in its minute")
	assert.Equal(t, "relay stalled", ls[10]["msg"])
	assert.Equal(t, "relay stalled", ls[11]["msg"])
}

func TestGroupsAreLevelMessageAndKind(t *testing.T) {
	log, _, buf, _ := repeatsLogger()
	for range 3 {
		log.Warn("delivery attempt failed", slog.String("kind", "staff_alert"), slog.Int("attempt", 1))
		log.Warn("delivery attempt failed", slog.String("kind", "reporter_link"))
		log.Error("delivery attempt failed", slog.String("kind", "staff_alert"))
		log.With(slog.String("kind", "digest")).Warn("delivery attempt failed")
		log.Warn("retention sweep failed")
	}
	ls := lines(t, buf)
	assert.Len(t, ls, 5, "one line for each of five groups")
}

func TestHeldRepeatsAreCountedWhenTheFailureStops(t *testing.T) {
	log, rep, buf, clk := repeatsLogger()
	for range 10 { // seconds 0 to 9
		log.Error("database unreachable")
		clk.advance(time.Second)
	}
	log.Warn("mail server unreachable") // second 10
	log.Warn("mail server unreachable")
	require.Len(t, lines(t, buf), 2)

	clk.advance(55 * time.Second)
	log.Info("request served") // any record after a window writes its summary
	ls := lines(t, buf)
	require.Len(t, ls, 4, "the database's minute is over, the mail server's is not")
	assert.Equal(t, "database unreachable (repeated 9 times in the last minute)", ls[2]["msg"])
	assert.Equal(t, "request served", ls[3]["msg"])

	require.NoError(t, rep.Flush(context.Background()))
	ls = lines(t, buf)
	require.Len(t, ls, 5)
	assert.Equal(t, "mail server unreachable (repeated 1 time in the last minute)", ls[4]["msg"])
	assert.EqualValues(t, 1, ls[4]["count"])

	log.Warn("mail server unreachable")
	require.NoError(t, rep.Flush(context.Background()))
	ls = lines(t, buf)
	require.Len(t, ls, 6, "after a flush the next is a first again, and nothing is held")
	assert.Equal(t, "mail server unreachable", ls[5]["msg"])
}

func TestASummaryKeepsTheLoggersAttributes(t *testing.T) {
	log, rep, buf, _ := repeatsLogger()
	relay := log.With(slog.String("worker", "relay")).WithGroup("delivery")
	relay.Warn("attempt failed", slog.String("kind", "staff_alert"))
	relay.Warn("attempt failed", slog.String("kind", "staff_alert"))
	require.NoError(t, rep.Flush(context.Background()))
	ls := lines(t, buf)
	require.Len(t, ls, 2)
	assert.Equal(t, "relay", ls[1]["worker"])
	assert.Equal(t, map[string]any{"kind": "staff_alert", "count": 1.0}, ls[1]["delivery"])
}

// Many goroutines failing at once: each record is either written or
// counted in exactly one summary.
func TestRacingRepeatsAreEachCountedOnce(t *testing.T) {
	log, rep, buf, clk := repeatsLogger()
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 50 {
				log.Error("outbox pass failed")
				log.Warn("delivery attempt failed", slog.String("kind", "staff_alert"))
				clk.advance(time.Second)
			}
		})
	}
	wg.Wait()
	require.NoError(t, rep.Flush(context.Background()))
	ls := lines(t, buf)
	assert.Equal(t, 2*16*50, total(ls))
	// 800 seconds of clock: at most a first line and a summary a minute
	// for each of the two groups, and one summary flushed.
	assert.LessOrEqual(t, len(ls), 2*(800/60+2))
}

func TestSweepWritesWhatIsDueWithoutANewRecord(t *testing.T) {
	log, rep, buf, clk := repeatsLogger()
	log.Error("database unreachable")
	log.Error("database unreachable")
	require.NoError(t, rep.Sweep(context.Background()))
	require.Len(t, lines(t, buf), 1, "its minute is not over")
	clk.advance(time.Minute)
	require.NoError(t, rep.Sweep(context.Background()))
	ls := lines(t, buf)
	require.Len(t, ls, 2)
	assert.Equal(t, "database unreachable (repeated 1 time in the last minute)", ls[1]["msg"])
	clk.advance(time.Minute)
	require.NoError(t, rep.Sweep(context.Background()))
	require.NoError(t, rep.Flush(context.Background()))
	assert.Len(t, lines(t, buf), 2, "nothing more held")
}
