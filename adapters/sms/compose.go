package sms

import (
	"fmt"
	"unicode/utf8"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/catalogue"
	"github.com/whisper-schools/whisper/domain"
)

// Compose writes the text for a delivery, in the delivery's language. A
// reporter's link goes with a line of reassurance and nothing else; a
// staff reply is its own text, after its writer's first name.
func Compose(d *domain.Delivery) (string, error) {
	if d.Channel != domain.DeliverySMS {
		return "", fmt.Errorf("sms: delivery %s is not a text", d.ID)
	}
	p := catalogue.For(d.Language)
	var text string
	switch d.Kind {
	case domain.DeliveryReporterLink:
		text = p.T("Thank you, your report has been sent to the school. If you lose this link, text LINK for a new one. Read replies and write back here (keep this link private): %s", d.Link)
	case domain.DeliveryReporterFreshLink:
		text = p.T("Here is a new link to your conversation. Your old link no longer works. Keep this one private: %s", d.Link)
	case domain.DeliveryReporterSMS:
		text = staffReply(p, d)
		if words, ok := app.TextedBack(d.Body); ok {
			// Not a staff reply but the app's own words, such as the
			// swear-word filter's: said in the delivery's language.
			text = p.Say(words)
		}
	case domain.DeliverySMSClosed:
		text = p.T("%s is not taking reports by text just now. If someone is in danger right now, call 999. To talk to someone, call Childline free on 0800 1111.", d.Subject)
	case domain.DeliverySMSHelp:
		text = helpText()
	case domain.DeliverySMSReplyLimit:
		text = p.T("You have sent a lot of messages in the last hour, so we cannot pass on any more to the school just now. Please send your message again in an hour. If someone is in danger right now, call 999. To talk to someone, call Childline free on 0800 1111.")
	default:
		return "", fmt.Errorf("sms: no text for deliveries of kind %q", d.Kind)
	}
	if utf8.RuneCountInString(text) > MaxLength {
		return "", &domain.Error{Kind: domain.KindInvalid, Safe: domain.Say("a text is at most %d characters", MaxLength)}
	}
	return text, nil
}

// staffReply is a staff reply as texted: its writer's first name, then
// the reply. The reply is never cut: one so long that the name would take
// the text past MaxLength (a reply is at most domain.MaxStaffReply, the
// same 1,600 characters) goes without the name.
func staffReply(p *catalogue.Printer, d *domain.Delivery) string {
	if d.StaffName == "" {
		return d.Body
	}
	if named := p.T("%s (school staff): %s", d.StaffName, d.Body); utf8.RuneCountInString(named) <= MaxLength {
		return named
	}
	return d.Body
}

// helpKey is the help text, which goes to a number that named no form: no
// form, no language. It is sent in English and Welsh, one line each, and
// stays within two GSM-7 segments (306 characters); sms_test.go checks.
const helpKey = "To report a worry to your school, start your text with the school's Whisper code, then your message. Your school can tell you its code. If someone is in danger now, call 999."

func helpText() string {
	return catalogue.For(domain.English).T(helpKey) + "\n" + catalogue.For(domain.Welsh).T(helpKey)
}
