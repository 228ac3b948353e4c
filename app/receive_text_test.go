package app_test

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

const texter = "447700900123"

func (s school) text(t *testing.T, uuid, body string) app.TextOutcome {
	t.Helper()
	// Every delivery of a webhook carries a fresh nonce, retries included.
	nonce, err := domain.NewToken(rand.Reader)
	require.NoError(t, err)
	out, err := s.svc.Reporting.ReceiveText(ctx, app.InboundText{MessageUUID: uuid, From: texter, Text: body, Nonce: string(nonce)})
	require.NoError(t, err)
	return out
}

func (s school) texts(t *testing.T) []*domain.Delivery {
	t.Helper()
	var out []*domain.Delivery
	require.NoError(t, s.store.View(ctx, func(tx ports.Tx) error {
		all, err := tx.Outbox().List(ctx, ports.OutboxFilter{})
		for _, d := range all {
			if d.Channel == domain.DeliverySMS {
				out = append(out, d)
			}
		}
		return err
	}))
	return out
}

func (s school) smsInteractions(t *testing.T) []*domain.Interaction {
	t.Helper()
	var out []*domain.Interaction
	require.NoError(t, s.store.View(ctx, func(tx ports.Tx) (err error) {
		out, err = tx.Interactions().List(ctx, ports.InteractionFilter{})
		return err
	}))
	return out
}

func TestFirstTextOpensAnInteractionAndTextsTheLink(t *testing.T) {
	s := newSchool(t)
	assert.Equal(t, app.TextOpened, s.text(t, "u1", "oak Someone took my phone at lunch"))

	list := s.smsInteractions(t)
	require.Len(t, list, 1)
	ia := list[0]
	assert.Equal(t, domain.ChannelSMS, ia.Channel)
	assert.Equal(t, s.inbox.ID, ia.InboxID, "the form's first inbox")
	require.NoError(t, s.store.View(ctx, func(tx ports.Tx) error {
		c, err := tx.Interactions().Contact(ctx, ia.ID)
		require.NoError(t, err)
		assert.Equal(t, "+447700900123", c.Phone, "stored in E.164")
		msgs, err := tx.Messages().List(ctx, ia.ID)
		require.NoError(t, err)
		require.Len(t, msgs, 1)
		assert.Equal(t, "Someone took my phone at lunch", msgs[0].Body, "without the code")
		return nil
	}))
	texts := s.texts(t)
	require.Len(t, texts, 1)
	assert.Equal(t, domain.DeliveryReporterLink, texts[0].Kind)
	assert.Equal(t, "+447700900123", texts[0].To)
	assert.Regexp(t, `^https://whisper.example.org/t/[A-Za-z0-9_-]{43}$`, texts[0].Link)

	// The link opens the same conversation on the web.
	c, err := s.svc.Reporting.Follow(ctx, texts[0].Link[len("https://whisper.example.org/t/"):])
	require.NoError(t, err)
	assert.Equal(t, ia.Ref, c.Ref)
}

func TestTextsAreHandledOnceAndFollowUpsContinue(t *testing.T) {
	s := newSchool(t)
	s.text(t, "u1", "OAK: help please")
	assert.Equal(t, app.TextDuplicate, s.text(t, "u1", "OAK: help please"), "the same MessageUUID again")
	s.clock.t = s.clock.t.Add(time.Minute)
	assert.Equal(t, app.TextContinued, s.text(t, "u2", "It happened again today"))
	list := s.smsInteractions(t)
	require.Len(t, list, 1)
	require.NoError(t, s.store.View(ctx, func(tx ports.Tx) error {
		msgs, err := tx.Messages().List(ctx, list[0].ID)
		require.NoError(t, err)
		assert.Len(t, msgs, 2)
		return nil
	}))
	assert.Len(t, s.texts(t), 1, "one link text only")

	_, err := s.svc.Reporting.ReceiveText(ctx, app.InboundText{MessageUUID: "u3", From: texter, Text: "again", Nonce: "fixed-nonce"})
	require.NoError(t, err)
	_, err = s.svc.Reporting.ReceiveText(ctx, app.InboundText{MessageUUID: "u4", From: texter, Text: "replayed", Nonce: "fixed-nonce"})
	assert.ErrorIs(t, err, app.ErrReplayed, "a nonce seen before")
	require.NoError(t, s.store.View(ctx, func(tx ports.Tx) error {
		msgs, err := tx.Messages().List(ctx, list[0].ID)
		require.NoError(t, err)
		assert.Len(t, msgs, 3, "the replay stored nothing")
		return nil
	}))
}

