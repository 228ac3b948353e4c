package domain_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
)

func zone(t *testing.T, name string) domain.Zone {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return domain.NewZone(loc)
}

func TestZone(t *testing.T) {
	london := zone(t, domain.DefaultTimeZone)
	summer := time.Date(2026, 10, 8, 13, 3, 0, 0, time.UTC)
	winter := time.Date(2026, 12, 8, 13, 3, 0, 0, time.UTC)

	assert.Equal(t, "2026-10-08T14:03:00+01:00", london.ISO(summer))
	assert.Equal(t, "8 October 2026, 14:03 BST", london.DateTime(summer))
	assert.Equal(t, "2026-10-08 14:03 BST", london.Stamp(summer))
	assert.Equal(t, "2026-12-08T13:03:00Z", london.ISO(winter), "GMT has no offset")
	assert.Equal(t, "8 December 2026, 13:03 GMT", london.DateTime(winter))

	// Late on a summer evening in UTC is already the next day in London.
	late := time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC)
	assert.Equal(t, "1 July 2026", london.Date(late))

	// A day starts at local midnight; the day before a midnight is the
	// last day of what ends then.
	start := london.DayStart(time.Date(2026, 10, 8, 0, 0, 0, 0, time.UTC))
	assert.Equal(t, time.Date(2026, 10, 7, 23, 0, 0, 0, time.UTC), start.UTC())
	assert.Equal(t, "7 October 2026", london.Date(london.LastDay(start)))

	// Any zone works, and the zero Zone is UTC.
	nz := zone(t, "Pacific/Auckland")
	assert.Equal(t, "9 October 2026, 02:03 NZDT", nz.DateTime(summer))
	assert.Equal(t, "2026-10-09T02:03:00+13:00", nz.ISO(summer))
	assert.Equal(t, "8 October 2026, 13:03 UTC", domain.Zone{}.DateTime(summer))
}

func TestExtendTrialEndsAtLocalMidnight(t *testing.T) {
	london := zone(t, domain.DefaultTimeZone)
	now := time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)
	org := &domain.Organisation{Status: domain.OrgTrial}
	require.NoError(t, org.ExtendTrial(time.Date(2026, 10, 8, 0, 0, 0, 0, time.UTC), now, london))
	assert.Equal(t, time.Date(2026, 10, 8, 23, 0, 0, 0, time.UTC), *org.TrialEndsAt, "midnight BST after 8 October")
	assert.Equal(t, "8 October 2026", london.Date(london.LastDay(*org.TrialEndsAt)))
	require.NoError(t, org.ExtendTrial(time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC), now, london))
	assert.Equal(t, time.Date(2026, 12, 9, 0, 0, 0, 0, time.UTC), *org.TrialEndsAt, "midnight GMT after 8 December")
}
