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
	// TrialEndsAt is set while the organisation is on trial.
	TrialEndsAt *time.Time
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

// The organisation statuses; only trial and active accept reports.
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

// AcceptsReports says whether the organisation's forms take new reports.
func (s OrgStatus) AcceptsReports() bool { return s == OrgTrial || s == OrgActive }

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
