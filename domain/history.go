package domain

import "time"

// HistoryKind says what a member of staff did to an interaction.
type HistoryKind string

// The things an interaction's history records. Each is written in the same
// transaction as the action it records, so the history never claims what
// did not happen nor misses what did.
const (
	// HistoryRead: the member opened the interaction's page (at most once
	// an hour per member, see ReadSlot).
	HistoryRead HistoryKind = "read"
	// HistoryReplied: the member replied to the reporter.
	HistoryReplied HistoryKind = "replied"
	// HistoryNoted: the member added an internal note. The note itself is
	// not in the history.
	HistoryNoted HistoryKind = "noted"
	// HistoryAssigned: the member gave the interaction to a colleague;
	// Detail is the colleague's name at the time.
	HistoryAssigned HistoryKind = "assigned"
	// HistoryUnassigned: the member left the interaction with no one.
	HistoryUnassigned HistoryKind = "unassigned"
	// HistoryMarkedUrgent and HistoryUnmarkedUrgent: the member marked the
	// interaction urgent, or no longer urgent.
	HistoryMarkedUrgent   HistoryKind = "marked_urgent"
	HistoryUnmarkedUrgent HistoryKind = "unmarked_urgent"
	// HistoryMoved: the member moved the interaction to another inbox
	// (category); Detail is that inbox's name at the time.
	HistoryMoved HistoryKind = "moved"
	// HistoryClosed and HistoryReopened: the member closed or reopened it.
	HistoryClosed   HistoryKind = "closed"
	HistoryReopened HistoryKind = "reopened"
	// HistoryExported: the interaction was in an export the member took;
	// Detail is its format, "csv" or "json".
	HistoryExported HistoryKind = "exported"
	// HistoryPrinted: the member opened the interaction's printable record
	// (to print it, save it as PDF or copy it into another system).
	HistoryPrinted HistoryKind = "printed"
)

// HistoryKinds are every kind, in the order the list above gives them.
var HistoryKinds = []HistoryKind{
	HistoryRead, HistoryReplied, HistoryNoted, HistoryAssigned, HistoryUnassigned,
	HistoryMarkedUrgent, HistoryUnmarkedUrgent, HistoryMoved, HistoryClosed, HistoryReopened,
	HistoryExported, HistoryPrinted,
}

// HistoryEvent is one line of an interaction's history: who did what, and
// when. The member is named as they were named at the time, so that the
// history still says who it was after they leave or change their name. It
// holds nothing a reporter wrote, and nothing a note says.
type HistoryEvent struct {
	InteractionID InteractionID
	StaffID       StaffID
	// StaffName is the member's full name when they acted.
	StaffName string
	Kind      HistoryKind
	// Detail is what the kind says it is (an inbox's name, a colleague's
	// name, an export's format), or empty.
	Detail string
	At     time.Time
}

// StaffEvent is what s did, of kind, at at.
func StaffEvent(s *Staff, kind HistoryKind, detail string, at time.Time) HistoryEvent {
	return HistoryEvent{StaffID: s.ID, StaffName: s.FullName(), Kind: kind, Detail: detail, At: at}
}

// readSlotLength is how long one read stands for: a member who opens an
// interaction again within the same clock hour adds no line to its history.
const readSlotLength = time.Hour

// ReadSlot is the clock hour (UTC, counted from the Unix epoch) a read at
// at falls in. A member's reads of one interaction are recorded at most
// once per slot: the page is opened after every reply, move and close,
// and a line for each would bury what matters.
func ReadSlot(at time.Time) int64 {
	return at.Unix() / int64(readSlotLength/time.Second)
}
