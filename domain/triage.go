package domain

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Response targets: how many hours a form means a reporter's message to
// wait for a reply at most. Past it, the staff list shows the interaction
// overdue.
const (
	DefaultResponseTargetHours = 24
	MinResponseTargetHours     = 1
	MaxResponseTargetHours     = 720 // 30 days
)

// ParseResponseTarget reads a response target in whole hours, 1 to 720.
func ParseResponseTarget(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < MinResponseTargetHours || n > MaxResponseTargetHours {
		return 0, Errorf(KindInvalid, "enter the response target as a whole number of hours from %d to %d",
			MinResponseTargetHours, MaxResponseTargetHours)
	}
	return n, nil
}

// Triage is what the staff list shows of an interaction beyond its
// facts: who looks after it, whether it is urgent, and whether the
// reporter is waiting for an answer. None of it is ever shown to a
// reporter.
type Triage struct {
	// Urgent is set by staff; marking it tells the inbox's people at once.
	Urgent bool
	// AssigneeID is the member looking after the interaction; "" for
	// nobody. AssigneeName is their full name.
	AssigneeID   StaffID
	AssigneeName string
	// Preview is the start of the latest message (see Preview); staff
	// can read the whole of it on the interaction's page.
	Preview string
	// AwaitingSince, when set, is when the reporter first wrote after
	// staff last answered: the interaction is open and its latest message
	// is the reporter's.
	AwaitingSince *time.Time
	// ResponseTarget is the form's response target.
	ResponseTarget time.Duration
}

// Awaiting says whether the reporter is waiting for a reply.
func (t Triage) Awaiting() bool { return t.AwaitingSince != nil }

// Waited is how long the reporter has waited for a reply at now; zero
// when they are not waiting.
func (t Triage) Waited(now time.Time) time.Duration {
	if t.AwaitingSince == nil || now.Before(*t.AwaitingSince) {
		return 0
	}
	return now.Sub(*t.AwaitingSince)
}

// Overdue says whether the reporter has waited longer than the form's
// response target at now.
func (t Triage) Overdue(now time.Time) bool {
	return t.AwaitingSince != nil && t.ResponseTarget > 0 && t.Waited(now) > t.ResponseTarget
}

// PreviewLength is about how many characters of the latest message the
// staff list shows.
const PreviewLength = 120

// Preview returns the start of a message for the staff list: white space
// (line breaks included) runs become one space, and a message longer than
// n characters is cut at the last word boundary before it (or mid-word,
// when a single word is longer) and ends with "…".
func Preview(body string, n int) string {
	s := strings.Join(strings.FieldsFunc(body, unicode.IsSpace), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := 0 // byte offset of the nth rune
	for i := range s {
		if n == 0 {
			cut = i
			break
		}
		n--
	}
	head := s[:cut]
	if sp := strings.LastIndexByte(head, ' '); sp > len(head)/2 {
		head = head[:sp]
	}
	return strings.TrimRightFunc(head, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }) + "…"
}

// The deliveries of triage: a link to the portal and the reference,
// never the interaction's content.
const (
	// DeliveryStaffAssigned tells a member an interaction was assigned
	// to them.
	DeliveryStaffAssigned DeliveryKind = "staff_assigned"
	// DeliveryStaffUrgent tells an inbox's people an interaction was
	// marked urgent. It goes whatever their notification preferences.
	DeliveryStaffUrgent DeliveryKind = "staff_urgent"
)

// AssignedAlert returns the email telling a member that the interaction
// ref was assigned to them. Its subject is the reference alone.
func AssignedAlert(id DeliveryID, org OrgID, ia InteractionID, ref Reference, to Recipient, portalLink string, now time.Time) *Delivery {
	return &Delivery{
		ID: id, Kind: DeliveryStaffAssigned, Channel: DeliveryEmail, To: to.Address, Link: portalLink,
		Subject: string(ref), Language: to.Language, OrgID: org, InteractionID: ia,
		Status: DeliveryPending, NextAttemptAt: now, CreatedAt: now,
	}
}

// UrgentAlerts returns one email per recipient (duplicates once) that
// the interaction ref was marked urgent. Its subject is the reference
// alone.
func UrgentAlerts(ids func() (DeliveryID, error), org OrgID, ia InteractionID, ref Reference, recipients []Recipient, portalLink string, now time.Time) ([]*Delivery, error) {
	var out []*Delivery
	for _, to := range Recipients(recipients) {
		id, err := ids()
		if err != nil {
			return nil, err
		}
		out = append(out, &Delivery{
			ID: id, Kind: DeliveryStaffUrgent, Channel: DeliveryEmail, To: to.Address, Link: portalLink,
			Subject: string(ref), Language: to.Language, OrgID: org, InteractionID: ia,
			Status: DeliveryPending, NextAttemptAt: now, CreatedAt: now,
		})
	}
	return out, nil
}
