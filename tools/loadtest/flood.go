package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// floodMaxP99 is the flood target (docs/performance.md): while one address floods, another
// address's reports answer with p99 within twice their p99 at idle.
const floodMaxP99 = 2.0

// runFlood starts the real whisperd, with its rate limits as configured,
// on a new embedded store with the demo form, and measures another
// address's report latency at idle and while one address posts a flood of
// reports. Idle and flood alternate round by round (A B A B), each flood
// from an address of its own, so that load from elsewhere on the machine
// falls on both alike.
func runFlood(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("flood", flag.ExitOnError)
	var (
		posts   = fs.Int("posts", 10_000, "reports posted by each flood")
		clients = fs.Int("clients", 16, "concurrent connections a flood uses")
		rounds  = fs.Int("rounds", 2, "rounds of idle and flood (A B A B …)")
		perIP   = fs.Int("reports-per-ip", 30, "limits.reports_per_ip given to whisperd")
		perForm = fs.Int("reports-per-form", 600, "limits.reports_per_form given to whisperd")
		samples = fs.Int("samples", 100, "reports by other addresses in each idle round; as many at most during each flood")
	)
	fs.Parse(args)
	// Each report by another address counts against the form's limit too.
	if need := *rounds * (*perIP + 2**samples); *perForm > 0 && need > *perForm {
		return fmt.Errorf("-rounds × (-reports-per-ip + 2 × -samples) = %d must stay within -reports-per-form (%d), or the form's limit would refuse the other addresses", need, *perForm)
	}
	w, stop, err := launchWhisperd(ctx, []string{
		"limits:",
		fmt.Sprintf("  reports_per_ip: %d", *perIP),
		fmt.Sprintf("  reports_per_form: %d", *perForm),
	}, nil, "--demo")
	if err != nil {
		return err
	}
	defer stop()
	fmt.Printf("whisperd --demo on a new embedded store, limits.reports_per_ip %d, limits.reports_per_form %d\n", *perIP, *perForm)
	fmt.Printf("%d rounds of: idle, then a flood of %d reports from one address (127.0.0.2, 127.0.0.3, …) over %d connections;\n", *rounds, *posts, *clients)
	fmt.Printf("other addresses send one report at a time throughout (%d per idle round), each address at most %d\n\n", *samples, othersPerAddress)

	target := w.url + "/r/DEMO"
	inbox, err := demoInbox(ctx, target)
	if err != nil {
		return err
	}
	others := &otherReporters{target: target, inbox: inbox}
	var idle, during measurement
	cutOK := true
	for r := range *rounds {
		i := others.run(ctx, *samples, nil)
		if i.failed > 0 || i.ok == 0 {
			return fmt.Errorf("at idle, %d of %d reports from other addresses were refused (status %v)", i.failed, *samples, others.lastBad)
		}
		idle.add(i)
		f, d := floodOnce(ctx, target, fmt.Sprintf("127.0.0.%d", r+2), inbox, *posts, *clients, others, *samples)
		during.add(d)
		fmt.Printf("flood %d: %d posts in %s (%.0f/s): accepted (303) %d, refused (429) %d, other status %d, transport errors %d\n",
			r+1, *posts, f.elapsed.Round(time.Millisecond), float64(*posts)/f.elapsed.Seconds(), f.accepted, f.limited, f.other, f.transport)
		cutOK = cutOK && f.accepted == *perIP && f.limited == *posts-*perIP
	}
	fmt.Printf("each flood cut to the limit (%d accepted, the rest 429): %s\n\n", *perIP, verdict(cutOK))
	fmt.Println("other addresses' reports:")
	fmt.Printf("  idle:         %3d accepted, %d refused, p50 %s, p99 %s\n", idle.ok, idle.failed, fmtDur(idle.percentile(0.5)), fmtDur(idle.percentile(0.99)))
	fmt.Printf("  during flood: %3d accepted, %d refused, p50 %s, p99 %s\n", during.ok, during.failed, fmtDur(during.percentile(0.5)), fmtDur(during.percentile(0.99)))
	if during.ok == 0 {
		return errors.New("no report from another address was accepted during a flood")
	}
	ratio := float64(during.percentile(0.99)) / float64(idle.percentile(0.99))
	fmt.Printf("p99 during flood / p99 idle: %.2f× (target ≤ %.1f×: %s)\n", ratio, floodMaxP99, verdict(ratio <= floodMaxP99 && during.failed == 0))
	return nil
}

