package domain

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckReplyLimit(t *testing.T) {
	t0 := time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC)
	at := func(minutes ...int) []time.Time {
		var out []time.Time
		for _, m := range minutes {
			out = append(out, t0.Add(time.Duration(m)*time.Minute))
		}
		return out
	}
	for name, c := range map[string]struct {
		limit int
		sent  []time.Time
		until time.Time // zero: allowed
	}{
		"no limit":                      {0, at(0, 1, 2, 3), time.Time{}},
		"under":                         {3, at(1, 2), time.Time{}},
		"at the limit":                  {2, at(1, 2), t0.Add(61 * time.Minute)},
		"the report is not a reply":     {2, at(0, 1), time.Time{}},
		"the report counts once only":   {2, at(0, 0, 0), t0.Add(60 * time.Minute)},
		"over a lowered limit":          {2, at(1, 2, 3, 4), t0.Add(63 * time.Minute)},
		"the report gone from the hour": {2, at(5, 6), t0.Add(65 * time.Minute)},
	} {
		t.Run(name, func(t *testing.T) {
			err := CheckReplyLimit(c.limit, c.sent, t0, t0.Add(10*time.Minute))
			if c.until.IsZero() {
				assert.NoError(t, err)
				return
			}
			var limited *RepliesLimited
			require.True(t, errors.As(err, &limited), "%v", err)
			assert.Equal(t, KindUnavailable, KindOf(err))
			assert.Equal(t, c.until, limited.Until)
			assert.Equal(t, c.limit, limited.Limit)
		})
	}
}

func TestReplyAlertWindows(t *testing.T) {
	t0 := time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC)
	var st ReplyAlertState
	due, st := st.NextAlert(t0, "dlv_a")
	assert.Equal(t, t0, due, "the first reply is announced at once")
	assert.Equal(t, ReplyAlertState{WindowEndsAt: t0.Add(ReplyAlertWindow)}, st)

	due, st = st.NextAlert(t0.Add(time.Minute), "dlv_b")
	assert.Equal(t, t0.Add(ReplyAlertWindow), due, "within the window, the alert trails")
	assert.Equal(t, ReplyAlertState{WindowEndsAt: t0.Add(ReplyAlertWindow), PendingID: "dlv_b", PendingCount: 1}, st)

	st = st.PendingWent()
	assert.Equal(t, ReplyAlertState{WindowEndsAt: t0.Add(2 * ReplyAlertWindow)}, st, "the trailing alert opened the next window")
	due, _ = st.NextAlert(t0.Add(20*time.Minute), "dlv_c")
	assert.Equal(t, t0.Add(2*ReplyAlertWindow), due)
	due, _ = st.NextAlert(t0.Add(2*ReplyAlertWindow), "dlv_d")
	assert.Equal(t, t0.Add(2*ReplyAlertWindow), due, "at the window's end a reply is announced at once")
}
