package mail

import (
	"fmt"

	gomail "github.com/wneessen/go-mail"

	"github.com/whisper-schools/whisper/domain"
)

// NewMessage builds the whole message for a delivery: the one place every
// email Whisper sends is put together, whichever way it then leaves (SMTP,
// or a file). from is the sender's address and host names this service in
// the Message-ID, which is the delivery's id, so a message sent again
// after a lost acknowledgement is recognisably the same one.
//
// Every message says it was written by a machine (Auto-Submitted, RFC
// 3834) and asks Exchange not to answer it (X-Auto-Response-Suppress), so
// out-of-office replies do not come back to an address nobody reads; and
// none names the library or its version (go-mail's default X-Mailer and
// User-Agent), which only helps someone looking for a known weakness.
func NewMessage(d *domain.Delivery, from, host string) (*gomail.Msg, error) {
	c, err := Compose(d)
	if err != nil {
		return nil, err
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(from); err != nil {
		return nil, fmt.Errorf("mail: the from address: %w", err)
	}
	if err := msg.To(d.To); err != nil {
		// The address itself stays out of the error: it may be a reporter's.
		return nil, &domain.Error{Kind: domain.KindInvalid, Safe: domain.Say("the recipient's address is not usable")}
	}
	msg.Subject(c.Subject)
	msg.SetMessageIDWithValue(string(d.ID) + "@" + host)
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetGenHeader("X-Auto-Response-Suppress", "All")
	msg.SetBodyString(gomail.TypeTextPlain, c.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, c.HTML)
	return msg, nil
}
