package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Staff is a member of an organisation who reads and answers reports. Staff
// see the reports of the inboxes they are assigned to; admins see every inbox
// of their organisation and manage it.
type Staff struct {
	ID        StaffID
	OrgID     OrgID
	Email     string
	FirstName string // shown to reporters
	LastName  string
	Role      Role
	InboxIDs  []InboxID
	// PasswordHash is a PHC-format hash, empty until a password is set.
	PasswordHash string
	// TOTPSecret is the base32 secret of the staff member's authenticator,
	// set when enrolment starts; TOTPEnabled once a code has confirmed it.
	// Sensitive: sealed at rest.
	TOTPSecret  string
	TOTPEnabled bool
	// TOTPLastStep is the time step of the last code accepted, so that no
	// code is accepted twice.
	TOTPLastStep int64
	// EnrolTOTP is set when an admin or the operator resets the member's
	// authenticator: whoever signs in next with the password alone must set
	// one up again before the portal shows anything else, as if their
	// organisation required it, so a lost phone does not quietly leave
	// the account with one factor.
	EnrolTOTP bool
	// Language is the language the member reads the portal and their
	// emails in, chosen by them; English until they choose.
	Language  Language
	CreatedAt time.Time
	// RemovedAt is set when the account is removed; it can no longer sign
	// in, but the messages it wrote keep its name.
	RemovedAt *time.Time
	// SignsInElsewhere marks a member invited with an address that already
	// signs in to an account of another organisation. One address signs in
	// to one account, so this member cannot sign in; they are otherwise
	// like any invitee who has not yet chosen a password, so that inviting
	// an address tells an admin nothing about other organisations.
	SignsInElsewhere bool
}

// FullName is how colleagues see a staff member.
func (s *Staff) FullName() string {
	if s.LastName == "" {
		return s.FirstName
	}
	return s.FirstName + " " + s.LastName
}

// Role is what a staff member may do.
type Role string

// The roles.
const (
	RoleAdmin Role = "admin"
	RoleStaff Role = "staff"
)

// ParseRole accepts admin or staff.
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case RoleAdmin, RoleStaff:
		return r, nil
	}
	return "", Errorf(KindInvalid, "role must be admin or staff, not %q", s)
}

// Password lengths, in characters. The upper bound only stops absurd input;
// long passphrases are welcome.
const (
	MinPassword = 12
	MaxPassword = 256
)

// CheckPassword applies the length rules to a new password.
func CheckPassword(p string) error {
	n := utf8.RuneCountInString(p)
	if n < MinPassword {
		return Errorf(KindInvalid, "a password has at least %d characters", MinPassword)
	}
	if n > MaxPassword {
		return Errorf(KindInvalid, "a password has at most %d characters", MaxPassword)
	}
	return nil
}

// NewStaff checks a new staff member. Every inbox must belong to org; the
// caller has loaded them.
func NewStaff(id StaffID, org OrgID, email, first, last string, role Role, inboxes []*Inbox, now time.Time) (*Staff, error) {
	addr, err := ParseEmail(email)
	if err != nil {
		return nil, err
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	if first == "" {
		return nil, Errorf(KindInvalid, "a staff member needs a first name (reporters see it)")
	}
	if utf8.RuneCountInString(first) > 100 || utf8.RuneCountInString(last) > 100 {
		return nil, Errorf(KindInvalid, "names are at most 100 characters")
	}
	role, err = ParseRole(string(role))
	if err != nil {
		return nil, err
	}
	s := &Staff{ID: id, OrgID: org, Email: addr, FirstName: first, LastName: last, Role: role, Language: English, CreatedAt: now}
	for _, ib := range inboxes {
		if ib.OrgID != org {
			return nil, Errorf(KindInvalid, "inbox %s belongs to another organisation", ib.ID)
		}
		s.InboxIDs = append(s.InboxIDs, ib.ID)
	}
	return s, nil
}

// PasswordLink is a one-time link that lets a staff member set a password.
// Only the hash of its token is kept.
type PasswordLink struct {
	TokenHash string
	StaffID   StaffID
	ExpiresAt time.Time
	CreatedAt time.Time
	UsedAt    *time.Time
}

// Usable says whether the link may still set a password at now.
func (l *PasswordLink) Usable(now time.Time) bool { return l.UsedAt == nil && now.Before(l.ExpiresAt) }

// PasswordLinkLifetime is how long a set-password link works.
const PasswordLinkLifetime = 24 * time.Hour

// PasswordResetLifetime is how long a link sent to reset a forgotten
// password works: shorter than an invitation's, since it goes to an
// account already in use and is asked for by anyone who knows the address.
const PasswordResetLifetime = time.Hour
