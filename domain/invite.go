package domain

import "time"

// StaffInvite returns the email that gives a new staff member the link to
// choose their password. It names the organisation (Subject), so the
// invitation is recognisable, and nothing else: no report, no reporter,
// no other staff. It is in the language the member was given when
// invited, which their pages will be in too.
func StaffInvite(id DeliveryID, member *Staff, org *Organisation, setPasswordLink string, now time.Time) *Delivery {
	return &Delivery{
		ID: id, Kind: DeliveryStaffInvite, Channel: DeliveryEmail, To: member.Email, Link: setPasswordLink,
		Subject: org.Name, Language: member.Language.OrEnglish(), OrgID: org.ID,
		Status: DeliveryPending, NextAttemptAt: now, CreatedAt: now,
	}
}

// StaffPasswordReset returns the email that gives a member a link to choose
// a new password. Like an invitation, it names the organisation and
// carries the link and nothing else.
func StaffPasswordReset(id DeliveryID, member *Staff, org *Organisation, setPasswordLink string, now time.Time) *Delivery {
	return &Delivery{
		ID: id, Kind: DeliveryStaffPasswordReset, Channel: DeliveryEmail, To: member.Email, Link: setPasswordLink,
		Subject: org.Name, Language: member.Language, OrgID: org.ID,
		Status: DeliveryPending, NextAttemptAt: now, CreatedAt: now,
	}
}
