package main

import (
	"context"
	"crypto/rand"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/sms/plivotest"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// A texter whose school is suspended is told kindly, by text, that the
// school takes no messages through Whisper now, with help now; their text
// is not kept, and they are told once however many they send.
func TestTextsToASuspendedSchoolAreAnsweredKindly(t *testing.T) {
	stand := plivotest.Start(t, "MAID", "plivo-token")
	db := filepath.Join(t.TempDir(), "whisper.db")
	in := start(t, []string{"--demo", "--database-url", "sqlite:" + db}, withPlivo(stand, map[string]string{
		"WHISPER_OUTBOX_POLL_INTERVAL":    "20ms",
		"WHISPER_LIMITS_TEXTS_PER_NUMBER": "0",
	}))
	c := &carrier{t: t, url: in.url, token: "plivo-token"}
	require.Equal(t, http.StatusOK, c.text("uuid-1", "447700900123", "demo Someone keeps hitting me at the bus stop"))
	eventually(t, "the link text", func() bool { return len(stand.Sent()) == 1 })

	st := openEmbedded(t, db)
	svc := app.New(app.Deps{Store: st, Clock: app.SystemClock{}, Random: rand.Reader})
	orgs, err := svc.Operations.ListOrganisations(context.Background())
	require.NoError(t, err)
	require.Len(t, orgs, 1)
	_, err = svc.Operations.SetOrganisationStatus(context.Background(), app.Operator{Name: "test"}, orgs[0].ID, domain.OrgSuspended, "unpaid")
	require.NoError(t, err)

	require.Equal(t, http.StatusOK, c.text("uuid-2", "447700900123", "It happened again today"))
	eventually(t, "the kind text", func() bool { return len(stand.Sent()) == 2 })
	kind := stand.Sent()[1]
	assert.Equal(t, "+447700900123", kind.Dst)
	assert.Contains(t, kind.Text, "not taking messages through Whisper now")
	assert.Contains(t, kind.Text, "999")
	assert.Contains(t, kind.Text, "0800 1111")
	assert.False(t, strings.Contains(kind.Text, "It happened again"), "the text is not repeated back")

	require.Equal(t, http.StatusOK, c.text("uuid-3", "447700900123", "Hello?"))
	time.Sleep(300 * time.Millisecond)
	assert.Len(t, stand.Sent(), 2, "told once an hour, however many texts come")

	require.NoError(t, st.View(context.Background(), func(tx ports.Tx) error {
		list, err := tx.Interactions().List(context.Background(), ports.InteractionFilter{OrgID: &orgs[0].ID})
		require.NoError(t, err)
		require.Len(t, list, 1)
		msgs, err := tx.Messages().List(context.Background(), list[0].ID)
		require.NoError(t, err)
		assert.Len(t, msgs, 1, "nothing kept after the suspension")
		return nil
	}))
}
