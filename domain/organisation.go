package domain

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Organisation is a tenant: one school, or a trust that runs a form for each
// of its schools. Nothing of one organisation is ever visible to another's
// staff.
type Organisation struct {
	ID        OrgID
	Name      string
	Status    OrgStatus
	Retention Retention
	// TrialEndsAt is set while the organisation is on trial: from then on
	// it takes no reports until it is made active or its trial extended.
	TrialEndsAt *time.Time
	// Contact is who the operator writes to about the service (planned
	// maintenance, changes to the terms), besides the admins. Empty until
	// the operator sets it.
	Contact OrgContact
	// SwearWords are the organisation's own additions to the swear-word
	// filter, e.g. local slang.
	SwearWords []string
	// RequireTOTP makes every staff member sign in with an authenticator
	// code as well as a password.
	RequireTOTP bool
	CreatedAt   time.Time
}

// OrgStatus is where an organisation stands with the service.
type OrgStatus string

// The organisation statuses; only trial (until the trial ends) and active
// accept reports.
const (
	OrgTrial     OrgStatus = "trial"
	OrgActive    OrgStatus = "active"
	OrgSuspended OrgStatus = "suspended"
	OrgEnded     OrgStatus = "ended"
)

// ParseOrgStatus accepts one of the four statuses, in any case.
func ParseOrgStatus(s string) (OrgStatus, error) {
	switch st := OrgStatus(strings.ToLower(strings.TrimSpace(s))); st {
	case OrgTrial, OrgActive, OrgSuspended, OrgEnded:
		return st, nil
	}
	return "", Errorf(KindInvalid, "status %q is not one of trial, active, suspended, ended", s)
}

// AcceptsReports says whether the organisation takes reports and
// reporters' replies at now: while it is active, or on a trial that has
// not ended. It is the one answer to that question, on the web form, on
// replies and on texts alike.
func (o *Organisation) AcceptsReports(now time.Time) bool {
	switch o.Status {
	case OrgActive:
		return true
	case OrgTrial:
		return !o.TrialEnded(now)
	}
	return false
}

// TrialEnded says whether the organisation is on a trial whose end has
// come. A trial with no end (set by hand with set-status) never ends.
func (o *Organisation) TrialEnded(now time.Time) bool {
	return o.Status == OrgTrial && o.TrialEndsAt != nil && !now.Before(*o.TrialEndsAt)
}

// TrialDaysLeft is how many days of the trial remain at now, counting a
// part of a day as a day: 1 on its last day, 0 once it has ended. ok is
// false when the organisation is not on a trial with an end.
func (o *Organisation) TrialDaysLeft(now time.Time) (days int, ok bool) {
	if o.Status != OrgTrial || o.TrialEndsAt == nil {
		return 0, false
	}
	left := o.TrialEndsAt.Sub(now)
	if left <= 0 {
		return 0, true
	}
	return int((left + 24*time.Hour - 1) / (24 * time.Hour)), true
}

// ExtendTrial sets the end of the organisation's trial to the end of the
// day until (its date, on the zone's clock), the last day it takes
// reports. Only an organisation on
// trial (ended or not) has a trial to set: an active one would be
// demoted, and a suspended or ended one must be made a trial with
// set-status first, on purpose. A day before today is refused: a trial
// is not ended by this, but by set-status.
func (o *Organisation) ExtendTrial(until, now time.Time, z Zone) error {
	if o.Status != OrgTrial {
		return Errorf(KindConflict, "the organisation is %s, not on trial; set its status to trial first", o.Status)
	}
	end := z.DayStart(until).AddDate(0, 0, 1).UTC()
	if !end.After(now) {
		return Errorf(KindInvalid, "%s is in the past: a trial can end today at the earliest", until.Format(time.DateOnly))
	}
	o.TrialEndsAt = &end
	return nil
}

// TrialReminderDays are how many days before a trial ends its
// organisation's admins are reminded, each once.
var TrialReminderDays = []int{14, 3}

// TrialReminderDue returns the reminder due at now: the nearest of
// TrialReminderDays that the trial is within, so a service that was down
// at the 14-day mark still sends it late, but never the 14-day one once
// the 3-day one is due. ok is false when none is.
func (o *Organisation) TrialReminderDue(now time.Time) (days int, ok bool) {
	if o.Status != OrgTrial || o.TrialEndsAt == nil || o.TrialEnded(now) {
		return 0, false
	}
	for _, d := range TrialReminderDays {
		if !now.Before(o.TrialEndsAt.AddDate(0, 0, -d)) {
			days, ok = d, true
		}
	}
	return days, ok
}

// OrgContact is the person the operator writes to at an organisation.
type OrgContact struct {
	Name string
	// Email is the address notices go to. Sensitive: sealed at rest.
	Email string
}

// NewOrgContact checks a contact: a valid address, and a name of at most
// 200 characters (it may be empty).
func NewOrgContact(email, name string) (OrgContact, error) {
	addr, err := ParseEmail(email)
	if err != nil {
		return OrgContact{}, err
	}
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > 200 {
		return OrgContact{}, Errorf(KindInvalid, "a contact name is at most 200 characters")
	}
	return OrgContact{Name: name, Email: addr}, nil
}

// Retention is how many months an organisation keeps personal data after an
// interaction's last activity (or its closing).
type Retention int

// The retention periods an organisation may choose from.
const (
	Retention6  Retention = 6
	Retention12 Retention = 12
	Retention24 Retention = 24
	Retention36 Retention = 36
)

// DefaultRetention is what a new organisation gets unless it chooses.
const DefaultRetention = Retention12

// ParseRetention accepts 6, 12, 24 or 36 months.
func ParseRetention(months int) (Retention, error) {
	switch r := Retention(months); r {
	case Retention6, Retention12, Retention24, Retention36:
		return r, nil
	}
	return 0, Errorf(KindInvalid, "retention must be 6, 12, 24 or 36 months, not %d", months)
}

// After returns the moment the period that began at t ends. A day that the
// target month lacks becomes its last day (31 August + 6 months is 28 or 29
// February), as people count months; time.AddDate would overshoot into March
// and keep data days longer than promised.
func (r Retention) After(t time.Time) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(r), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	if last := first.AddDate(0, 1, -1).Day(); d > last {
		d = last
	}
	return first.AddDate(0, 0, d-1)
}

// Before returns the moment a period ending at t began: data whose clock
// started before it is due. It is the inverse of After up to the days a
// month can lack; callers that need the exact rule use PurgeDue.
func (r Retention) Before(t time.Time) time.Time { return t.AddDate(0, -int(r), 0) }

// NewOrganisation checks the name, retention and trial length of a new
// organisation. A positive trialDays starts it on trial; zero makes it active.
func NewOrganisation(id OrgID, name string, retention Retention, trialDays int, now time.Time) (*Organisation, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, Errorf(KindInvalid, "an organisation needs a name")
	}
	if utf8.RuneCountInString(name) > 200 {
		return nil, Errorf(KindInvalid, "an organisation name is at most 200 characters")
	}
	if _, err := ParseRetention(int(retention)); err != nil {
		return nil, err
	}
	if trialDays < 0 || trialDays > 366 {
		return nil, Errorf(KindInvalid, "a trial lasts between 0 and 366 days, not %d", trialDays)
	}
	org := &Organisation{ID: id, Name: name, Status: OrgActive, Retention: retention, CreatedAt: now}
	if trialDays > 0 {
		end := now.AddDate(0, 0, trialDays)
		org.Status, org.TrialEndsAt = OrgTrial, &end
	}
	return org, nil
}

func (r Retention) String() string { return strconv.Itoa(int(r)) + " months" }
