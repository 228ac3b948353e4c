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
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/whisper-schools/whisper/adapters/passhash"
)

// passwordHashMiB is the memory one password hash holds, rounded up: what
// whisperd divides its budget by.
var passwordHashMiB = passhash.DefaultParams().MemoryMiB()

// runSignin starts the real whisperd with a hashing budget on a new
// embedded store with the demo's admin, fires many sign-in attempts at
// once (one to the demo admin, the rest to accounts that do not exist,
// which are hashed just like real ones), and compares whisperd's peak memory
// during the burst with its idle memory plus the budget.
func runSignin(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("signin", flag.ExitOnError)
	var (
		attempts  = fs.Int("attempts", 200, "sign-in attempts fired at once; every other one has a wrong password")
		budget    = fs.Int("budget", 64, "security.password_hashing_memory_mib given to whisperd")
		allowance = fs.Int("allowance", 16, "MiB allowed above idle RSS + budget for the requests themselves (connections, goroutines, pages): about 80 KiB for each of 200")
		memLimit  = fs.String("gomemlimit", "", "GOMEMLIMIT for whisperd, e.g. 96MiB, or off for none; empty leaves whisperd's own soft limit (budget + 32 MiB)")
	)
	fs.Parse(args)
	w, stop, err := launchWhisperd(ctx, []string{
		"security:",
		fmt.Sprintf("  password_hashing_memory_mib: %d", *budget),
	}, goMemLimit(*memLimit), "--demo")
	if err != nil {
		return err
	}
	defer stop()
	email, password, err := demoSignIn(w.stdout.String())
	if err != nil {
		return err
	}
	slots := passhash.DefaultParams().SlotsWithin(*budget)
	fmt.Printf("whisperd --demo on a new embedded store, password_hashing_memory_mib %d (%d hashes of %d MiB at once)\n",
		*budget, slots, passwordHashMiB)
	if *memLimit != "" {
		fmt.Printf("whisperd runs with GOMEMLIMIT=%s\n", *memLimit)
	}
	fmt.Printf("%d sign-in attempts at once, one to the demo admin, the rest to addresses without an account, each from its own loopback address\n\n", *attempts)

	// Each attempt is a browser that has loaded the sign-in page and
	// posts the form from it: same-origin, from its own address, so that
	// the per-address throttle does not turn attempts away unhashed.
	clients := make([]*http.Client, *attempts)
	for i := range clients {
		clients[i] = fromAddress(loopback(1, i), 1)
		if err := getPage(ctx, clients[i], w.url+"/staff/login"); err != nil {
			return fmt.Errorf("loading the sign-in page: %w", err)
		}
	}
	time.Sleep(2 * time.Second) // let the page loads' garbage go
	idle, err := w.memory()
	if err != nil {
		return err
	}
	peakReset := w.resetPeak() == nil

	// Sample VmRSS while the burst lasts.
	sampled := idle.rss
	stopSampling := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Go(func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stopSampling:
				return
			case <-tick.C:
				if m, err := w.memory(); err == nil {
					sampled = max(sampled, m.rss)
				}
			}
		}
	})

	type outcome struct {
		status  int
		latency time.Duration
		err     error
	}
	outcomes := make([]outcome, *attempts)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range clients {
		// Each account may have only a few attempts checked at once (the
		// sign-in throttle counts an attempt before it is hashed), so the
		// burst goes to many accounts: unknown ones cost a hash too.
		who, pw := email, password
		if i > 0 {
			who = fmt.Sprintf("nobody-%d@loadtest.invalid", i)
		}
		wg.Go(func() {
			<-start
			t0 := time.Now()
			status, err := postSignIn(ctx, c, w.url, who, pw)
			outcomes[i] = outcome{status: status, latency: time.Since(t0), err: err}
		})
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	burst := time.Since(t0)
	time.Sleep(50 * time.Millisecond)
	close(stopSampling)
	sampler.Wait()
	after, err := w.memory()
	if err != nil {
		return err
	}

	statuses := map[int]int{}
	var latencies []time.Duration
	var failures []error
	for _, o := range outcomes {
		if o.err != nil {
			failures = append(failures, o.err)
			continue
		}
		statuses[o.status]++
		latencies = append(latencies, o.latency)
	}
	slices.Sort(latencies)
	m := measurement{latencies: latencies}
	fmt.Printf("burst: %s; signed in (303) %d, wrong password (401) %d, throttled (429) %d, other %d, transport errors %d\n",
		fmtDur(burst), statuses[http.StatusSeeOther], statuses[http.StatusUnauthorized], statuses[http.StatusTooManyRequests],
		len(latencies)-statuses[http.StatusSeeOther]-statuses[http.StatusUnauthorized]-statuses[http.StatusTooManyRequests], len(failures))
	for _, err := range failures[:min(len(failures), 3)] {
		fmt.Printf("  e.g. %v\n", err)
	}
	fmt.Printf("sign-in latency: p50 %s, p99 %s, max %s\n\n", fmtDur(m.percentile(0.5)), fmtDur(m.percentile(0.99)), fmtDur(latencies[len(latencies)-1]))

	peak := sampled
	how := "highest VmRSS sampled every 2 ms"
	if peakReset {
		peak = max(peak, after.hwm)
		how = "VmHWM, reset just before the burst, and VmRSS sampled every 2 ms"
	}
	budgetBytes := int64(*budget) << 20
	allowBytes := int64(*allowance) << 20
	limit := idle.rss + budgetBytes + allowBytes
	fmt.Printf("idle RSS before the burst:  %s\n", fmtMiB(idle.rss))
	fmt.Printf("peak RSS during the burst:  %s  (%s)\n", fmtMiB(peak), how)
	fmt.Printf("RSS just after the burst:   %s\n", fmtMiB(after.rss))
	fmt.Printf("peak above idle:            %s  (budget %s, %d hashes at once: %s)\n",
		fmtMiB(peak-idle.rss), fmtMiB(budgetBytes), slots, fmtMiB(int64(slots*passwordHashMiB)<<20))
	fmt.Printf("target: peak ≤ idle + budget + %s allowance = %s: %s\n", fmtMiB(allowBytes), fmtMiB(limit), verdict(peak <= limit))
	if len(failures) > 0 || statuses[http.StatusSeeOther] == 0 {
		return errors.New("the burst did not run as intended (see above)")
	}
	return nil
}

