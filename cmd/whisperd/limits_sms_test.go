package main

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/sms/plivotest"
	"github.com/whisper-schools/whisper/ports"
)

// TestTextsPerNumberCountsOpeningsOnly texts whisperd through its signed
// webhook: limits.texts_per_number caps the reports one number opens in
// an hour, never the texts that continue an open conversation; a text
// the limit refuses is answered, once an hour, by a text saying so, and
// its refusal is logged without the number or the text.
func TestTextsPerNumberCountsOpeningsOnly(t *testing.T) {
	stand := plivotest.Start(t, "MAID", "plivo-token")
	db := filepath.Join(t.TempDir(), "whisper.db")
	in := start(t, []string{"--demo", "--database-url", "sqlite:" + db}, withPlivo(stand, map[string]string{
		"WHISPER_OUTBOX_POLL_INTERVAL":    "20ms",
		"WHISPER_LIMITS_TEXTS_PER_NUMBER": "2",
	}))
	c := &carrier{t: t, url: in.url, token: "plivo-token"}
	const from = "447700900321"
	texts := []string{
		"demo Someone keeps taking my lunch money", // opens the first report
		"It happened again today",                  // continues it …
		"And yesterday too",
		"They said they would hurt me if I told",
		"Please help",
		"demo Another thing: my friend is being hurt at home", // opens the second
		"She is scared to go home",
		"demo A third report",  // refused by the limit, and told so
		"demo A fourth report", // refused, and not told again
		"Are you there?",       // continues the second report
	}
	for i, text := range texts {
		require.Equal(t, http.StatusOK, c.text("uuid-limit-"+string(rune('a'+i)), from, text), "text %d", i+1)
	}
	eventually(t, "two links and one refusal", func() bool { return len(stand.Sent()) >= 3 })
	require.NoError(t, in.stop())
	sent := stand.Sent()
	require.Len(t, sent, 3, "two links and one refusal: nothing more")
	assert.Contains(t, sent[0].Text, publicURL+"/t/")
	assert.Contains(t, sent[1].Text, publicURL+"/t/")
	assert.Contains(t, sent[2].Text, "did not reach the school")
	assert.Contains(t, sent[2].Text, "999")
	logs := in.stderr.String()
	assert.Contains(t, logs, "text refused by a rate limit")
	for _, secret := range []string{from, "third report", "fourth report"} {
		assert.NotContains(t, logs, secret)
	}

	require.NoError(t, openEmbedded(t, db).View(context.Background(), func(tx ports.Tx) error {
		list, err := tx.Interactions().List(context.Background(), ports.InteractionFilter{})
		require.NoError(t, err)
		require.Len(t, list, 2, "two reports opened")
		total := 0
		for _, ia := range list {
			msgs, err := tx.Messages().List(context.Background(), ia.ID)
			require.NoError(t, err)
			total += len(msgs)
		}
		assert.Equal(t, 8, total, "every text but the two refused is kept")
		return nil
	}))
}
