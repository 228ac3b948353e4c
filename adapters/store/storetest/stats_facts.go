package storetest

import (
	"cmp"
	"crypto/rand"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// factTests are the parts of the contract the operator's statistics
// (whisperctl stats) rely on.
var factTests = map[string]func(*testing.T, ports.Store){
	"StatsFactCountsEqualTabulation": testFactCountsEqualTabulation,
}

// fact is one interaction as the statistics see it, kept by the test to
// tabulate the expected counts the way app.Operations.Stats did before
// the store counted them: every interaction read, put in its month with
// domain.MonthOf and counted in Go.
type fact struct {
	at      time.Time
	org     domain.OrgID
	inbox   string
	channel domain.Channel
	region  string
}

// tabulate counts facts of org (all when nil) in [from, to) by month of
// months, inbox, channel and region, in FactCounts' order.
func tabulate(facts []fact, org *domain.OrgID, from, to time.Time, months []domain.StatsMonth) []domain.FactCount {
	counts := map[domain.FactCount]int{}
	for _, f := range facts {
		if (org != nil && f.org != *org) || f.at.Before(from) || !f.at.Before(to) {
			continue
		}
		i := domain.MonthOf(months, f.at)
		if i < 0 {
			continue
		}
		counts[domain.FactCount{Month: months[i].Month, InboxName: f.inbox, Channel: f.channel, Region: f.region}]++
	}
	var out []domain.FactCount
	for k, n := range counts {
		k.Count = n
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b domain.FactCount) int {
		return cmp.Or(cmp.Compare(a.Month, b.Month), cmp.Compare(a.InboxName, b.InboxName),
			cmp.Compare(a.Channel, b.Channel), cmp.Compare(a.Region, b.Region))
	})
	return out
}

