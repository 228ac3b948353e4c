package domain

import (
	"io"
	"strings"
	"time"
)

// Delivery is one message waiting in the outbox to be sent: an email or a
// text. Use cases queue deliveries in the same transaction as the change
// they announce, so that nothing acknowledged is lost; a worker sends them
// later and retries until the mail server or carrier answers.
//
// A delivery holds what its message needs, never more: a staff alert names
// the inbox and links to the portal, and carries no report text, no
// reporter name and no contact data; a reporter's message carries only
// their conversation link.
type Delivery struct {
	ID      DeliveryID
	Kind    DeliveryKind
	Channel DeliveryChannel
	// To is an email address or phone number. Sensitive: sealed at rest.
	To string
	// Link is the one link the message carries. A reporter's is their
	// conversation link, as secret as the token in it: sealed at rest.
	Link string
	// Body is the text of an SMS reply from staff; other kinds are written
	// from their kind, link and subject when sent. Sensitive: sealed.
	Body string
	// StaffName is the first name of the staff member whose SMS reply this
	// is, which the text starts with, as the conversation page shows it.
	// Sensitive: sealed.
	StaffName string
	// Subject names what the message is about without saying anything
	// personal, e.g. the form and inbox of a staff alert.
	Subject string
	// Count is how many events the message announces: the replies a
	// coalesced "new reply" alert stands for. Zero is read as one.
	Count    int
	Language Language
	OrgID    OrgID
	// InteractionID, when set, ties the delivery to an interaction, so that
	// erasing the interaction also drops what is still queued for it.
	InteractionID InteractionID
	Status        DeliveryStatus
	Attempts      int
	NextAttemptAt time.Time
	CreatedAt     time.Time
	SentAt        *time.Time
	// LastError is the mail server's or carrier's answer to the latest
	// failed attempt, addresses redacted; nil when none failed.
	LastError *DeliveryFailure
}

// DeliveryID identifies a queued message; it also becomes an email's
// Message-ID, so a resent message is recognisably the same one.
type DeliveryID string

const prefixDelivery = "dlv"

// NewDeliveryID draws a new delivery identifier.
func NewDeliveryID(random io.Reader) (DeliveryID, error) {
	id, err := newID(prefixDelivery, random)
	return DeliveryID(id), err
}

// ParseDeliveryID checks the form of a delivery id, as whisperctl outbox
// retry is given it.
func ParseDeliveryID(s string) (DeliveryID, error) {
	id, err := parseID(s, prefixDelivery, "delivery")
	return DeliveryID(id), err
}

// DeliveryKind says which message a delivery is.
type DeliveryKind string

// The kinds of message Whisper sends.
const (
	// DeliveryStaffNewReport tells an inbox's people a report arrived.
	DeliveryStaffNewReport DeliveryKind = "staff_new_report"
	// DeliveryStaffReply tells an inbox's people the reporter replied.
	DeliveryStaffReply DeliveryKind = "staff_reply"
	// DeliveryReporterLink gives a reporter their conversation link.
	DeliveryReporterLink DeliveryKind = "reporter_link"
	// DeliveryReporterFreshLink gives a reporter who lost their link a
	// fresh one, by email (asked for at /link) or by text (LINK); the
	// old link no longer works.
	DeliveryReporterFreshLink DeliveryKind = "reporter_fresh_link"
	// DeliveryReporterReply tells a reporter by email that the school
	// replied, with their link and nothing else.
	DeliveryReporterReply DeliveryKind = "reporter_reply"
	// DeliveryReporterSMS carries a staff reply to a texter by SMS.
	DeliveryReporterSMS DeliveryKind = "reporter_sms"
	// DeliverySMSHelp tells someone who texted without a known code how to
	// reach their school, revealing no codes.
	DeliverySMSHelp DeliveryKind = "sms_help"
	// DeliverySMSClosed tells a texter that their school's form is not
	// taking reports just now, with where to get help.
	DeliverySMSClosed DeliveryKind = "sms_closed"
	// DeliveryErasureWarning tells an organisation's admins which
	// interactions will be erased soon, so they can export what they must
	// keep. It lists references and dates, nothing personal.
	DeliveryErasureWarning DeliveryKind = "erasure_warning"
	// DeliveryStaffInvite gives a new staff member their set-password link.
	DeliveryStaffInvite DeliveryKind = "staff_invite"
	// DeliveryStaffPasswordReset gives a member a link to choose a new
	// password, asked for by them (/staff/forgot), an admin or the operator.
	DeliveryStaffPasswordReset DeliveryKind = "staff_password_reset"
	// DeliverySMSReplyLimit tells a texter that their texts to an
	// interaction are over the hourly reply limit and are not passed on,
	// with where to get help now. It goes at most once an hour.
	DeliverySMSReplyLimit DeliveryKind = "sms_reply_limit"
	// DeliveryTrialReminder tells an organisation's admins and contact
	// that its trial ends soon: Subject is the organisation's name, Body
	// the trial's last day, Link the staff portal.
	DeliveryTrialReminder DeliveryKind = "trial_reminder"
	// DeliveryOperatorNotice is the operator's notice to an organisation's
	// contact and admins (planned maintenance, changes to the terms):
	// Subject and Body are the operator's, as written.
	DeliveryOperatorNotice DeliveryKind = "operator_notice"
	// DeliverySubjectAccess tells an organisation's admins that the
	// operator has a subject access request about some of their
	// interactions. It names their references only: nothing of who asked,
	// nor how they were found.
	DeliverySubjectAccess DeliveryKind = "subject_access"
	// DeliveryMailRefused tells an organisation's admins that the mail
	// server refused, for good, an alert to one of their staff: Subject is
	// the organisation's name, Body the refused address and the server's
	// answer, Link the staff portal. Its own failure is only logged, so
	// that notices never beget notices.
	DeliveryMailRefused DeliveryKind = "mail_refused"
)

