package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// config is one run's shape.
type config struct {
	clients      int
	round        time.Duration
	rounds       int
	messageBytes int
}

// side is one server under load: the ceiling or Whisper.
type side struct {
	name    string
	url     string
	request func(n int) (*http.Request, error)
	want    int // the status a success answers
}

// measurement is what one side did over its rounds.
type measurement struct {
	ok, failed int
	elapsed    time.Duration
	latencies  []time.Duration
}

func (m measurement) throughput() float64 { return float64(m.ok) / m.elapsed.Seconds() }

func (m measurement) percentile(p float64) time.Duration {
	if len(m.latencies) == 0 {
		return 0
	}
	s := slices.Clone(m.latencies)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

// drive runs cfg.clients clients against s for one round. Redirects are
// not followed: a 303 is the answer being measured.
func drive(ctx context.Context, cfg config, s side, counter *counter) measurement {
	client := &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport:     &http.Transport{MaxIdleConnsPerHost: cfg.clients, MaxConnsPerHost: cfg.clients},
		Timeout:       30 * time.Second,
	}
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, cfg.round)
	defer cancel()
	var mu sync.Mutex
	var total measurement
	var wg sync.WaitGroup
	start := time.Now()
	for range cfg.clients {
		wg.Go(func() {
			var m measurement
			for ctx.Err() == nil {
				req, err := s.request(counter.next())
				if err != nil {
					m.failed++
					continue
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						m.failed++
					}
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != s.want {
					m.failed++
					continue
				}
				m.ok++
				m.latencies = append(m.latencies, time.Since(t0))
			}
			mu.Lock()
			total.ok += m.ok
			total.failed += m.failed
			total.latencies = append(total.latencies, m.latencies...)
			mu.Unlock()
		})
	}
	wg.Wait()
	total.elapsed = time.Since(start)
	return total
}

// counter numbers requests across clients, so each is unique.
type counter struct {
	mu sync.Mutex
	n  int
}

func (c *counter) next() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return c.n
}

// add merges another round into m.
func (m *measurement) add(o measurement) {
	m.ok += o.ok
	m.failed += o.failed
	m.elapsed += o.elapsed
	m.latencies = append(m.latencies, o.latencies...)
}

func fmtDur(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}
