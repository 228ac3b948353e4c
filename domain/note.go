package domain

import (
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// NoteID names one internal note ("not_…").
type NoteID string

const prefixNote = "not"

// NewNoteID draws a new note identifier from random.
func NewNoteID(random io.Reader) (NoteID, error) {
	id, err := newID(prefixNote, random)
	return NoteID(id), err
}

// MaxNote is the longest internal note, in characters.
const MaxNote = 10000

// Note is an internal note a member of staff wrote about an interaction:
// for colleagues only, never shown or sent to the reporter. Its text is
// sealed at rest and erased with the interaction.
type Note struct {
	ID            NoteID
	InteractionID InteractionID
	StaffID       StaffID
	// Body is what staff wrote about the case: sensitive, never logged.
	Body      string
	CreatedAt time.Time
}

// StaffNote is a note as staff see it, with its writer's name as the
// conversation shows a colleague's: in full.
type StaffNote struct {
	ID        NoteID
	StaffID   StaffID
	StaffName string
	Body      string
	CreatedAt time.Time
}

// CheckNote applies the rules a note follows: trimmed, not empty, readable
// and at most MaxNote characters.
func CheckNote(body string) (string, error) {
	body = strings.TrimSpace(body)
	if body == "" {
		return "", Errorf(KindInvalid, "Write the note.")
	}
	if !utf8.ValidString(body) {
		return "", Errorf(KindInvalid, "the message contains characters we cannot read")
	}
	if n := utf8.RuneCountInString(body); n > MaxNote {
		return "", Errorf(KindInvalid, "A note is at most %d characters; this one has %d.", MaxNote, n)
	}
	return body, nil
}
