package sms

import (
	"fmt"
	"unicode/utf8"

	"github.com/whisper-schools/whisper/domain"
)

// Compose writes the text for a delivery. A reporter's link goes with a
// line of reassurance and nothing else; a staff reply is its own text.
func Compose(d *domain.Delivery) (string, error) {
	if d.Channel != domain.DeliverySMS {
		return "", fmt.Errorf("sms: delivery %s is not a text", d.ID)
	}
	var text string
	switch d.Kind {
	case domain.DeliveryReporterLink:
		text = "Thank you, your report has been sent to the school. Read replies and write back here (keep this link private): " + d.Link
	case domain.DeliveryReporterSMS:
		text = d.Body
	case domain.DeliverySMSClosed:
		text = d.Subject + " is not taking reports by text just now. If someone is in danger right now, call 999. To talk to someone, call Childline free on 0800 1111."
	case domain.DeliverySMSHelp:
		text = "To report a worry to your school, start your text with the school's Whisper code, then your message. Your school can tell you its code. If someone is in danger now, call 999."
	default:
		return "", fmt.Errorf("sms: no text for deliveries of kind %q", d.Kind)
	}
	if utf8.RuneCountInString(text) > MaxLength {
		return "", &domain.Error{Kind: domain.KindInvalid, Safe: fmt.Sprintf("a text is at most %d characters", MaxLength)}
	}
	return text, nil
}
