package storetest

import (
	"crypto/rand"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// textTests are the parts of the contract inbound SMS relies on.
var textTests = map[string]func(*testing.T, ports.Store){
	"NoncesAreNeverForgotten":     testNonces,
	"CarrierIDsAreNeverForgotten": testCarrierIDs,
	"HousekeepingKeepsTextClaims": testHousekeepingKeepsClaims,
	"TextReportsClaimTheirText":   testClaims,
	"ConcurrentReportsFailAlone":  testConcurrentClaims,
	"HelpTextsAtMostDaily":        testHelpAllowance,
	"LatestByPhone":               testLatestByPhone,
}

// A nonce once remembered is a replay for good: the store keeps no time
// that could let it go, and forgetting the help records, however old,
// keeps it.
func testNonces(t *testing.T, st ports.Store) {
	remember := func(nonce string) error {
		return st.InTx(ctx, func(tx ports.Tx) error { return tx.Texts().RememberNonce(ctx, nonce) })
	}
	nonce := "nonce-" + randomDigits(t, 10)
	require.NoError(t, remember(nonce))
	assert.ErrorIs(t, remember(nonce), ports.ErrNonceSeen, "a replay")
	forgetHelp(t, st, now.Add(400*24*time.Hour))
	assert.ErrorIs(t, remember(nonce), ports.ErrNonceSeen, "after the help records of a year were forgotten")
	assert.NoError(t, remember(nonce+"-other"), "another nonce")
}

// A carrier message id once remembered is never new again.
func testCarrierIDs(t *testing.T, st ports.Store) {
	remember := func(uuid string) bool {
		var fresh bool
		require.NoError(t, st.InTx(ctx, func(tx ports.Tx) (err error) {
			fresh, err = tx.Texts().RememberMessage(ctx, uuid)
			return err
		}))
		return fresh
	}
	uuid := "uuid-" + randomDigits(t, 10)
	assert.True(t, remember(uuid))
	assert.False(t, remember(uuid))
	assert.True(t, remember(uuid+"-other"))
	forgetHelp(t, st, now.Add(400*24*time.Hour))
	assert.False(t, remember(uuid), "after the help records of a year were forgotten")
}

// forgetHelp forgets what housekeeping forgets of texts: the help records
// from before before.
func forgetHelp(t *testing.T, st ports.Store, before time.Time) {
	t.Helper()
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		_, err := tx.Texts().ForgetHelpBefore(ctx, before)
		return err
	}))
}

// Housekeeping, however late it runs, forgets the help records but never
// a nonce or carrier id: a webhook replayed a year on is refused, and a
// text the carrier delivers again with a fresh signature is a duplicate
// that stores and sends nothing.
func testHousekeepingKeepsClaims(t *testing.T, st ports.Store) {
	clock := &raceClock{t: now}
	svc := app.New(app.Deps{Store: st, Clock: clock, Random: rand.Reader,
		Hasher: testHasher{}, PublicURL: "https://whisper.example.org"})
	f := newFixture(t, st)
	phone, stranger := "+4477009"+randomDigits(t, 5), "+4477008"+randomDigits(t, 5)
	nonce, uuid := "nonce-"+randomDigits(t, 12), "uuid-"+randomDigits(t, 12)
	text := string(f.form.Code) + " Someone keeps sending me horrible messages."
	out, err := svc.Reporting.ReceiveText(ctx, app.InboundText{MessageUUID: uuid, From: phone, Text: text, Nonce: nonce})
	require.NoError(t, err)
	require.Equal(t, app.TextOpened, out)
	out, err = svc.Reporting.ReceiveText(ctx, app.InboundText{MessageUUID: uuid + "-help", From: stranger, Text: "hello?", Nonce: nonce + "-help"})
	require.NoError(t, err)
	require.Equal(t, app.TextHelped, out)
	before := textFootprint(t, st, f)

	for i, later := range []time.Duration{25 * time.Hour, 8 * 24 * time.Hour, 400 * 24 * time.Hour} {
		clock.advance(later)
		_, err := svc.Operations.Housekeep(ctx)
		require.NoError(t, err)
		_, err = svc.Reporting.ReceiveText(ctx, app.InboundText{MessageUUID: fmt.Sprint(uuid, "-", i), From: phone, Text: text, Nonce: nonce})
		assert.ErrorIs(t, err, app.ErrReplayed, "the nonce, %s later", later)
		for _, body := range []string{text, "and again today"} {
			out, err := svc.Reporting.ReceiveText(ctx, app.InboundText{MessageUUID: uuid, From: phone, Text: body, Nonce: fmt.Sprint(nonce, "-", i, body)})
			require.NoError(t, err)
			assert.Equal(t, app.TextDuplicate, out, "the carrier id, %s later", later)
		}
		assert.Equal(t, before, textFootprint(t, st, f), "nothing stored or sent, %s later", later)
	}
	// The help records are forgotten: the stranger may be helped again.
	out, err = svc.Reporting.ReceiveText(ctx, app.InboundText{MessageUUID: uuid + "-help-again", From: stranger, Text: "hello?", Nonce: nonce + "-help-again"})
	require.NoError(t, err)
	assert.Equal(t, app.TextHelped, out)
}