// A text that opens a report claims its nonce and id beside the report's
// writes, expecting them new; a replayed webhook, the carrier's retry of a
// text and a nonce forgotten after a day are still told apart, on both
// stores.
func TestOpeningTextsSeenBeforeAreToldApart(t *testing.T) {
	for name, open := range map[string]func(testing.TB) ports.Store{
		"SQLite":     func(t testing.TB) ports.Store { return storetest.OpenSQLite(t) },
		"PostgreSQL": func(t testing.TB) ports.Store { return storetest.OpenPostgres(t) },
	} {
		t.Run(name, func(t *testing.T) {
			s := newSchoolOn(t, newHarnessOn(t, open(t)))
			receive := func(uuid, nonce string) (app.TextOutcome, error) {
				return s.svc.Reporting.ReceiveText(ctx, app.InboundText{MessageUUID: uuid, From: texter, Text: "OAK someone is picked on", Nonce: nonce})
			}
			out, err := receive("u1", "n1")
			require.NoError(t, err)
			assert.Equal(t, app.TextOpened, out)

			_, err = receive("u2", "n1")
			assert.ErrorIs(t, err, app.ErrReplayed, "the webhook replayed")
			out, err = receive("u1", "n2")
			require.NoError(t, err)
			assert.Equal(t, app.TextDuplicate, out, "the carrier's retry: a new nonce, the same id")
			assert.Len(t, s.smsInteractions(t), 1)

			s.clock.t = s.clock.t.Add(25 * time.Hour)
			_, err = receive("u3", "n1")
			assert.ErrorIs(t, err, app.ErrReplayed, "a nonce over a day old is still a replay")
			out, err = receive("u3", "n3")
			require.NoError(t, err)
			assert.Equal(t, app.TextOpened, out, "a new text with a new nonce")
			assert.Len(t, s.smsInteractions(t), 2)
			assert.Len(t, s.texts(t), 2, "a link for each report, none for the others")
		})
	}
}

func TestUnknownCodesGetOneHelpTextADayAndNothingElse(t *testing.T) {
	s := newSchool(t)
	assert.Equal(t, app.TextHelped, s.text(t, "u1", "NOPE hello"))
	assert.Equal(t, app.TextDropped, s.text(t, "u2", "still nothing"))
	assert.Empty(t, s.smsInteractions(t), "no interaction kept")
	texts := s.texts(t)
	require.Len(t, texts, 1)
	assert.Equal(t, domain.DeliverySMSHelp, texts[0].Kind)
	assert.Empty(t, texts[0].Body)
	assert.Empty(t, texts[0].Link)

	s.clock.t = s.clock.t.Add(24 * time.Hour)
	assert.Equal(t, app.TextHelped, s.text(t, "u3", "hello?"))
}

func TestTextsToClosedFormsAndBlockedNumbers(t *testing.T) {
	s := newSchool(t)
	s.form.Open = false
	require.NoError(t, s.store.InTx(ctx, func(tx ports.Tx) error { return storetest.SaveForm(tx, s.form) }))
	assert.Equal(t, app.TextDropped, s.text(t, "u1", "OAK hello"))
	texts := s.texts(t)
	require.Len(t, texts, 1)
	assert.Equal(t, domain.DeliverySMSClosed, texts[0].Kind)

	s.form.Open = true
	require.NoError(t, s.store.InTx(ctx, func(tx ports.Tx) error {
		if err := storetest.SaveForm(tx, s.form); err != nil {
			return err
		}
		id, _ := domain.NewBlockID(rand.Reader)
		return tx.Blocks().Create(ctx, &domain.Block{ID: id, Kind: domain.BlockPhone, Value: "+447700900123", CreatedAt: s.clock.t})
	}))
	assert.Equal(t, app.TextDropped, s.text(t, "u2", "OAK hello"))
	assert.Empty(t, s.smsInteractions(t))
}

func TestBadNumbersAreRefused(t *testing.T) {
	s := newSchool(t)
	_, err := s.svc.Reporting.ReceiveText(ctx, app.InboundText{MessageUUID: "u1", From: "not-a-number", Text: "OAK hi"})
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err))
	assert.Empty(t, s.smsInteractions(t))
}
