package domain_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
)

func TestDigestDayAndNextDigestOnLondonsClock(t *testing.T) {
	loc, err := time.LoadLocation("Europe/London")
	require.NoError(t, err)
	zone := domain.NewZone(loc)
	utc := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, time.UTC) }
	for _, c := range []struct {
		at   time.Time
		day  string
		due  bool
		next time.Time
	}{
		{utc(12, 7, 7, 29), "2026-12-07", false, utc(12, 7, 7, 30)},
		{utc(12, 7, 7, 30), "2026-12-07", true, utc(12, 8, 7, 30)},
		{utc(12, 7, 11, 59), "2026-12-07", true, utc(12, 8, 7, 30)},
		{utc(12, 7, 12, 0), "2026-12-07", false, utc(12, 8, 7, 30)},
		{utc(7, 7, 6, 29), "2026-07-07", false, utc(7, 7, 6, 30)},
		{utc(7, 7, 6, 30), "2026-07-07", true, utc(7, 8, 6, 30)},
		{utc(7, 6, 23, 30), "2026-07-07", false, utc(7, 7, 6, 30)},
		{utc(3, 28, 7, 30), "2026-03-28", true, utc(3, 29, 6, 30)},
		{utc(10, 24, 6, 30), "2026-10-24", true, utc(10, 25, 7, 30)},
	} {
		day, due := domain.DigestDay(zone, c.at)
		assert.Equal(t, c.day, day, c.at)
		assert.Equal(t, c.due, due, c.at)
		assert.True(t, c.next.Equal(domain.NextDigest(zone, c.at)), "%s: next %s, got %s", c.at, c.next, domain.NextDigest(zone, c.at))
	}
}

func TestNotifyModes(t *testing.T) {
	for _, s := range []string{"now", " Digest ", "none"} {
		_, err := domain.ParseNotifyMode(s)
		assert.NoError(t, err, s)
	}
	_, err := domain.ParseNotifyMode("weekly")
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err))

	inbox := &domain.Inbox{Notify: []string{"office@oakfield.example", "kim@oakfield.example"}}
	got := domain.AlertRecipients(inbox, []domain.Alertee{
		{Email: "kim@oakfield.example", Language: domain.Welsh, Mode: domain.NotifyNone},
		{Email: "lee@oakfield.example", Language: domain.Welsh, Mode: domain.NotifyAtOnce},
		{Email: "sam@oakfield.example", Mode: domain.NotifyDigest},
	})
	assert.Equal(t, []domain.Recipient{
		{Address: "office@oakfield.example", Language: domain.English},
		{Address: "kim@oakfield.example", Language: domain.Welsh},
		{Address: "lee@oakfield.example", Language: domain.Welsh},
	}, got, "notification addresses as before, in a member's language when theirs; members by their choice")
}
