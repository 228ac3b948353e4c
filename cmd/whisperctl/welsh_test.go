package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The operator's notice goes to each admin who reads Whisper in Welsh in
// the Welsh the operator wrote, footer and all, and to everyone else in
// English; sent through a real SMTP server.
func TestOperatorNoticesInWelshToWelshReaders(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		require.Equal(t, 0, c.run("", "db", "migrate").code)
		var ysgol subscriberOut
		c.ok(&ysgol, "org", "create", "--name", "Ysgol Gymraeg", "--contact-email", "bursar@ysgol.example")
		c.fails(exitInvalid, "staff", "create", "--org", ysgol.ID, "--email", "x@ysgol.example", "--first-name", "X", "--language", "fr")
		c.ok(&struct{}{}, "staff", "create", "--org", ysgol.ID, "--email", "pennaeth@ysgol.example", "--first-name", "Nia", "--role", "admin", "--language", "cy")
		c.ok(&struct{}{}, "staff", "create", "--org", ysgol.ID, "--email", "head@ysgol.example", "--first-name", "Hana", "--role", "admin")

		dir := t.TempDir()
		en, cy := filepath.Join(dir, "en.txt"), filepath.Join(dir, "cy.txt")
		require.NoError(t, os.WriteFile(en, []byte("Whisper will be down on Saturday.\n"), 0o600))
		require.NoError(t, os.WriteFile(cy, []byte("Bydd Whisper ar gau ddydd Sadwrn.\n"), 0o600))
		c.fails(exitUsage, "notify", "--subject", "Maintenance", "--body-file", en, "--subject-cy", "Cynnal a chadw", "--org", ysgol.ID, "--reason", "r")
		c.fails(exitUsage, "notify", "--subject", "Maintenance", "--body-file", en, "--body-file-cy", cy, "--org", ysgol.ID, "--reason", "r")
		var sent struct{ Orgs, Emails int }
		c.ok(&sent, "notify", "--subject", "Maintenance", "--body-file", en, "--subject-cy", "Cynnal a chadw", "--body-file-cy", cy,
			"--org", ysgol.ID, "--reason", "maintenance")
		assert.Equal(t, 3, sent.Emails)

		got := deliver(t, c.service(&testClock{}))
		require.Len(t, got, 3)
		for _, m := range got {
			require.Len(t, m.To, 1)
			if m.To[0] == "pennaeth@ysgol.example" {
				assert.Contains(t, m.Data, "Subject: Cynnal a chadw")
				assert.Contains(t, m.Data, "Bydd Whisper ar gau ddydd Sadwrn.")
				assert.Contains(t, m.Data, "Rydych chi'n cael yr hysbysiad hwn gan weithredwr Whisper")
				assert.NotContains(t, m.Data, "down on Saturday")
				continue
			}
			assert.Contains(t, m.Data, "Subject: Maintenance", m.To)
			assert.Contains(t, m.Data, "Whisper will be down on Saturday.", m.To)
			assert.Contains(t, m.Data, "You receive this notice from the operator of Whisper", m.To)
		}
	})
}
