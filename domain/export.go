package domain

import "time"

// ExportRow is one report in a staff export. It is built from the staff's
// case view alone, so it holds what the portal shows and nothing more: no
// channel, no contact data, no meta data.
type ExportRow struct {
	// ID is the interaction's own id, for recording the export in its
	// history; the export files do not carry it.
	ID     InteractionID
	Ref    Reference
	Status Status
	Form   string
	Inbox  string
	// Reporter is the name the reporter gave, or [Anonymous].
	Reporter       string
	Flagged        bool
	CreatedAt      time.Time
	LastActivityAt time.Time
	ClosedAt       *time.Time
	Messages       []ExportMessage
	// Notes are the staff's internal notes, oldest first, which the
	// export marks internal: never shown or sent to the reporter.
	Notes []ExportNote
}

// ExportMessage is one turn of a report's conversation in an export.
type ExportMessage struct {
	// Author is "reporter", or the full name of the staff member who wrote.
	Author string
	At     time.Time
	// Text is the message itself. Sensitive: the export is personal data.
	Text string
}

// ExportAuthorReporter is how an export names the reporter's messages.
const ExportAuthorReporter = "reporter"

// ExportNote is one internal note in an export.
type ExportNote struct {
	// Author is the full name of the staff member who wrote it.
	Author string
	At     time.Time
	// Text is the note. Sensitive, as a message is.
	Text string
}
