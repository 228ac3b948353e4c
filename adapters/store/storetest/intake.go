package storetest

import (
	"crypto/rand"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// intakeTests are the contract of AcceptInteraction, intake's one hot write.
var intakeTests = map[string]func(*testing.T, ports.Store){
	"AcceptInteractionKeepsEverything":         testAcceptInteraction,
	"AcceptInteractionFailsAloneWhenItClashes": testAcceptInteractionClash,
}

func testAcceptInteraction(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	ia, msg, token := newReport(t, f, "Sam", "Someone is being unkind at the bus stop.", now)
	contact := domain.Contact{Email: "sam@example.org"}
	meta := domain.Meta{IP: "203.0.113.9", Location: "Bristol", Region: "England", Network: "Example ISP"}
	alert := &domain.Delivery{ID: must(domain.NewDeliveryID(rand.Reader)), Kind: domain.DeliveryStaffNewReport, Channel: domain.DeliveryEmail,
		To: "dsl@oakfield.example", Language: domain.English, OrgID: f.org.ID, InteractionID: ia.ID, Status: domain.DeliveryPending,
		NextAttemptAt: now, CreatedAt: now}
	require.NoError(t, st.AcceptInteraction(ctx, ports.NewInteraction{Interaction: ia, Token: token, Contact: contact,
		Message: msg, Meta: meta, Deliveries: []*domain.Delivery{alert}}))

	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		got, err := tx.Interactions().GetByToken(ctx, token)
		require.NoError(t, err)
		assert.Equal(t, ia, got)
		gotContact, err := tx.Interactions().Contact(ctx, ia.ID)
		require.NoError(t, err)
		assert.Equal(t, contact, gotContact)
		msgs, err := tx.Messages().List(ctx, ia.ID)
		require.NoError(t, err)
		require.Len(t, msgs, 1)
		assert.Equal(t, msg.Body, msgs[0].Body)
		gotMeta, err := tx.Messages().Meta(ctx, msg.ID)
		require.NoError(t, err)
		assert.Equal(t, meta, gotMeta)
		queued, err := tx.Outbox().List(ctx, ports.OutboxFilter{InteractionID: &ia.ID})
		require.NoError(t, err)
		require.Len(t, queued, 1)
		assert.Equal(t, alert.To, queued[0].To)
		return nil
	}))
}

// Reports accepted at once share commits where the store can; one whose
// reference is taken fails with KindConflict and keeps nothing, and the
// others are all kept.
func testAcceptInteractionClash(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	first, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	const n = 40
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ia, msg, token := newReport(t, f, "", fmt.Sprintf("report %d", i), now)
			if i%5 == 0 {
				ia.Ref = first.Ref
			}
			errs[i] = st.AcceptInteraction(ctx, ports.NewInteraction{Interaction: ia, Token: token, Message: msg})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if i%5 == 0 {
			assert.Equal(t, domain.KindConflict, domain.KindOf(err), "report %d reused a reference: %v", i, err)
		} else {
			assert.NoError(t, err, "report %d", i)
		}
	}
	assert.Len(t, interactionsOf(t, st, f), 1+n-n/5)
}
