package app

import (
	"testing"
	"time"

	"github.com/whisper-schools/whisper/domain"
)

// TestDueBeforeMissesNothingDue checks the purge's organisation cutoff at
// the earliest moment each interaction falls due, where it is tightest:
// across three years of month ends, in UTC and in a zone whose clock
// changes, an interaction is never left out on the night it is due.
func TestDueBeforeMissesNothingDue(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	for _, r := range []domain.Retention{domain.Retention6, domain.Retention12, domain.Retention24, domain.Retention36} {
		for _, loc := range []*time.Location{time.UTC, london} {
			for from := time.Date(2025, 1, 1, 0, 30, 0, 0, loc); from.Year() < 2028; from = from.Add(5*time.Hour + 7*time.Minute) {
				due := r.After(from).UTC()
				if cutoff := dueBefore(r, due); !from.Before(cutoff) {
					t.Fatalf("%v from %v is due at %v but lies after the cutoff %v", r, from, due, cutoff)
				}
			}
		}
	}
}
