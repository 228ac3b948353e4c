package ports

import (
	"context"
	"time"

	"github.com/whisper-schools/whisper/domain"
)

// NotificationRepo keeps how each member of staff chose to hear of new
// reports and replies in each of their inboxes (domain.NotifyMode), and
// which daily digests were sent. None of it is about a reporter.
type NotificationRepo interface {
	// Preferences returns the member's chosen modes by inbox. An inbox
	// missing from the map is domain.NotifyAtOnce, the default.
	Preferences(ctx context.Context, staff domain.StaffID) (map[domain.InboxID]domain.NotifyMode, error)
	// SetPreferences saves the modes of modes' inboxes for the member and
	// leaves their other inboxes as they were. Callers check that the
	// member is assigned to each inbox.
	SetPreferences(ctx context.Context, staff domain.StaffID, modes map[domain.InboxID]domain.NotifyMode) error
	// Alertees returns the members assigned to the inbox and not removed,
	// oldest first, with their address, language and mode as they are in
	// this transaction.
	Alertees(ctx context.Context, inbox domain.InboxID) ([]domain.Alertee, error)
	// DigestMembers returns each member, not removed, who chose
	// domain.NotifyDigest for at least one inbox they are still assigned
	// to, with those inboxes.
	DigestMembers(ctx context.Context) ([]DigestMember, error)
	// ClaimDigest records that the member's digest of day (a local date,
	// YYYY-MM-DD) is sent at now, if none was, and reports whether this
	// call recorded it, with when the member's previous digest went (zero
	// when there was none). It is one conditional write: of instances
	// claiming the same member's day at once, exactly one is told true.
	ClaimDigest(ctx context.Context, staff domain.StaffID, day string, now time.Time) (claimed bool, previous time.Time, err error)
	// DigestCounts returns, for each of the inboxes, what a digest says of
	// it (domain.DigestInbox, without Name): the reports made and the
	// reporter replies written after since, and the open interactions
	// awaiting reply, erased ones left out, with at most refs references.
	DigestCounts(ctx context.Context, inboxes []domain.InboxID, since time.Time, refs int) ([]domain.DigestInbox, error)
}

// DigestMember is a member who gets a daily digest, and of which inboxes.
type DigestMember struct {
	Staff   *domain.Staff
	Inboxes []domain.InboxID
}