// textFootprint counts f's interactions, their messages and every queued
// delivery.
func textFootprint(t *testing.T, st ports.Store, f fixture) [3]int {
	t.Helper()
	var n [3]int
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		list, err := tx.Interactions().List(ctx, ports.InteractionFilter{OrgID: &f.org.ID})
		if err != nil {
			return err
		}
		n[0] = len(list)
		for _, ia := range list {
			ms, err := tx.Messages().List(ctx, ia.ID)
			if err != nil {
				return err
			}
			n[1] += len(ms)
		}
		ds, err := tx.Outbox().List(ctx, ports.OutboxFilter{})
		n[2] = len(ds)
		return err
	}))
	return n
}

// acceptText accepts a report that came by text, with its nonce and
// carrier id, in f's inbox.
func acceptText(t *testing.T, st ports.Store, f fixture, nonce, uuid string, at time.Time) error {
	ia, msg, token := newReport(t, f, "", "Someone is sending me horrible messages.", at)
	return st.AcceptInteraction(ctx, ports.NewInteraction{Interaction: ia, Token: token, Message: msg,
		Contact: domain.Contact{Phone: "+447700900123"}, Text: &ports.TextClaim{Nonce: nonce, MessageUUID: uuid}})
}

// A report that came by text claims its nonce and carrier id with it, and
// a claim of either seen before is refused with the error that says which,
// keeping nothing of the report.
func testClaims(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	nonce, uuid := "nonce-"+randomDigits(t, 10), "uuid-"+randomDigits(t, 10)
	require.NoError(t, acceptText(t, st, f, nonce, uuid, now))
	require.NoError(t, acceptText(t, st, f, "", uuid+"-unsigned", now), "a text without a nonce")
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		assert.ErrorIs(t, tx.Texts().RememberNonce(ctx, nonce), ports.ErrNonceSeen, "the claimed nonce")
		return nil
	}))

	fresh := func(uuid string) bool {
		var fresh bool
		require.NoError(t, st.InTx(ctx, func(tx ports.Tx) (err error) {
			fresh, err = tx.Texts().RememberMessage(ctx, uuid)
			return err
		}))
		return fresh
	}
	assert.False(t, fresh(uuid), "the claimed id")
	assert.False(t, fresh(uuid+"-unsigned"))

	other := "nonce-" + randomDigits(t, 10)
	assert.ErrorIs(t, acceptText(t, st, f, other, uuid, now), ports.ErrTextSeen, "an id seen before")
	assert.ErrorIs(t, acceptText(t, st, f, nonce, uuid+"-other", now), ports.ErrNonceSeen, "a nonce seen before")
	assert.ErrorIs(t, acceptText(t, st, f, nonce, uuid+"-later", now.Add(25*time.Hour)), ports.ErrNonceSeen,
		"a nonce seen over a day ago")
	// A refused report keeps nothing: neither its nonce nor its id.
	require.NoError(t, acceptText(t, st, f, other, uuid+"-other", now))
	assert.Len(t, interactionsOf(t, st, f), 3, "the refused reports left no interaction")
}

