package domain

import "time"

// ErasureDue is when the interaction's personal data must be erased: the
// organisation's retention period after it was closed or, while it is open,
// after its last activity.
func ErasureDue(ia *Interaction, r Retention) time.Time {
	from := ia.LastActivityAt
	if ia.Status == StatusClosed && ia.ClosedAt != nil {
		from = *ia.ClosedAt
	}
	return r.After(from)
}

// PurgeDue says whether the interaction's personal data must be erased at
// now. A legal hold stops erasure; erased interactions are done.
func PurgeDue(ia *Interaction, r Retention, now time.Time) bool {
	if ia.LegalHold || ia.ErasedAt != nil {
		return false
	}
	return !now.Before(ErasureDue(ia, r))
}
