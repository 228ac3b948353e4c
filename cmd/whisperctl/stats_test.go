package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/cmd/internal/config"
	"github.com/whisper-schools/whisper/cmd/internal/wire"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// staffReplies adds a reply by staff member to each interaction of refs,
// after their arrival, in the database the operator works on.
func (c operator) staffReplies(org, staff string, after time.Duration, refs ...domain.Reference) {
	c.t.Helper()
	cfg, err := config.Load(config.Options{Getenv: func(k string) string { return c.env[k] }})
	require.NoError(c.t, err)
	st, err := wire.OpenStore(context.Background(), cfg, slog.New(slog.DiscardHandler))
	require.NoError(c.t, err)
	defer st.Close()
	for _, ref := range refs {
		require.NoError(c.t, st.InTx(context.Background(), func(tx ports.Tx) error {
			ia, err := tx.StaffView().Get(context.Background(), domain.Viewer{OrgID: domain.OrgID(org)}, ref)
			if err != nil {
				return err
			}
			id, err := domain.NewMessageID(rand.Reader)
			if err != nil {
				return err
			}
			return tx.Messages().Add(context.Background(), &domain.Message{ID: id, InteractionID: ia.ID, Author: domain.AuthorStaff,
				StaffID: domain.StaffID(staff), Body: "Thank you for telling us.", CreatedAt: ia.CreatedAt.Add(after)}, domain.Meta{})
		}))
	}
}

// whisperctl stats counts months and days on the service's clock
// (Europe/London): five reports at 23:2x BST on 30 September count in
// September, five at 00:2x BST on 1 October and five at 23:2x GMT on 31
// October in October, and --from 2026-10-01 starts at midnight BST. Its
// first-reply and open-ages tables are the portal's governors' figures.
func TestWhisperctlStatsOnTheLocalClock(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		s := c.school()
		pupils := c.reporters(s.Code)
		var october []domain.Reference
		for _, start := range []time.Time{
			time.Date(2026, 9, 30, 22, 20, 0, 0, time.UTC),
			time.Date(2026, 9, 30, 23, 20, 0, 0, time.UTC),
			time.Date(2026, 10, 31, 23, 20, 0, 0, time.UTC),
		} {
			for i := range 5 {
				pupils.clock.at = start.Add(time.Duration(i+1) * time.Minute)
				ref := pupils.report("", "", fmt.Sprintf("198.51.100.%d", 40+i), "Counted on the local clock.")
				if start.Hour() == 23 {
					october = append(october, ref)
				}
			}
		}
		var member struct{ ID string }
		c.ok(&member, "staff", "create", "--org", s.OrgID, "--email", "dsl@oakfield.example", "--first-name", "Alex")
		c.staffReplies(s.OrgID, member.ID, 2*time.Hour, october...)

		monthTotals := func(args ...string) map[string]any {
			var rows []statsRowJSON
			c.ok(&rows, append([]string{"stats", "--org", s.OrgID}, args...)...)
			out := map[string]any{}
			for _, r := range rows {
				if r.Total && r.Inbox == "" {
					if r.Count == nil {
						out[r.Month] = "*"
					} else {
						out[r.Month] = *r.Count
					}
				}
			}
			return out
		}
		assert.Equal(t, map[string]any{"2026-09": 5, "2026-10": 10, "": 15}, monthTotals("--from", "2026-09-01", "--to", "2026-10-31"))
		assert.Equal(t, map[string]any{"2026-10": 10, "": 10}, monthTotals("--from", "2026-10-01", "--to", "2026-10-31"),
			"1 October starts at midnight BST, and 31 October ends at midnight GMT")
		assert.Equal(t, map[string]any{"2026-09": 5, "": 5}, monthTotals("--from", "2026-09-30", "--to", "2026-09-30"))

		var medians []medianRowJSON
		c.ok(&medians, "stats", "--org", s.OrgID, "--table", "first-reply", "--from", "2026-09-01", "--to", "2026-10-31")
		two := 2.0
		assert.Equal(t, []medianRowJSON{
			{Month: "2026-09", Inbox: "General", None: true},
			{Month: "2026-09", Total: true, None: true},
			{Month: "2026-10", Inbox: "General", MedianHours: &two},
			{Month: "2026-10", Total: true, MedianHours: &two},
			{Inbox: "General", Total: true, MedianHours: &two},
			{Total: true, MedianHours: &two},
		}, medians)
		text := c.run("", "stats", "--org", s.OrgID, "--table", "first-reply", "--from", "2026-09-01", "--to", "2026-10-31")
		require.Equal(t, 0, text.code, text.stderr)
		assert.Contains(t, text.stdout, "Median hours from a report's arrival to the first staff reply, by month of arrival and inbox, 2026-09 to 2026-10.")
		assert.Regexp(t, `(?m)^ *2026-10 +2\.0 +2\.0 *$`, text.stdout)
		assert.Regexp(t, `(?m)^ *2026-09 +– +– *$`, text.stdout)

		// Every report arrived over 30 days ago (the test runs after
		// 2026) and is still open.
		var ages []ageRowJSON
		c.ok(&ages, "stats", "--org", s.OrgID, "--table", "open-ages")
		count := func(n int) *int { return &n }
		assert.Equal(t, []ageRowJSON{
			{Inbox: "General", Band: "under 1 day", Count: count(0)},
			{Inbox: "General", Band: "1 to 7 days", Count: count(0)},
			{Inbox: "General", Band: "7 to 30 days", Count: count(0)},
			{Inbox: "General", Band: "30 days or more", Count: count(15)},
			{Inbox: "General", Total: true, Count: count(15)},
			{Band: "under 1 day", Total: true, Count: count(0)},
			{Band: "1 to 7 days", Total: true, Count: count(0)},
			{Band: "7 to 30 days", Total: true, Count: count(0)},
			{Band: "30 days or more", Total: true, Count: count(15)},
			{Total: true, Count: count(15)},
		}, ages)
		text = c.run("", "stats", "--org", s.OrgID, "--table", "open-ages")
		require.Equal(t, 0, text.code, text.stderr)
		assert.Regexp(t, `(?m)^ *General +0 +0 +0 +15 +15 *$`, text.stdout)

		c.fails(exitUsage, "stats", "--table", "open-ages")
		c.fails(exitUsage, "stats", "--table", "everything", "--org", s.OrgID)
		c.fails(exitUsage, "stats", "--table", "first-reply", "--org", s.OrgID, "--from", "October")
		c.fails(exitInvalid, "stats", "--table", "first-reply", "--org", s.OrgID, "--from", "2026-10-01", "--to", "2026-09-01")
		c.fails(exitNotFound, "stats", "--table", "open-ages", "--org", "org_aaaaaaaaaaaaaaaaaaaa")
	})
}