// ToStaff says whether a delivery of this kind is email to a member of
// staff about their work (an alert, a digest, an invitation), whose
// permanent failure the organisation's admins are told of.
func (k DeliveryKind) ToStaff() bool {
	return strings.HasPrefix(string(k), "staff_")
}

// ToReporter says whether a delivery of this kind goes to a reporter.
func (k DeliveryKind) ToReporter() bool {
	return strings.HasPrefix(string(k), "reporter_") || strings.HasPrefix(string(k), "sms_")
}

// DeliveryChannel is how a delivery travels.
type DeliveryChannel string

// The channels.
const (
	DeliveryEmail DeliveryChannel = "email"
	DeliverySMS   DeliveryChannel = "sms"
)

// DeliveryStatus is where a delivery stands.
type DeliveryStatus string

// The statuses.
const (
	DeliveryPending DeliveryStatus = "pending"
	DeliverySent    DeliveryStatus = "sent"
	DeliveryFailed  DeliveryStatus = "failed"
)

// NewReportAlerts returns one alert per recipient that an inbox has a new
// report, linking to the interaction in the portal. Duplicate addresses
// get one alert. (A reporter's replies are announced by StaffReplyAlert,
// paced per recipient: see ReplyAlertState.)
func NewReportAlerts(ids func() (DeliveryID, error), ia *Interaction, form *Form, inbox *Inbox, recipients []Recipient, portalLink string, now time.Time) ([]*Delivery, error) {
	var out []*Delivery
	for _, to := range Recipients(recipients) {
		id, err := ids()
		if err != nil {
			return nil, err
		}
		out = append(out, &Delivery{
			ID: id, Kind: DeliveryStaffNewReport, Channel: DeliveryEmail, To: to.Address, Link: portalLink,
			Subject:  inbox.Name + " (" + form.Name + ")",
			Language: to.Language, OrgID: ia.OrgID, InteractionID: ia.ID,
			Status: DeliveryPending, NextAttemptAt: now, CreatedAt: now,
		})
	}
	return out, nil
}

// Recipient is an address to alert, and the language to write to it in:
// the member's own, when the address is a member's.
type Recipient struct {
	Address  string
	Language Language
}

// Recipients are the addresses to alert, once each, in the order given.
func Recipients(rs []Recipient) []Recipient {
	seen := map[string]bool{}
	var out []Recipient
	for _, to := range rs {
		if to.Address == "" || seen[to.Address] {
			continue
		}
		seen[to.Address] = true
		out = append(out, to)
	}
	return out
}

// StaffReplyAlert returns the alert to one recipient that the reporter
// replied, due at due, announcing one reply.
func StaffReplyAlert(id DeliveryID, ia *Interaction, form *Form, inbox *Inbox, to Recipient, portalLink string, due, now time.Time) *Delivery {
	return &Delivery{
		ID: id, Kind: DeliveryStaffReply, Channel: DeliveryEmail, To: to.Address, Link: portalLink,
		Subject: inbox.Name + " (" + form.Name + ")", Count: 1,
		Language: to.Language, OrgID: ia.OrgID, InteractionID: ia.ID,
		Status: DeliveryPending, NextAttemptAt: due, CreatedAt: now,
	}
}

// ReporterLink returns the message that gives a reporter their conversation
// link by email.
func ReporterLink(id DeliveryID, ia *Interaction, email, conversationLink string, lang Language, now time.Time) *Delivery {
	return &Delivery{
		ID: id, Kind: DeliveryReporterLink, Channel: DeliveryEmail, To: email, Link: conversationLink,
		Subject: "Your Whisper conversation link", Language: lang, OrgID: ia.OrgID, InteractionID: ia.ID,
		Status: DeliveryPending, NextAttemptAt: now, CreatedAt: now,
	}
}

// ReporterFreshLink returns the email that gives a reporter who lost their
// conversation link a fresh one, asked for at /link.
func ReporterFreshLink(id DeliveryID, ia *Interaction, email, conversationLink string, lang Language, now time.Time) *Delivery {
	return &Delivery{
		ID: id, Kind: DeliveryReporterFreshLink, Channel: DeliveryEmail, To: email, Link: conversationLink,
		Subject: "Your new Whisper conversation link", Language: lang, OrgID: ia.OrgID, InteractionID: ia.ID,
		Status: DeliveryPending, NextAttemptAt: now, CreatedAt: now,
	}
}
