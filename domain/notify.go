package domain

import (
	"encoding/json"
	"strings"
	"time"
)

// NotifyMode is how a member of staff hears of new reports and replies in
// one inbox. Urgent alerts do not follow it: they always go at once.
type NotifyMode string

// The modes. A member who never chose has NotifyAtOnce, today's behaviour.
const (
	// NotifyAtOnce emails every new report and reply as it comes (replies
	// paced as ReplyAlertState says).
	NotifyAtOnce NotifyMode = "now"
	// NotifyDigest sends no alert as things come; the daily digest counts
	// them instead.
	NotifyDigest NotifyMode = "digest"
	// NotifyNone sends neither.
	NotifyNone NotifyMode = "none"
)

// ErrBadNotifyMode is a mode that is none of the three.
var ErrBadNotifyMode = &Error{Kind: KindInvalid, Safe: Say("Choose at once, a daily digest or none.")}

// ParseNotifyMode accepts now, digest or none.
func ParseNotifyMode(s string) (NotifyMode, error) {
	switch m := NotifyMode(strings.ToLower(strings.TrimSpace(s))); m {
	case NotifyAtOnce, NotifyDigest, NotifyNone:
		return m, nil
	}
	return "", ErrBadNotifyMode
}

// Alertee is a member of staff assigned to an inbox, as alerts about it
// need them: their address, their language and how they chose to hear of
// the inbox's reports, as they are in the transaction that reads them.
type Alertee struct {
	StaffID  StaffID
	Email    string
	Language Language
	Mode     NotifyMode
}

// AlertRecipients are whom a new report or a reply in inbox is announced
// to at once: the inbox's notification addresses (a member's own in their
// language, any other in English), then each assigned member who chose
// NotifyAtOnce. A notification address is not a member: it is told
// whatever the member whose address it may be chose.
func AlertRecipients(inbox *Inbox, members []Alertee) []Recipient {
	lang := map[string]Language{}
	for _, m := range members {
		lang[m.Email] = m.Language
	}
	var out []Recipient
	for _, to := range inbox.Notify {
		out = append(out, Recipient{Address: to, Language: orEnglish(lang[to])})
	}
	for _, m := range members {
		if m.Mode == NotifyAtOnce || m.Mode == "" {
			out = append(out, Recipient{Address: m.Email, Language: orEnglish(m.Language)})
		}
	}
	return out
}

func orEnglish(l Language) Language {
	if l == "" {
		return English
	}
	return l
}

// The daily digest goes at DigestAt local time. One missed because no
// instance ran then (the service was down) still goes until DigestUntil
// the same day; after that the day is skipped, and the next day's digest
// counts everything since the last one sent.
const (
	DigestAt    = 7*time.Hour + 30*time.Minute
	DigestUntil = 12 * time.Hour
)

// DigestDay returns the local day whose digest is due at now in zone, as
// YYYY-MM-DD, and whether one is due: from 07:30 to 12:00 local time,
// GMT or BST as the day has it.
func DigestDay(zone Zone, now time.Time) (string, bool) {
	local := zone.In(now)
	// Wall-clock hours, not elapsed ones, so that 07:30 is 07:30 on the
	// days the clocks change too.
	at := time.Duration(local.Hour())*time.Hour + time.Duration(local.Minute())*time.Minute + time.Duration(local.Second())*time.Second
	return local.Format("2006-01-02"), at >= DigestAt && at < DigestUntil
}

// DigestWindow is how far back a member's first digest looks.
const DigestWindow = 24 * time.Hour

// DigestInbox is what one inbox's part of a digest says: counts and
// references, never a message, a name or anything of a reporter.
type DigestInbox struct {
	InboxID InboxID
	Name    string
	// NewReports and Replies count what arrived since the last digest.
	NewReports, Replies int
	// Awaiting counts the open interactions whose latest message is the
	// reporter's.
	Awaiting int
	// Refs are the references of the interactions counted, newest first.
	Refs []Reference
}

// Empty reports whether the inbox has nothing to tell.
func (d DigestInbox) Empty() bool { return d.NewReports == 0 && d.Replies == 0 && d.Awaiting == 0 }

// DeliveryStaffDigest is a member's daily digest: Subject is the local
// day (YYYY-MM-DD), Body the digest's inboxes (EncodeDigest), Link the
// staff portal, Count how many interactions it names.
const DeliveryStaffDigest DeliveryKind = "staff_digest"

// DigestLine is what the digest email says of one inbox: its name in the
// member's language, its counts, and the references it names, each with
// its link in the portal.
type DigestLine struct {
	Inbox                         string
	NewReports, Replies, Awaiting int
	Refs                          []DigestRef
}

// DigestRef is one reference and its portal link.
type DigestRef struct{ Ref, Link string }

// EncodeDigest writes the digest's lines as a delivery's Body; the email
// reads them back with DecodeDigest. They hold names of inboxes, counts,
// references and links only.
func EncodeDigest(lines []DigestLine) string {
	b, err := json.Marshal(lines)
	if err != nil {
		panic("domain: a digest is always JSON: " + err.Error())
	}
	return string(b)
}

// DecodeDigest reads a digest's lines from a delivery's Body.
func DecodeDigest(body string) ([]DigestLine, error) {
	var lines []DigestLine
	err := json.Unmarshal([]byte(body), &lines)
	return lines, err
}

// NextDigest returns the first DigestAt (07:30 local time) after now in
// zone: today's when it is still to come, else tomorrow's.
func NextDigest(zone Zone, now time.Time) time.Time {
	local := zone.In(now)
	for d := 0; d < 2; d++ {
		day := zone.DayStart(local.AddDate(0, 0, d))
		at := time.Date(day.Year(), day.Month(), day.Day(), 7, 30, 0, 0, zone.Location())
		if at.After(now) {
			return at
		}
	}
	panic("domain: no 07:30 within two days")
}