// goMemLimit is whisperd's environment for the -gomemlimit flag.
func goMemLimit(limit string) []string {
	if limit == "" {
		return nil
	}
	return []string{"GOMEMLIMIT=" + limit}
}

// demoSignIn reads the admin's email and password from whisperd --demo's
// output.
func demoSignIn(out string) (email, password string, err error) {
	e := regexp.MustCompile(`(?m)^\s*email:\s*(\S+)`).FindStringSubmatch(out)
	p := regexp.MustCompile(`(?m)^\s*password:\s*(\S+)`).FindStringSubmatch(out)
	if e == nil || p == nil {
		return "", "", fmt.Errorf("no demo sign-in in whisperd's output:\n%s", out)
	}
	return e[1], p[1], nil
}

// postSignIn posts the sign-in form as a browser does from the sign-in
// page: same-origin, with the Origin and Sec-Fetch-Site headers that
// cross-origin protection reads.
func postSignIn(ctx context.Context, c *http.Client, base, email, password string) (int, error) {
	body := url.Values{"email": {email}, "password": {password}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/staff/login", strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Referer", base+"/staff/login")
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// getPage loads a page as a browser would and checks it answers 200.
func getPage(ctx context.Context, c *http.Client, u string) error {
	_, err := readPage(ctx, c, u)
	return err
}

// readPage loads a page as a browser would, checks it answers 200 and
// returns its body.
func readPage(ctx context.Context, c *http.Client, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Sec-Fetch-Site", "none")
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return body, nil
}

// loopback returns a distinct address in 127.block.0.0/16 for each n ≥ 0;
// block 0 is left to 127.0.0.1.
func loopback(block, n int) string {
	return fmt.Sprintf("127.%d.%d.%d", block, n/250, n%250+1)
}
