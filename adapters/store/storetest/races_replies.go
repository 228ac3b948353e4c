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

// replyRaces race a reporter's replies to one interaction: the hourly
// limit lets exactly its number through, and the staff's alerts coalesce
// however many replies meet.
var replyRaces = map[string]func(*testing.T, ports.Store){
	"RepliesStopAtTheLimit":  raceRepliesToTheLimit,
	"TextsStopAtTheLimit":    raceTextsToTheLimit,
	"ReplyAlertsCoalesce":    raceReplyAlerts,
	"RaiseAndClaimTakeTurns": raceRaiseAgainstClaim,
	"LimitNoticeIsTakenOnce": raceLimitNotice,
}

// replyRaceSchool is a raceSchool whose service caps replies at limit an
// hour (0: none) and whose form's inbox alerts two addresses.
func newReplyRaceSchool(t *testing.T, st ports.Store, limit int) raceSchool {
	t.Helper()
	w := newRaceSchool(t, st)
	w.svc = app.New(app.Deps{Store: st, Clock: w.clock, Random: rand.Reader, Hasher: testHasher{},
		PublicURL: "https://whisper.example.org/", Limits: app.Limits{RepliesPerConversation: limit}})
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		inboxes, err := tx.Inboxes().List(ctx, ports.InboxFilter{FormID: &w.form.ID})
		if err != nil {
			return err
		}
		inboxes[0].Notify = []string{"dsl@oakfield.example", "head@oakfield.example"}
		return tx.Inboxes().Update(ctx, inboxes[0])
	}))
	return w
}

func raceRepliesToTheLimit(t *testing.T, st ports.Store) {
	w := newReplyRaceSchool(t, st, 5)
	rc, err := w.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: string(w.form.Code), Body: "It happened again"})
	require.NoError(t, err)
	won := wins(t, func(i int) (bool, error) {
		_, err := w.svc.Reporting.ReporterReply(ctx, app.ReporterReply{Token: string(rc.Token), Body: fmt.Sprint("reply ", i)})
		var limited *domain.RepliesLimited
		if errors.As(err, &limited) {
			return false, nil
		}
		return err == nil, err
	})
	assert.Equal(t, 5, won, "exactly the limit")
	c, err := w.svc.Reporting.Follow(ctx, string(rc.Token))
	require.NoError(t, err)
	assert.Len(t, c.Messages, 6, "the report and five replies")
}

func raceTextsToTheLimit(t *testing.T, st ports.Store) {
	w := newReplyRaceSchool(t, st, 5)
	phone := "+4477009" + randomDigits(t, 5)
	out, err := w.svc.Reporting.ReceiveText(ctx, app.InboundText{MessageUUID: "uuid-" + randomDigits(t, 12), From: phone,
		Text: string(w.form.Code) + " Someone keeps sending me horrible messages."})
	require.NoError(t, err)
	require.Equal(t, app.TextOpened, out)
	won := wins(t, func(i int) (bool, error) {
		out, err := w.svc.Reporting.ReceiveText(ctx, app.InboundText{MessageUUID: fmt.Sprint("uuid-", randomDigits(t, 12), "-", i),
			From: phone, Text: fmt.Sprint("and again ", i)})
		if err == nil && out == app.TextLimited {
			return false, nil
		}
		return out == app.TextContinued, err
	})
	assert.Equal(t, 5, won, "exactly the limit")

	var notices int
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		all, err := tx.Outbox().List(ctx, ports.OutboxFilter{})
		for _, d := range all {
			if d.Kind == domain.DeliverySMSReplyLimit {
				notices++
			}
		}
		return err
	}))
	assert.Equal(t, 1, notices, "the texter is told once")
}

// Many replies at once: to each recipient, one alert at once and one
// trailing alert, due when the window ends, that counts the rest.
func raceReplyAlerts(t *testing.T, st ports.Store) {
	w := newReplyRaceSchool(t, st, 0)
	rc, err := w.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: string(w.form.Code), Body: "It happened again"})
	require.NoError(t, err)
	won := wins(t, func(i int) (bool, error) {
		_, err := w.svc.Reporting.ReporterReply(ctx, app.ReporterReply{Token: string(rc.Token), Body: fmt.Sprint("reply ", i)})
		return err == nil, err
	})
	require.Equal(t, racers, won)

	var alerts []*domain.Delivery
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		ia, err := tx.Interactions().GetByRef(ctx, rc.Ref)
		if err != nil {
			return err
		}
		all, err := tx.Outbox().List(ctx, ports.OutboxFilter{InteractionID: &ia.ID})
		for _, d := range all {
			if d.Kind == domain.DeliveryStaffReply {
				alerts = append(alerts, d)
			}
		}
		return err
	}))
	type plan struct {
		due   time.Time
		count int
	}
	got := map[string][]plan{}
	for _, d := range alerts {
		got[d.To] = append(got[d.To], plan{d.NextAttemptAt, d.Count})
	}
	want := []plan{{now, 1}, {now.Add(domain.ReplyAlertWindow), racers - 1}}
	for _, to := range []string{"dsl@oakfield.example", "head@oakfield.example"} {
		assert.ElementsMatch(t, want, got[to], to)
	}
	assert.Len(t, got, 2)
}

// A trailing alert raised while the relay claims it: either the raise
// comes first and the claim takes the new count, or the claim comes first
// and the raise changes nothing, never both nor neither.
func raceRaiseAgainstClaim(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	ia, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	for round := range 10 {
		d := pendingAlert(t, st, f, ia, now)
		var raised bool
		var claimed []*domain.Delivery
		errs := make([]error, 2)
		race(2, func(i int) {
			if i == 0 {
				errs[i] = st.InTx(ctx, func(tx ports.Tx) (err error) {
					raised, err = tx.Outbox().Raise(ctx, d.ID, 2)
					return err
				})
				return
			}
			errs[i] = st.InTx(ctx, func(tx ports.Tx) (err error) {
				claimed, err = tx.Outbox().Claim(ctx, now, time.Minute, 1)
				return err
			})
		})
		require.NoError(t, errors.Join(errs...), "round %d", round)
		if len(claimed) == 0 {
			// On PostgreSQL a claim skips a row another transaction
			// holds: the raise held it, and the next pass claims it.
			require.True(t, raised, "round %d: a claim skips only a row being raised", round)
			require.NoError(t, st.InTx(ctx, func(tx ports.Tx) (err error) {
				claimed, err = tx.Outbox().Claim(ctx, now, time.Minute, 1)
				return err
			}))
		}
		require.Len(t, claimed, 1, "round %d", round)
		if raised {
			assert.Equal(t, 2, claimed[0].Count, "round %d: raised before the claim, the claim sends the new count", round)
		} else {
			assert.Equal(t, 1, claimed[0].Count, "round %d", round)
		}
		require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Outbox().MarkSent(ctx, d.ID, 1, now) }))
	}
}

func raceLimitNotice(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	ia, _, _ := createReport(t, st, f, now, domain.Contact{}, domain.Meta{})
	won := wins(t, func(int) (ok bool, err error) {
		err = st.InTx(ctx, func(tx ports.Tx) (err error) {
			ok, err = tx.Replies().TakeLimitNotice(ctx, ia.ID, now, time.Hour)
			return err
		})
		return ok, err
	})
	assert.Equal(t, 1, won, "one text of those at the same moment tells the texter")
}