// The counts the store makes equal the tabulation of every interaction in
// Go, on a dataset that varies what the counts depend on: two
// organisations, two inboxes, both channels, regions known, unknown and
// absent (no message at all), erased interactions (erasure keeps the
// region), reports written by intake (AcceptInteraction) and by Create and
// a first message, rows written before interactions kept their region
// (region_index NULL: counted by opening their first message), and arrivals at the edges of months in London, where British
// Summer Time moves the edge an hour from UTC's, counted on London's clock
// and on UTC's, over whole months and over a range that starts and ends
// inside them (a microsecond in: PostgreSQL keeps no finer time). The dates are in 2011, which no other test of the suite
// uses, so that the count over all organisations sees these alone.
func testFactCountsEqualTabulation(t *testing.T, st ports.Store) {
	a, b := newFixture(t, st), newFixture(t, st)
	online := must(domain.NewInbox(must(domain.NewInboxID(rand.Reader)), a.form, "Online", nil, 1, now))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Inboxes().Create(ctx, online) }))
	aOnline := fixture{org: a.org, form: a.form, inbox: online}

	edges := []time.Time{
		time.Date(2011, 2, 28, 23, 59, 0, 0, time.UTC),  // 23:59 GMT, 28 February
		time.Date(2011, 3, 1, 0, 0, 0, 0, time.UTC),     // midnight GMT, 1 March: the month's first instant
		time.Date(2011, 3, 27, 1, 0, 0, 0, time.UTC),    // BST starts
		time.Date(2011, 3, 31, 22, 59, 0, 0, time.UTC),  // 23:59 BST, 31 March
		time.Date(2011, 3, 31, 23, 0, 0, 0, time.UTC),   // 00:00 BST, 1 April: April in London, March in UTC
		time.Date(2011, 4, 15, 12, 0, 0, 0, time.UTC),   // mid April
		time.Date(2011, 9, 30, 23, 30, 0, 0, time.UTC),  // 00:30 BST, 1 October
		time.Date(2011, 10, 30, 1, 0, 0, 0, time.UTC),   // BST ends
		time.Date(2011, 10, 31, 23, 30, 0, 0, time.UTC), // 23:30 GMT, 31 October
		time.Date(2011, 11, 1, 0, 0, 0, 0, time.UTC),    // 1 November
	}
	regions := []string{"England, GB", "Wales, GB", ""}
	var facts []fact
	var erase []domain.InteractionID
	var legacy []string // rows as written before interactions kept their region
	for n, at := range edges {
		for k, f := range []fixture{a, aOnline, b} {
			ia, msg, token := newReport(t, f, "Sam", "Someone is being unkind at the bus stop.", at.Add(time.Duration(k)*time.Millisecond))
			if (n+k)%2 == 1 {
				ia.Channel = domain.ChannelSMS
			}
			region := regions[(n+k)%len(regions)]
			withMessage := (n+2*k)%5 != 4
			meta := domain.Meta{Location: "Cardiff, " + region, Region: region}
			if withMessage && k == 2 && n%2 == 0 {
				// Intake's path, which writes the region with the row.
				require.NoError(t, st.AcceptInteraction(ctx, ports.NewInteraction{Interaction: ia, Token: token, Message: msg, Meta: meta}))
			} else {
				require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
					if err := tx.Interactions().Create(ctx, ia, token, domain.Contact{}); err != nil {
						return err
					}
					if !withMessage {
						return nil
					}
					return tx.Messages().Add(ctx, msg, meta)
				}))
			}
			if (n+k)%4 == 1 {
				legacy = append(legacy, string(ia.ID))
			}
			if !withMessage {
				region = ""
			}
			if (n+k)%3 == 0 {
				erase = append(erase, ia.ID)
			}
			facts = append(facts, fact{at: ia.CreatedAt, org: f.org.ID, inbox: f.inbox.Name, channel: ia.Channel, region: region})
		}
	}
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		_, err := tx.Interactions().Erase(ctx, now, erase...)
		return err
	}))
	_, err := st.(*store.Store).DB().NewRaw("UPDATE interactions SET region_sealed = NULL, region_index = NULL WHERE id IN (?)",
		bun.List(legacy)).Exec(ctx)
	require.NoError(t, err)

	utc := domain.NewZone(time.UTC)
	cases := []struct {
		name     string
		zone     domain.Zone
		org      *domain.OrgID
		from, to time.Time
	}{
		{"London, one organisation, the whole year", london(t), &a.org.ID, time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"UTC, one organisation, the whole year", utc, &a.org.ID, time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"London, all organisations", london(t), nil, time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"UTC, all organisations", utc, nil, time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"London, within months", london(t), nil, time.Date(2011, 3, 1, 0, 0, 0, 1000, time.UTC), time.Date(2011, 10, 31, 23, 30, 0, 1000, time.UTC)},
		{"the other organisation", london(t), &b.org.ID, time.Date(2011, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2011, 11, 1, 0, 0, 0, 0, time.UTC)},
	}
	check := func(when string) {
		for _, c := range cases {
			months := c.zone.Months(c.zone.In(c.from), c.zone.In(c.to.Add(-time.Nanosecond)))
			var got []domain.FactCount
			require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
				got, err = tx.Interactions().FactCounts(ctx, c.org, c.from, c.to, months)
				return err
			}), c.name)
			want := tabulate(facts, c.org, c.from, c.to, months)
			require.NotEmpty(t, want, c.name)
			assert.Equal(t, want, got, "%s, %s", c.name, when)
		}
	}
	check("some rows from before regions were kept")

	// FillRegions gives the old rows their region, erased ones included,
	// a batch at a time, until none is left; the counts do not change.
	filled := 0
	for {
		var n int
		require.NoError(t, st.InTx(ctx, func(tx ports.Tx) (err error) {
			n, err = tx.Interactions().FillRegions(ctx, 3)
			return err
		}))
		if filled += n; n < 3 {
			break
		}
	}
	assert.GreaterOrEqual(t, filled, len(legacy)*3/4, "the old rows with a message are filled")
	var missing int
	require.NoError(t, st.(*store.Store).DB().NewRaw("SELECT COUNT(*) FROM interactions WHERE region_index IS NULL AND id IN (?)",
		bun.List(legacy)).Scan(ctx, &missing))
	assert.Less(t, missing, len(legacy), "filled rows keep their region index")
	check("the old rows filled")

	var got []domain.FactCount
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		got, err = tx.Interactions().FactCounts(ctx, &a.org.ID, time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC),
			time.Date(2012, 2, 1, 0, 0, 0, 0, time.UTC), utc.Months(time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)))
		return err
	}))
	assert.Empty(t, got, "a month without interactions counts nothing")
}
