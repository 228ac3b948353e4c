package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/adapters/store/pgtest"
	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// secrets are the personal data of one report. None may appear in the
// database's files or in a dump, in any common encoding.
var secrets = []string{
	"Jordan-Quill-Reporter",                 // reporter name
	"the-boy-in-7B-took-my-phone-plaintext", // message text
	"jordan.quill@example.org",              // email
	"+447700900461",                         // phone
	"203.0.113.77",                          // IP address
	"Haverfordwest-Locality",                // location
	"Quillnet-Broadband",                    // network
	"Morgan-Staff-Firstname",                // staff name
	"morgan.dsl@oakfield.example",           // staff email
}

func storeSecrets(t *testing.T, st *store.Store) domain.Token {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	rnd := rand.Reader
	org, err := domain.NewOrganisation(mustV(domain.NewOrgID(rnd)), "At Rest Academy", domain.Retention6, 0, now)
	require.NoError(t, err)
	form, err := domain.NewForm(mustV(domain.NewFormID(rnd)), org.ID, "At Rest", "ATREST1", now)
	require.NoError(t, err)
	inbox, err := domain.NewInbox(mustV(domain.NewInboxID(rnd)), form, "General", nil, 0, now)
	require.NoError(t, err)
	staff, err := domain.NewStaff(mustV(domain.NewStaffID(rnd)), org.ID, secrets[8], secrets[7], "", domain.RoleAdmin, nil, now)
	require.NoError(t, err)
	ids := domain.IDs{
		Interaction: mustV(domain.NewInteractionID(rnd)), Message: mustV(domain.NewMessageID(rnd)),
		Ref: mustV(domain.NewReference(rnd)), Token: mustV(domain.NewToken(rnd)),
	}
	ia, msg, token, err := domain.OpenInteraction(ids, domain.NewReport{
		Form: form, Inbox: inbox, Channel: domain.ChannelSMS, Name: secrets[0], Body: secrets[1],
	}, now)
	require.NoError(t, err)
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		for _, step := range []func() error{
			func() error { return tx.Organisations().Create(ctx, org) },
			func() error { return tx.Forms().Create(ctx, form) },
			func() error { return tx.Inboxes().Create(ctx, inbox) },
			func() error { return tx.Staff().Create(ctx, staff) },
			func() error {
				return tx.Interactions().Create(ctx, ia, token, domain.Contact{Email: secrets[2], Phone: secrets[3]})
			},
			func() error {
				return tx.Messages().Add(ctx, msg, domain.Meta{IP: secrets[4], Location: secrets[5], Network: secrets[6]})
			},
			func() error {
				// A staff reply on its way to the texter: their number, the
				// reply and the replier's first name.
				return tx.Outbox().Enqueue(ctx, domain.ReporterSMS(mustV(domain.NewDeliveryID(rnd)), ia, secrets[3], secrets[7], secrets[1], form.Language, now))
			},
		} {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	}))
	// And it all reads back, so the absence below is encryption, not loss.
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		c, err := tx.Interactions().Contact(ctx, ia.ID)
		require.NoError(t, err)
		assert.Equal(t, secrets[3], c.Phone)
		msgs, err := tx.Messages().List(ctx, ia.ID)
		require.NoError(t, err)
		assert.Equal(t, secrets[1], msgs[0].Body)
		queued, err := tx.Outbox().List(ctx, ports.OutboxFilter{InteractionID: &ia.ID})
		require.NoError(t, err)
		require.Len(t, queued, 1)
		assert.Equal(t, secrets[7], queued[0].StaffName)
		return nil
	}))
	return token
}

func mustV[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// assertNoPlaintext looks for each secret as raw bytes, as hex (how a dump
// shows bytea) and as base64, and for the token itself.
func assertNoPlaintext(t *testing.T, where string, data []byte, token domain.Token) {
	t.Helper()
	require.NotEmpty(t, data)
	lower := bytes.ToLower(data)
	// The token's bare hash is no more welcome: with it, whoever holds a
	// token could find its row in the dump.
	for _, s := range append(secrets, string(token), token.Hash()) {
		for _, enc := range []string{s, hex.EncodeToString([]byte(s)), base64.StdEncoding.EncodeToString([]byte(s))} {
			assert.False(t, bytes.Contains(lower, bytes.ToLower([]byte(enc))), "%s holds %q in clear", where, s)
		}
	}
}

func TestSQLiteFileHoldsNoPlaintext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "whisper.db")
	st := storetest.OpenURL(t, "sqlite:"+path)
	token := storeSecrets(t, st)
	// Read the file as an attacker would: the main file and its write-ahead
	// log, with whatever has not yet been checkpointed.
	var all []byte
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if err == nil {
			all = append(all, b...)
		}
	}
	assertNoPlaintext(t, "the SQLite files", all, token)
	// A control: the non-personal form name is stored in clear, so the
	// search above would have found plaintext had it been there.
	assert.True(t, bytes.Contains(all, []byte("At Rest Academy")))
}

func TestPostgresDumpHoldsNoPlaintext(t *testing.T) {
	url := pgtest.NewDatabase(t)
	st := storetest.OpenURL(t, url)
	token := storeSecrets(t, st)
	pgDump, err := exec.LookPath("pg_dump")
	if err != nil {
		t.Fatalf("pg_dump is needed to dump the database: %v", err)
	}
	out, err := exec.Command(pgDump, "--data-only", "--dbname", url).Output()
	require.NoError(t, err)
	assertNoPlaintext(t, "the PostgreSQL dump", out, token)
	assert.True(t, bytes.Contains(out, []byte("At Rest Academy")))
}