// floodResult counts one flood's answers.
type floodResult struct {
	accepted, limited, other, transport int
	elapsed                             time.Duration
}

// floodOnce posts posts reports from src over clients connections, while
// others post up to samples reports one at a time; it returns the flood's
// counts and the others' measurement.
func floodOnce(ctx context.Context, target, src, inbox string, posts, clients int, others *otherReporters, samples int) (floodResult, measurement) {
	var accepted, limited, other, transport atomic.Int64
	work := make(chan int)
	done := make(chan struct{})
	var flood sync.WaitGroup
	client := fromAddress(src, clients)
	defer client.CloseIdleConnections()
	body := url.Values{"message": {"flood"}, "category": {inbox}}.Encode()
	for range clients {
		flood.Go(func() {
			for range work {
				switch status, err := postReport(ctx, client, target, body); {
				case err != nil:
					transport.Add(1)
				case status == http.StatusSeeOther:
					accepted.Add(1)
				case status == http.StatusTooManyRequests:
					limited.Add(1)
				default:
					other.Add(1)
				}
			}
		})
	}
	start := time.Now()
	go func() {
		for i := range posts {
			work <- i
		}
		close(work)
		flood.Wait()
		close(done)
	}()
	during := others.run(ctx, samples, done)
	<-done
	return floodResult{
		accepted: int(accepted.Load()), limited: int(limited.Load()), other: int(other.Load()), transport: int(transport.Load()),
		elapsed: time.Since(start),
	}, during
}

// othersPerAddress is how many reports each other address sends, well
// below any sensible per-address limit.
const othersPerAddress = 10

// otherReporters post reports one at a time, each from a fresh loopback
// address every othersPerAddress reports.
type otherReporters struct {
	target, inbox string
	n             int
	lastBad       int
}

// run posts up to n reports, one after another, stopping early when stop
// is closed, and measures them.
func (o *otherReporters) run(ctx context.Context, n int, stop <-chan struct{}) measurement {
	var m measurement
	var c *http.Client
	start := time.Now()
	for range n {
		select {
		case <-stop:
			m.elapsed = time.Since(start)
			return m
		default:
		}
		if o.n%othersPerAddress == 0 || c == nil {
			c = fromAddress(loopback(2, o.n/othersPerAddress), 1)
		}
		o.n++
		body := url.Values{"message": {fmt.Sprintf("A report from another address, number %d.", o.n)}, "category": {o.inbox}}.Encode()
		t0 := time.Now()
		status, err := postReport(ctx, c, o.target, body)
		if err != nil || status != http.StatusSeeOther {
			m.failed++
			o.lastBad = status
			continue
		}
		m.ok++
		m.latencies = append(m.latencies, time.Since(t0))
	}
	m.elapsed = time.Since(start)
	return m
}

// postReport posts the report form as a browser does from the form page.
func postReport(ctx context.Context, c *http.Client, target, body string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	u, _ := url.Parse(target)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", u.Scheme+"://"+u.Host)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// demoInbox reads the first category (inbox) offered on the form page.
func demoInbox(ctx context.Context, formURL string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, formURL, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	m := regexp.MustCompile(`option value="(inb_[a-z2-7]+)"`).FindSubmatch(page)
	if m == nil {
		return "", fmt.Errorf("no category on %s (%s)", formURL, resp.Status)
	}
	return string(m[1]), nil
}
