package domain

import "time"

// Viewer is a signed-in staff member as the staff views see them: who they
// are, and which interactions they may see. Staff see the inboxes they are
// assigned to; admins see every inbox of their organisation.
type Viewer struct {
	StaffID StaffID
	OrgID   OrgID
	// InboxIDs, when not nil, keeps only those inboxes; nil is every inbox
	// of the organisation. A staff member with no assignment has an empty,
	// non-nil list and sees nothing.
	InboxIDs []InboxID
}

// ViewerOf returns what s may see.
func ViewerOf(s *Staff) Viewer {
	v := Viewer{StaffID: s.ID, OrgID: s.OrgID}
	if s.Role != RoleAdmin {
		v.InboxIDs = append([]InboxID{}, s.InboxIDs...)
	}
	return v
}

// StaffInteraction is an interaction as staff see it. It has no field for the channel,
// the reporter's contact data or any meta data, so no staff page, export
// or email built from it can show them: the school must not learn how, or
// from where, a report was sent.
type StaffInteraction struct {
	ID        InteractionID
	Ref       Reference
	FormID    FormID
	FormName  string
	InboxID   InboxID
	InboxName string
	Status    Status
	// ReporterName is what the reporter chose to give; empty is anonymous.
	ReporterName   string
	Flagged        bool
	CreatedAt      time.Time
	LastActivityAt time.Time
	ClosedAt       *time.Time
	// Unread is set when there is activity the viewer has not seen.
	Unread bool
	// Triage is the list's triage of it: assignee, urgency, preview,
	// waiting (domain/triage.go).
	Triage
}

// AnonymousName is how staff see a reporter who gave no name.
const AnonymousName = "[Anonymous]"

// DisplayName is the reporter's name, or [Anonymous].
func (c *StaffInteraction) DisplayName() string {
	if c.ReporterName == "" {
		return AnonymousName
	}
	return c.ReporterName
}

// StaffMessage is one turn of a conversation as staff see it.
type StaffMessage struct {
	ID           MessageID
	FromReporter bool
	// StaffName is the colleague who wrote it, in full.
	StaffName string
	Body      string
	CreatedAt time.Time
}

// InteractionCount is one cell of the anonymised statistics: how many
// interactions one inbox received in one month. It is never split by
// channel.
type InteractionCount struct {
	Month     string // "2026-10"
	InboxID   InboxID
	InboxName string
	Count     int
}

// Session is a signed-in staff member's session. Only the hash of its
// secret is kept.
type Session struct {
	IDHash     string
	StaffID    StaffID
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// Session lifetimes: idle sessions end after half an hour; none lasts more
// than a working day.
const (
	SessionIdle     = 30 * time.Minute
	SessionAbsolute = 12 * time.Hour
)

// Live says whether the session may still be used at now.
func (s *Session) Live(now time.Time) bool {
	return now.Sub(s.LastSeenAt) < SessionIdle && now.Sub(s.CreatedAt) < SessionAbsolute
}

// FactCount is what anonymised statistics know of the interactions that
// arrived in one month, went to one inbox by one channel and came from one
// region: how many they are. Nothing in it points back to a person.
type FactCount struct {
	// Month is the month as YYYY-MM, on the service zone's clock.
	Month     string
	InboxName string
	Channel   Channel
	// Region is the region-level place of the first message, or empty
	// when it is not known.
	Region string
	Count  int
}
