package storetest

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// testErasureIsFinal writes personal data back into an erased interaction
// the ways a program could, through the repositories and in plain SQL
// around them: the database refuses every one.
func testErasureIsFinal(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	contact := domain.Contact{Email: "gone@example.org", Phone: "+447700900555"}
	meta := domain.Meta{IP: "203.0.113.4", Location: "Bristol, England, GB", Region: "England, GB"}
	erased, msg, _ := createReport(t, st, f, now, contact, meta)
	live, liveMsg, _ := createReport(t, st, f, now, contact, meta)
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { _, err := tx.Interactions().Erase(ctx, now, erased.ID); return err }))

	_, err := changeIn(st, erased.ID, func(ia *domain.Interaction) error { ia.Flagged = true; return nil })
	assert.ErrorIs(t, err, domain.ErrErased, "Change refuses an erased interaction")
	_, err = changeIn(st, "int_missing", func(*domain.Interaction) error { return nil })
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err))

	reply := &domain.Message{ID: must(domain.NewMessageID(rand.Reader)), InteractionID: erased.ID, Author: domain.AuthorReporter,
		Body: "written after the erasure", CreatedAt: now.Add(time.Minute)}
	err = st.InTx(ctx, func(tx ports.Tx) error { return tx.Messages().Add(ctx, reply, domain.Meta{IP: "198.51.100.3"}) })
	assert.ErrorIs(t, err, domain.ErrErased, "no message text for an erased interaction")
	assert.Equal(t, domain.KindConflict, domain.KindOf(err))
	link := domain.ReporterLink(must(domain.NewDeliveryID(rand.Reader)), erased, contact.Email, "https://w.example/t/x", domain.English, now)
	err = st.InTx(ctx, func(tx ports.Tx) error { return tx.Outbox().Enqueue(ctx, link) })
	assert.ErrorIs(t, err, domain.ErrErased, "no delivery for an erased interaction")

	db := st.(*store.Store).DB()
	sealed := []byte("sealed")
	for what, w := range map[string]struct {
		set   string
		value any
	}{
		"a name":           {"reporter_name_sealed = ?", sealed},
		"an email":         {"email_sealed = ?", sealed},
		"an email's index": {"email_index = ?", "ix"},
		"a phone":          {"phone_sealed = ?", sealed},
		"a phone's index":  {"phone_index = ?", "ix"},
		"a token":          {"token_hash = ?", "th"},
	} {
		q := "UPDATE interactions SET " + w.set + " WHERE id = ?"
		_, err := db.NewRaw(q, w.value, string(erased.ID)).Exec(ctx)
		assert.Error(t, err, "%s written back", what)
		_, err = db.NewRaw(q, w.value, string(live.ID)).Exec(ctx)
		assert.NoError(t, err, "%s of an interaction not erased may change", what)
	}
	_, err = db.NewRaw("UPDATE interactions SET erased_at = NULL WHERE id = ?", string(erased.ID)).Exec(ctx)
	assert.Error(t, err, "an erasure undone")
	_, err = db.NewRaw("UPDATE interactions SET erased_at = ? WHERE id = ?", now.Add(time.Hour), string(erased.ID)).Exec(ctx)
	assert.Error(t, err, "an erasure moved")
	for _, col := range []string{"body_sealed", "ip_sealed", "location_sealed"} {
		_, err = db.NewRaw("UPDATE messages SET "+col+" = ? WHERE id = ?", []byte("sealed"), string(msg.ID)).Exec(ctx)
		assert.Error(t, err, "%s of an erased interaction's message", col)
		_, err = db.NewRaw("UPDATE messages SET "+col+" = ? WHERE id = ?", []byte("sealed"), string(liveMsg.ID)).Exec(ctx)
		assert.NoError(t, err, "%s of a message not erased may change", col)
	}
	_, err = db.NewRaw("INSERT INTO interactions (id, ref, org_id, form_id, inbox_id, channel, status, flagged, legal_hold, token_hash, created_at, last_activity_at, erased_at) "+
		"VALUES ('int_born_erased', 'WSP-ERAS-ED00', ?, ?, ?, 'web', 'open', FALSE, FALSE, 'th', ?, ?, ?)",
		string(f.org.ID), string(f.form.ID), string(f.inbox.ID), now, now, now).Exec(ctx)
	assert.Error(t, err, "an interaction born erased holds no personal data either")

	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		got, err := tx.Interactions().Get(ctx, erased.ID)
		require.NoError(t, err)
		assert.Equal(t, now, *got.ErasedAt, "still erased, at its time")
		c, err := tx.Interactions().Contact(ctx, erased.ID)
		require.NoError(t, err)
		assert.Equal(t, domain.Contact{}, c)
		return nil
	}))
}

// changeIn runs Change in a transaction of its own.
func changeIn(st ports.Store, id domain.InteractionID, fn func(*domain.Interaction) error) (out *domain.Interaction, err error) {
	err = st.InTx(ctx, func(tx ports.Tx) error {
		out, err = tx.Interactions().Change(ctx, id, fn)
		return err
	})
	return out, err
}

// testEraseSkipsHolds erases a batch with a held interaction in it: Erase
// leaves that one, and says which it erased; erasing again erases none.
func testEraseSkipsHolds(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	free, _, _ := createReport(t, st, f, now, domain.Contact{Email: "free@example.org"}, domain.Meta{})
	held, _, token := createReport(t, st, f, now, domain.Contact{Email: "held@example.org"}, domain.Meta{})
	_, err := changeIn(st, held.ID, func(ia *domain.Interaction) error { ia.LegalHold = true; return nil })
	require.NoError(t, err)
	erase := func(ids ...domain.InteractionID) (out []domain.InteractionID, err error) {
		err = st.InTx(ctx, func(tx ports.Tx) error {
			out, err = tx.Interactions().Erase(ctx, now, ids...)
			return err
		})
		return out, err
	}
	erased, err := erase(free.ID, held.ID)
	require.NoError(t, err)
	assert.Equal(t, []domain.InteractionID{free.ID}, erased)
	again, err := erase(free.ID, held.ID)
	require.NoError(t, err)
	assert.Empty(t, again, "erased already, or held")
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		got, err := tx.Interactions().GetByToken(ctx, token)
		require.NoError(t, err, "the held one's link still opens it")
		assert.Nil(t, got.ErasedAt)
		return nil
	}))
	_, err = erase(free.ID, "int_missing")
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err), "an id that does not exist")
}