// interactionsOf lists f's organisation's interactions.
func interactionsOf(t *testing.T, st ports.Store, f fixture) []*domain.Interaction {
	t.Helper()
	var list []*domain.Interaction
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		list, err = tx.Interactions().List(ctx, ports.InteractionFilter{OrgID: &f.org.ID})
		return err
	}))
	return list
}

// Reports accepted at once, some of them of texts seen before, each end as
// they would alone: where they share a commit, one that fails takes none
// of the others with it, and leaves nothing behind.
func testConcurrentClaims(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	seen := "uuid-" + randomDigits(t, 10)
	require.NoError(t, acceptText(t, st, f, "", seen, now))
	const n = 48
	prefix := "uuid-" + randomDigits(t, 10) + "-"
	nonce := func(i int) string { return fmt.Sprintf("%snonce-%d", prefix, i) }
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			uuid := fmt.Sprintf("%s%d", prefix, i)
			if i%3 == 0 {
				uuid = seen
			}
			errs[i] = acceptText(t, st, f, nonce(i), uuid, now)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if i%3 == 0 {
			assert.ErrorIs(t, err, ports.ErrTextSeen, "report %d, of an id seen before", i)
			continue
		}
		assert.NoError(t, err, "report %d", i)
	}
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		for i := range n {
			err := tx.Texts().RememberNonce(ctx, nonce(i))
			if i%3 == 0 {
				assert.NoError(t, err, "report %d failed, and kept no nonce", i)
			} else {
				assert.ErrorIs(t, err, ports.ErrNonceSeen, "report %d kept its nonce", i)
			}
		}
		return nil
	}))
	assert.Len(t, interactionsOf(t, st, f), 1+n-n/3)
}

func testHelpAllowance(t *testing.T, st ports.Store) {
	take := func(phone string, at time.Time) bool {
		var ok bool
		require.NoError(t, st.InTx(ctx, func(tx ports.Tx) (err error) {
			ok, err = tx.Texts().TakeHelpAllowance(ctx, phone, at, 24*time.Hour)
			return err
		}))
		return ok
	}
	phone := "+44770090" + randomDigits(t, 4)
	assert.True(t, take(phone, now))
	assert.False(t, take(phone, now.Add(23*time.Hour)))
	assert.True(t, take("+44770091"+randomDigits(t, 4), now), "another number")
	assert.True(t, take(phone, now.Add(24*time.Hour)))
}

// A number's latest conversation is its most recently active one, open
// or closed, never an erased one.
func testLatestByPhone(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	phone := "+44770092" + randomDigits(t, 4)
	older, _, _ := createReport(t, st, f, now, domain.Contact{Phone: phone}, domain.Meta{})
	newer, _, _ := createReport(t, st, f, now.Add(time.Hour), domain.Contact{Phone: phone}, domain.Meta{})
	createReport(t, st, f, now.Add(2*time.Hour), domain.Contact{Phone: phone + "9"}, domain.Meta{})
	latest := func() (*domain.Interaction, error) {
		var ia *domain.Interaction
		err := st.View(ctx, func(tx ports.Tx) (err error) {
			ia, err = tx.Interactions().LatestByPhone(ctx, phone)
			return err
		})
		return ia, err
	}
	got, err := latest()
	require.NoError(t, err)
	assert.Equal(t, newer.ID, got.ID)

	newer.Close(now.Add(3 * time.Hour))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return saveChanges(tx, newer) }))
	got, err = latest()
	require.NoError(t, err)
	assert.Equal(t, newer.ID, got.ID, "a closed conversation is still the latest")
	assert.Equal(t, domain.StatusClosed, got.Status)

	erase := func(ia *domain.Interaction) {
		require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
			_, err := tx.Interactions().Erase(ctx, now.Add(4*time.Hour), ia.ID)
			return err
		}))
	}
	erase(newer)
	got, err = latest()
	require.NoError(t, err)
	assert.Equal(t, older.ID, got.ID, "an erased conversation is never found")
	erase(older)
	_, err = latest()
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err))
}
