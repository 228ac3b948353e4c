package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Interaction is one report and the conversation that follows it.
type Interaction struct {
	ID      InteractionID
	Ref     Reference
	OrgID   OrgID
	FormID  FormID
	InboxID InboxID
	// Channel is how the report came in. Staff never see it: knowing that a
	// report came by text narrows down who sent it.
	Channel Channel
	Status  Status
	// ReporterName is what the reporter chose to give, often nothing.
	ReporterName string
	// Flagged is set when the swear-word policy flagged a message.
	Flagged        bool
	LegalHold      bool
	CreatedAt      time.Time
	LastActivityAt time.Time
	ClosedAt       *time.Time
	// ErasedAt is set once personal data has been erased; what remains
	// serves anonymised statistics.
	ErasedAt *time.Time
}

// ErrErased refuses a change to an erased interaction: erasure is final,
// and nothing about an erased interaction changes again.
var ErrErased = &Error{Kind: KindConflict, Safe: Say("this report has been erased")}

// Channel is how a report reached Whisper.
type Channel string

// The channels.
const (
	ChannelWeb Channel = "web"
	ChannelSMS Channel = "sms"
)

// Status is whether staff still work on an interaction.
type Status string

// The statuses.
const (
	StatusOpen   Status = "open"
	StatusClosed Status = "closed"
)

// ParseStatus accepts open or closed.
func ParseStatus(s string) (Status, error) {
	switch st := Status(strings.ToLower(strings.TrimSpace(s))); st {
	case StatusOpen, StatusClosed:
		return st, nil
	}
	return "", Errorf(KindInvalid, "status must be open or closed, not %q", s)
}

// Message is one turn of the conversation.
type Message struct {
	ID            MessageID
	InteractionID InteractionID
	Author        Author
	// StaffID names the staff member who wrote a staff message.
	StaffID   StaffID
	Body      string // sensitive: the report itself
	CreatedAt time.Time
}

// Author says which side wrote a message.
type Author string

// The two sides of a conversation.
const (
	AuthorReporter Author = "reporter"
	AuthorStaff    Author = "staff"
)

// MaxMessage is the longest message a reporter may write, in characters:
// the report and each of their replies. A staff reply has the lower
// MaxStaffReply.
const MaxMessage = 10000

// MaxStaffReply is the longest staff reply, in characters: what one text
// can carry. It holds for every report alike, since a limit that applied
// only to texters would tell staff how a report came in.
const MaxStaffReply = 1600

// CheckStaffReply applies the message rules and the staff reply limit.
func CheckStaffReply(body string) (string, error) {
	body, err := CheckMessage(body)
	if err == nil && utf8.RuneCountInString(body) > MaxStaffReply {
		err = Errorf(KindInvalid, "a reply is at most %d characters, so that it can reach every reporter; this one has %d", MaxStaffReply, utf8.RuneCountInString(body))
	}
	return body, err
}

// MaxReporterName is the longest name a reporter may give, in characters.
const MaxReporterName = 100

// CheckMessage applies the rules every message body follows.
func CheckMessage(body string) (string, error) {
	body = strings.TrimSpace(body)
	if body == "" {
		return "", Errorf(KindInvalid, "please write a message")
	}
	if !utf8.ValidString(body) {
		return "", Errorf(KindInvalid, "the message contains characters we cannot read")
	}
	if n := utf8.RuneCountInString(body); n > MaxMessage {
		return "", Errorf(KindInvalid, "a message is at most %d characters; this one has %d", MaxMessage, n)
	}
	return body, nil
}

// CheckReporterName applies the rules to the name a reporter may give.
func CheckReporterName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if !utf8.ValidString(name) {
		return "", Errorf(KindInvalid, "the name contains characters we cannot read")
	}
	if utf8.RuneCountInString(name) > MaxReporterName {
		return "", Errorf(KindInvalid, "a name is at most %d characters", MaxReporterName)
	}
	return name, nil
}

// Contact is how Whisper reaches a reporter: the email they gave on the web,
// or the number they texted from. It is hidden from organisations.
type Contact struct {
	Email string // sensitive
	Phone string // sensitive, E.164
}

// Meta is the footprint of one message: where it came from. It is recorded
// for both parties and hidden from organisations.
type Meta struct {
	IP       string // sensitive
	Location string // approximate: city, region, country
	// Region is the coarse part of Location ("England, GB"), which erasure
	// keeps for statistics.
	Region  string
	Network string // the network operator (ASN organisation or carrier)
}

// Place is where an IP address approximately is, and whose network it is on.
type Place struct {
	City    string
	Region  string
	Country string // ISO 3166-1 alpha-2, e.g. "GB"
	Network string // the operator of the network (ASN organisation)
}

// Location describes the place for people: "Bristol, England, GB", or as
// much of it as is known.
func (p Place) Location() string {
	var parts []string
	for _, s := range []string{p.City, p.Region, p.Country} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// RegionLevel describes the place without its town: "England, GB".
func (p Place) RegionLevel() string { return Place{Region: p.Region, Country: p.Country}.Location() }

// NewReport is what a reporter sends to open an interaction.
type NewReport struct {
	Form    *Form
	Inbox   *Inbox
	Channel Channel
	Name    string
	Body    string
}

// OpenInteraction checks a new report and returns the interaction, its first
// message and the secret token of its conversation link. Only the token's
// hash is ever stored, so it is handed back once, here.
func OpenInteraction(ids IDs, in NewReport, now time.Time) (*Interaction, *Message, Token, error) {
	if in.Inbox == nil || in.Inbox.FormID != in.Form.ID {
		return nil, nil, "", Errorf(KindInvalid, "please choose one of the categories offered")
	}
	body, err := CheckMessage(in.Body)
	if err != nil {
		return nil, nil, "", err
	}
	name, err := CheckReporterName(in.Name)
	if err != nil {
		return nil, nil, "", err
	}
	ia := &Interaction{
		ID: ids.Interaction, Ref: ids.Ref, OrgID: in.Form.OrgID, FormID: in.Form.ID, InboxID: in.Inbox.ID,
		Channel: in.Channel, Status: StatusOpen, ReporterName: name,
		CreatedAt: now, LastActivityAt: now,
	}
	msg := &Message{ID: ids.Message, InteractionID: ia.ID, Author: AuthorReporter, Body: body, CreatedAt: now}
	return ia, msg, ids.Token, nil
}

// IDs are the fresh identifiers a new interaction needs, drawn by the caller
// so that this package reads no randomness itself.
type IDs struct {
	Interaction InteractionID
	Message     MessageID
	Ref         Reference
	Token       Token
}

// Close marks the interaction closed at now; its retention runs from then.
func (ia *Interaction) Close(now time.Time) {
	if ia.Status == StatusClosed {
		return
	}
	ia.Status, ia.ClosedAt = StatusClosed, &now
}

// Reopen marks the interaction open again; retention runs from its last
// activity once more.
func (ia *Interaction) Reopen(now time.Time) {
	ia.Status, ia.ClosedAt, ia.LastActivityAt = StatusOpen, nil, now
}
