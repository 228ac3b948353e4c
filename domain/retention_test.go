package domain_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/whisper-schools/whisper/domain"
)

func TestErasureDue(t *testing.T) {
	t.Parallel()
	activity := time.Date(2026, time.March, 14, 9, 30, 0, 0, time.UTC)
	closed := time.Date(2026, time.May, 20, 17, 0, 0, 0, time.UTC)
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, time.UTC) }
	openIA := func() *domain.Interaction {
		return &domain.Interaction{Status: domain.StatusOpen, CreatedAt: t0, LastActivityAt: activity}
	}
	closedIA := func() *domain.Interaction {
		c := closed
		return &domain.Interaction{Status: domain.StatusClosed, CreatedAt: t0, LastActivityAt: activity, ClosedAt: &c}
	}
	tests := []struct {
		name string
		ia   *domain.Interaction
		r    domain.Retention
		want time.Time
	}{
		{"open, 6 months", openIA(), domain.Retention6, at(2026, time.September, 14, 9, 30)},
		{"open, 12 months", openIA(), domain.Retention12, at(2027, time.March, 14, 9, 30)},
		{"open, 24 months", openIA(), domain.Retention24, at(2028, time.March, 14, 9, 30)},
		{"open, 36 months", openIA(), domain.Retention36, at(2029, time.March, 14, 9, 30)},
		{"closed, 6 months", closedIA(), domain.Retention6, at(2026, time.November, 20, 17, 0)},
		{"closed, 12 months", closedIA(), domain.Retention12, at(2027, time.May, 20, 17, 0)},
		{"closed, 24 months", closedIA(), domain.Retention24, at(2028, time.May, 20, 17, 0)},
		{"closed, 36 months", closedIA(), domain.Retention36, at(2029, time.May, 20, 17, 0)},
		{"closed before the last activity still counts from closing", func() *domain.Interaction {
			ia := closedIA()
			ia.LastActivityAt = closed.AddDate(0, 1, 0)
			return ia
		}(), domain.Retention6, at(2026, time.November, 20, 17, 0)},
		{"open with a stale ClosedAt counts from the last activity", func() *domain.Interaction {
			ia := closedIA()
			ia.Status = domain.StatusOpen
			return ia
		}(), domain.Retention6, at(2026, time.September, 14, 9, 30)},
		{"closed without ClosedAt falls back to the last activity", func() *domain.Interaction {
			ia := closedIA()
			ia.ClosedAt = nil
			return ia
		}(), domain.Retention6, at(2026, time.September, 14, 9, 30)},
		{"reopened counts from the reopening", func() *domain.Interaction {
			ia := closedIA()
			ia.Reopen(at(2026, time.June, 1, 8, 0))
			return ia
		}(), domain.Retention6, at(2026, time.December, 1, 8, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, domain.ErasureDue(tt.ia, tt.r))
		})
	}
}

func TestPurgeDue(t *testing.T) {
	t.Parallel()
	activity := time.Date(2026, time.March, 14, 9, 30, 0, 0, time.UTC)
	due := time.Date(2026, time.September, 14, 9, 30, 0, 0, time.UTC) // activity + 6 months
	closedAt := time.Date(2026, time.May, 20, 17, 0, 0, 0, time.UTC)
	closedDue := time.Date(2026, time.November, 20, 17, 0, 0, 0, time.UTC)
	erasedAt := due.Add(time.Hour)
	tests := []struct {
		name string
		ia   domain.Interaction
		now  time.Time
		want bool
	}{
		{"long before", domain.Interaction{Status: domain.StatusOpen, LastActivityAt: activity}, activity, false},
		{"just before", domain.Interaction{Status: domain.StatusOpen, LastActivityAt: activity}, due.Add(-time.Nanosecond), false},
		{"at", domain.Interaction{Status: domain.StatusOpen, LastActivityAt: activity}, due, true},
		{"just after", domain.Interaction{Status: domain.StatusOpen, LastActivityAt: activity}, due.Add(time.Nanosecond), true},
		{"years after", domain.Interaction{Status: domain.StatusOpen, LastActivityAt: activity}, due.AddDate(3, 0, 0), true},
		{"at, in another zone", domain.Interaction{Status: domain.StatusOpen, LastActivityAt: activity}, due.In(time.FixedZone("X", -5*3600)), true},
		{"legal hold, long after", domain.Interaction{Status: domain.StatusOpen, LastActivityAt: activity, LegalHold: true}, due.AddDate(1, 0, 0), false},
		{"legal hold, at", domain.Interaction{Status: domain.StatusOpen, LastActivityAt: activity, LegalHold: true}, due, false},
		{"already erased", domain.Interaction{Status: domain.StatusOpen, LastActivityAt: activity, ErasedAt: &erasedAt}, due.AddDate(1, 0, 0), false},
		{"erased and held", domain.Interaction{Status: domain.StatusClosed, LastActivityAt: activity, ClosedAt: &closedAt, ErasedAt: &erasedAt, LegalHold: true}, closedDue, false},
		{"closed: past activity + 6 but before closing + 6", domain.Interaction{Status: domain.StatusClosed, LastActivityAt: activity, ClosedAt: &closedAt}, due.Add(time.Hour), false},
		{"closed: just before", domain.Interaction{Status: domain.StatusClosed, LastActivityAt: activity, ClosedAt: &closedAt}, closedDue.Add(-time.Nanosecond), false},
		{"closed: at", domain.Interaction{Status: domain.StatusClosed, LastActivityAt: activity, ClosedAt: &closedAt}, closedDue, true},
		{"closed: after", domain.Interaction{Status: domain.StatusClosed, LastActivityAt: activity, ClosedAt: &closedAt}, closedDue.Add(time.Second), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ia := tt.ia
			assert.Equal(t, tt.want, domain.PurgeDue(&ia, domain.Retention6, tt.now))
		})
	}

	t.Run("longer retention is not yet due", func(t *testing.T) {
		t.Parallel()
		ia := &domain.Interaction{Status: domain.StatusOpen, LastActivityAt: activity}
		for _, r := range []domain.Retention{domain.Retention12, domain.Retention24, domain.Retention36} {
			assert.False(t, domain.PurgeDue(ia, r, due), r)
			assert.True(t, domain.PurgeDue(ia, r, domain.ErasureDue(ia, r)), r)
		}
	})
}
