package storetest

import (
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// transactionRaces race whole transactions: what InTx promises each of
// them however many run at once.
var transactionRaces = map[string]func(*testing.T, ports.Store){
	"EachTransactionRunsOnce": testRaceRunsOnce,
}

// Transactions that neither deadlock nor conflict run their fn exactly
// once, whatever the others beside them do: none is run again because
// another failed, and none runs inside another's.
func testRaceRunsOnce(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	const n = 40
	var (
		runs [n]atomic.Int32
		errs [n]error
		wg   sync.WaitGroup
	)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = st.InTx(ctx, func(tx ports.Tx) error {
				runs[i].Add(1)
				form := must(domain.NewForm(must(domain.NewFormID(rand.Reader)), f.org.ID, fmt.Sprint("Form ", i),
					must(domain.ParseFormCode("T"+randomDigits(t, 8))), now))
				if err := tx.Forms().Create(ctx, form); err != nil {
					return err
				}
				if i%2 == 1 {
					return errors.New("changed its mind")
				}
				return nil
			})
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		assert.Equal(t, int32(1), runs[i].Load(), "transaction %d ran its fn once", i)
		if i%2 == 0 {
			assert.NoError(t, errs[i], "transaction %d", i)
		} else {
			assert.Error(t, errs[i], "transaction %d", i)
		}
	}
}
