package storetest

import (
	"crypto/rand"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// textRaces race the one-time things of inbound texts: a webhook's nonce,
// a carrier's message id and the day's help text.
var textRaces = map[string]func(*testing.T, ports.Store){
	"NonceIsTakenOnce":           testRaceNonce,
	"CarrierIDIsTakenOnce":       testRaceCarrierID,
	"HelpTextIsTakenOnce":        testRaceHelpText,
	"TextDeliveredOftenOpensOne": testRaceTextDeliveries,
	"TextsReopenWhileStaffClose": raceTextsReopen,
}

// racers is how many requests race for one thing.
const racers = 20

// wins races try racers times at once and counts the racers that won;
// an error fails t.
func wins(t *testing.T, try func(i int) (bool, error)) int {
	t.Helper()
	won := make([]bool, racers)
	errs := make([]error, racers)
	race(racers, func(i int) { won[i], errs[i] = try(i) })
	n := 0
	for i := range racers {
		require.NoError(t, errs[i], "racer %d", i)
		if won[i] {
			n++
		}
	}
	return n
}

func testRaceNonce(t *testing.T, st ports.Store) {
	nonce := "nonce-" + randomDigits(t, 12)
	won := wins(t, func(int) (bool, error) {
		err := st.InTx(ctx, func(tx ports.Tx) error { return tx.Texts().RememberNonce(ctx, nonce) })
		if errors.Is(err, ports.ErrNonceSeen) {
			return false, nil
		}
		return err == nil, err
	})
	assert.Equal(t, 1, won, "one request takes the nonce")
}

func testRaceCarrierID(t *testing.T, st ports.Store) {
	uuid := "uuid-" + randomDigits(t, 12)
	won := wins(t, func(int) (fresh bool, err error) {
		err = st.InTx(ctx, func(tx ports.Tx) (err error) {
			fresh, err = tx.Texts().RememberMessage(ctx, uuid)
			return err
		})
		return fresh, err
	})
	assert.Equal(t, 1, won, "one request takes the carrier id")
}

func testRaceHelpText(t *testing.T, st ports.Store) {
	phone := "+4477009" + randomDigits(t, 5)
	won := wins(t, func(int) (ok bool, err error) {
		err = st.InTx(ctx, func(tx ports.Tx) (err error) {
			ok, err = tx.Texts().TakeHelpAllowance(ctx, phone, now, 24*time.Hour)
			return err
		})
		return ok, err
	})
	assert.Equal(t, 1, won, "one text a day gets the help text")
}

// A text the carrier delivers many times at once, or a webhook replayed
// many times at once, opens one report.
func testRaceTextDeliveries(t *testing.T, st ports.Store) {
	svc := app.New(app.Deps{Store: st, Clock: &raceClock{t: now}, Random: rand.Reader,
		Hasher: testHasher{}, PublicURL: "https://whisper.example.org"})
	f := newFixture(t, st)
	phone := "+4477009" + randomDigits(t, 5)
	text := string(f.form.Code) + " Someone keeps sending me horrible messages."
	receive := func(nonce, uuid string) (bool, error) {
		out, err := svc.Reporting.ReceiveText(ctx, app.InboundText{MessageUUID: uuid, From: phone, Text: text, Nonce: nonce})
		switch {
		case errors.Is(err, app.ErrReplayed), err == nil && out == app.TextDuplicate:
			return false, nil
		case err != nil:
			return false, err
		}
		assert.Equal(t, app.TextOpened, out)
		return true, nil
	}

	uuid := "uuid-" + randomDigits(t, 12)
	won := wins(t, func(i int) (bool, error) { return receive(fmt.Sprint("nonce-", uuid, i), uuid) })
	assert.Equal(t, 1, won, "the carrier's retries open one report")

	nonce := "nonce-" + randomDigits(t, 12)
	won = wins(t, func(i int) (bool, error) { return receive(nonce, fmt.Sprint(nonce, "-uuid-", i)) })
	assert.Equal(t, 1, won, "a replayed webhook opens one report")
	assert.Len(t, interactionsOf(t, st, f), 2)
}

// Texts to a closed conversation, at the same moment as one another and as
// a staff member closing it: every text is kept and reopens the
// conversation, as a reply through the link does, whichever comes first;
// what is left is one state, open or closed, with its closing date to
// match, and a text after the last close leaves it open.
func raceTextsReopen(t *testing.T, st ports.Store) {
	w := newReplyRaceSchool(t, st, 0)
	admin := w.actor(t, w.member(t, "dsl-"+randomDigits(t, 8)+"@oakfield.example", domain.RoleAdmin))
	phone := "+4477009" + randomDigits(t, 5)
	text := func(body string) (app.TextOutcome, error) {
		return w.svc.Reporting.ReceiveText(ctx, app.InboundText{MessageUUID: "uuid-" + randomDigits(t, 16), From: phone, Text: body})
	}
	out, err := text(string(w.form.Code) + " Someone keeps sending me horrible messages.")
	require.NoError(t, err)
	require.Equal(t, app.TextOpened, out)
	get := func() *domain.Interaction {
		var list []*domain.Interaction
		require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
			list, err = tx.Interactions().List(ctx, ports.InteractionFilter{OrgID: &w.org.ID})
			return err
		}))
		require.Len(t, list, 1, "every text went to the one conversation")
		return list[0]
	}
	ref := string(get().Ref)

	const rounds = 4
	for round := range rounds {
		require.NoError(t, w.svc.Portal.SetInteractionStatus(ctx, admin, ref, string(domain.StatusClosed)))
		won := wins(t, func(i int) (bool, error) {
			if i == 0 {
				return true, w.svc.Portal.SetInteractionStatus(ctx, admin, ref, string(domain.StatusClosed))
			}
			out, err := text(fmt.Sprint("round ", round, ", text ", i))
			return out == app.TextContinued, err
		})
		require.Equal(t, racers, won, "round %d: every text continued the conversation", round)
		ia := get()
		assert.Equal(t, ia.Status == domain.StatusClosed, ia.ClosedAt != nil, "round %d: status and closing date agree", round)
	}
	out, err = text("one more")
	require.NoError(t, err)
	require.Equal(t, app.TextContinued, out)
	ia := get()
	assert.Equal(t, domain.StatusOpen, ia.Status, "a text after the last close reopens it")
	assert.Nil(t, ia.ClosedAt)
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		msgs, err := tx.Messages().List(ctx, ia.ID)
		assert.Len(t, msgs, 1+rounds*(racers-1)+1, "the report and every text, none lost")
		return err
	}))
}
