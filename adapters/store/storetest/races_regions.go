package storetest

import (
	"crypto/rand"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// regionRaces race the sweep's region fill against the messages that give
// interactions their region.
var regionRaces = map[string]func(*testing.T, ports.Store){
	"RegionFillRacingMessages": raceRegionFillAgainstMessages,
}

// An interaction keeps its first message's region. Rows written before
// interactions kept it have none until the sweep fills it from their first
// message (FillRegions), and a text report's first message gives its
// interaction the region as it is added. Both at once, on many
// interactions, must leave each with its first message's region: never a
// later message's, and never none. Half the interactions have no message
// when the race starts (their first arrives during the fill); the other
// half are old rows with a first message, whose region is forgotten, and
// get a second message, from elsewhere, during the fill.
func raceRegionFillAgainstMessages(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	// 2010: no other test of the suite counts this year's facts.
	at := time.Date(2010, 6, 15, 12, 0, 0, 0, time.UTC)
	regions := []string{"England, GB", "Wales, GB", "Scotland, GB"}
	const interactions = 40
	type arrival struct {
		msg    *domain.Message
		region string
	}
	var (
		arrivals []arrival
		facts    []fact
		old      []string
	)
	for i := range interactions {
		ia, first, token := newReport(t, f, "Sam", "Someone is being unkind at the bus stop.", at.Add(time.Duration(i)*time.Minute))
		ia.Channel = domain.ChannelSMS
		firstRegion := regions[i%len(regions)]
		require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Interactions().Create(ctx, ia, token, domain.Contact{}) }))
		facts = append(facts, fact{at: ia.CreatedAt, org: f.org.ID, inbox: f.inbox.Name, channel: ia.Channel, region: firstRegion})
		if i%2 == 0 {
			arrivals = append(arrivals, arrival{first, firstRegion})
			continue
		}
		require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
			return tx.Messages().Add(ctx, first, domain.Meta{Region: firstRegion})
		}))
		old = append(old, string(ia.ID))
		later := &domain.Message{ID: must(domain.NewMessageID(rand.Reader)), InteractionID: ia.ID, Author: domain.AuthorReporter,
			Body: "It happened again today.", CreatedAt: ia.CreatedAt.Add(time.Hour)}
		arrivals = append(arrivals, arrival{later, "Northern Ireland, GB"})
	}
	_, err := st.(*store.Store).DB().NewRaw("UPDATE interactions SET region_sealed = NULL, region_index = NULL WHERE id IN (?)",
		bun.List(old)).Exec(ctx)
	require.NoError(t, err)

	// Four fillers go round until every message has arrived; the messages
	// arrive one to a goroutine, all released at once with the fillers.
	var arrived atomic.Int32
	race(len(arrivals)+4, func(i int) {
		if i < len(arrivals) {
			a := arrivals[i]
			assert.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Messages().Add(ctx, a.msg, domain.Meta{Region: a.region}) }))
			arrived.Add(1)
			return
		}
		for arrived.Load() < int32(len(arrivals)) {
			assert.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
				_, err := tx.Interactions().FillRegions(ctx, 3)
				return err
			}))
		}
	})
	for {
		var n int
		require.NoError(t, st.InTx(ctx, func(tx ports.Tx) (err error) {
			n, err = tx.Interactions().FillRegions(ctx, 100)
			return err
		}))
		if n == 0 {
			break
		}
	}

	var missing int
	require.NoError(t, st.(*store.Store).DB().NewRaw("SELECT COUNT(*) FROM interactions WHERE org_id = ? AND region_index IS NULL",
		string(f.org.ID)).Scan(ctx, &missing))
	assert.Zero(t, missing, "every interaction has its region")
	from, to := at, at.AddDate(0, 1, 0)
	months := domain.NewZone(time.UTC).Months(from, from)
	var got []domain.FactCount
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		got, err = tx.Interactions().FactCounts(ctx, &f.org.ID, from, to, months)
		return err
	}))
	assert.Equal(t, tabulate(facts, &f.org.ID, from, to, months), got, "each interaction counted in its first message's region")
}
