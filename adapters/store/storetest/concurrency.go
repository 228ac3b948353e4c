package storetest

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// The concurrency section races requests against each other on one store:
// a promise that holds one request at a time but breaks when two meet is
// broken. Each area keeps its races in a file of its own (races_*.go); they
// all run here, on every store, under -race in CI.
func concurrencyTests() map[string]func(*testing.T, ports.Store) {
	all := map[string]func(*testing.T, ports.Store){}
	for _, area := range []map[string]func(*testing.T, ports.Store){interactionRaces, outboxRaces, staffRaces, textRaces, transactionRaces, formRaces, warningRaces, limitRaces, replyRaces, leadershipRaces, ssoRaces, recoveryRaces, trialRaces, inboxRaces, lostLinkRaces, historyRaces, notificationRaces, regionRaces} {
		for name, fn := range area {
			all["Race/"+name] = fn
		}
	}
	return all
}

// race runs fn(0) … fn(n-1) on n goroutines released at the same moment,
// and waits for them all.
func race(n int, fn func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			fn(i)
		})
	}
	close(start)
	wg.Wait()
}

// raceClock is the time every racer reads; a race may move it on.
type raceClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *raceClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *raceClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// queuedTo counts the deliveries of kind in the outbox by recipient.
func queuedTo(t *testing.T, st ports.Store, kind domain.DeliveryKind) map[string]int {
	t.Helper()
	got := map[string]int{}
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		all, err := tx.Outbox().List(ctx, ports.OutboxFilter{})
		for _, d := range all {
			if d.Kind == kind {
				got[strings.ToLower(d.To)]++
			}
		}
		return err
	}))
	return got
}

func (c *raceClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
