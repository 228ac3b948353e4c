package domain

import "time"

// ReporterReplyNotice returns the email that tells a web reporter the
// school has answered. It never carries the answer: an inbox may be read
// by someone else, and the conversation is the safe place to read it.
//
// Nor does it carry a link. The one link a reporter's email may hold is
// their conversation link, and that cannot be made again: only the hash of
// its token is kept. The reporter opens the link they saved, which came in
// their first email; any other link here (the form, say) would be taken
// for it.
func ReporterReplyNotice(id DeliveryID, ia *Interaction, email string, lang Language, now time.Time) *Delivery {
	return &Delivery{
		ID: id, Kind: DeliveryReporterReply, Channel: DeliveryEmail, To: email,
		Subject: "There is a reply in your Whisper conversation", Language: lang, OrgID: ia.OrgID, InteractionID: ia.ID,
		Status: DeliveryPending, NextAttemptAt: now, CreatedAt: now,
	}
}

// ReporterSMS returns the text that carries a staff reply to a reporter
// who wrote by SMS. Unlike an email it holds the reply itself: texting is
// how that reporter chose to talk, and the phone is their own. It starts
// with staffName, the replier's first name.
func ReporterSMS(id DeliveryID, ia *Interaction, phone, staffName, body string, lang Language, now time.Time) *Delivery {
	return &Delivery{
		ID: id, Kind: DeliveryReporterSMS, Channel: DeliverySMS, To: phone, Body: body, StaffName: staffName,
		Subject: "Reply in a Whisper conversation", Language: lang, OrgID: ia.OrgID, InteractionID: ia.ID,
		Status: DeliveryPending, NextAttemptAt: now, CreatedAt: now,
	}
}
