package main

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// whisperctl export writes times with the offset of time_zone, as the
// portal's export does; its readable text names the zone; a time_zone
// that is not one is refused before anything is opened.
func TestWhisperctlUsesTheTimeZone(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		c.env["WHISPER_TIME_ZONE"] = "America/New_York"
		s := c.school()
		pupils := c.reporters(s.Code)
		pupils.clock.at = time.Date(2026, 10, 8, 13, 3, 0, 0, time.UTC)
		pupils.report("", "", "198.51.100.20", "It happened at lunch.")

		var rows []map[string]any
		c.ok(&rows, "export", "--org", s.OrgID)
		require.Len(t, rows, 1)
		assert.Equal(t, "2026-10-08T09:03:00-04:00", rows[0]["created_at"])

		out := c.run("", "export", "--org", s.OrgID, "--format", "csv")
		require.Equal(t, 0, out.code, out.stderr)
		records, err := csv.NewReader(strings.NewReader(out.stdout)).ReadAll()
		require.NoError(t, err)
		assert.Equal(t, "2026-10-08T09:03:00-04:00", records[1][6])

		created := c.run("", "org", "create", "--name", "Birchwood High", "--trial-days", "30")
		require.Equal(t, 0, created.code, created.stderr)
		assert.Contains(t, created.stdout, "(America/New_York)", "the trial's last day says whose day it is")

		c.env["WHISPER_TIME_ZONE"] = "Europe/Londres"
		bad := c.run("", "org", "list")
		assert.NotEqual(t, 0, bad.code)
		assert.Contains(t, bad.stderr, "time_zone")
	})
}
