package domain

import "time"

// ErasureDue is when the interaction's personal data must be erased: the
// organisation's retention period after it was closed or, while it is open,
// after its last activity.
func ErasureDue(ia *Interaction, r Retention) time.Time {
	return r.After(RetentionStart(ia))
}

// RetentionStart is when the interaction's retention period started: its
// closing or, while it is open, its last activity.
func RetentionStart(ia *Interaction) time.Time {
	if ia.Status == StatusClosed && ia.ClosedAt != nil {
		return *ia.ClosedAt
	}
	return ia.LastActivityAt
}

// PurgeDue says whether the interaction's personal data must be erased at
// now. A legal hold stops erasure; erased interactions are done.
func PurgeDue(ia *Interaction, r Retention, now time.Time) bool {
	if ia.LegalHold || ia.ErasedAt != nil {
		return false
	}
	return !now.Before(ErasureDue(ia, r))
}
