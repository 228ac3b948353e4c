package mail

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	gomail "github.com/wneessen/go-mail"

	"github.com/whisper-schools/whisper/domain"
)

// maxReplyText bounds the server's words kept: a reply is a line or two,
// and a hostile server must not fill the outbox.
const maxReplyText = 300

// addressLike is anything that looks like an email address, bracketed or
// not: servers quote the recipient back ("<kid@example.org>: Relaying
// denied"), and the recipient may be a reporter.
var addressLike = regexp.MustCompile(`<[^<>]*@[^<>]*>|[^\s<>(),;:"\[\]]+@[^\s<>(),;:"'\[\]]+`)

// Redact replaces everything in s that looks like an email address with
// "<redacted>", so that a server's answer can be logged and kept.
func Redact(s string) string {
	return addressLike.ReplaceAllString(s, "<redacted>")
}

// refusal turns what go-mail returned for a failed conversation into the
// server's answer: the reply code and its words, addresses redacted. A 5xx
// reply to the recipient (RCPT TO) or to the message (DATA) is permanent:
// the same message would be refused again. Anything else is transient:
// a refusal of the sender (MAIL FROM: "authenticate first", a from
// address the server will not send for) or to sign in (530, 534, 535, 538
// wherever they come) is this service's configuration, which the operator
// fixes, and every message waits for it.
func refusal(err error) *domain.DeliveryFailure {
	var se *gomail.SendError
	if !errors.As(err, &se) {
		return &domain.DeliveryFailure{Text: clip(Redact(err.Error()))}
	}
	code := se.ErrorCode()
	text := se.Error()
	// go-mail appends the recipients and the Message-ID; neither is the
	// server's, and the first may be a reporter's address.
	if i := strings.Index(text, ", affected recipient(s)"); i >= 0 {
		text = text[:i]
	}
	if i := strings.Index(text, ", affected message ID"); i >= 0 {
		text = text[:i]
	}
	if code != 0 {
		// Keep the server's reply from its code on: "5.7.1 Relaying denied".
		if i := strings.Index(text, strconv.Itoa(code)+" "); i >= 0 {
			text = text[i+4:]
		}
	}
	// go-mail quotes the server's words.
	if u, err := strconv.Unquote(strings.TrimSpace(text)); err == nil {
		text = u
	}
	f := &domain.DeliveryFailure{Code: code, Text: clip(strings.TrimSpace(Redact(text)))}
	switch se.Reason {
	case gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
		f.Permanent = code >= 500 && code <= 599 && !signInReplies[code]
	}
	return f
}

// signInReplies are the 5xx codes of RFC 4954 (SMTP AUTH).
var signInReplies = map[int]bool{530: true, 534: true, 535: true, 538: true}

func clip(s string) string {
	if len(s) <= maxReplyText {
		return s
	}
	// Cut on a rune boundary.
	for i := maxReplyText; i > 0; i-- {
		if !isContinuation(s[i]) {
			return s[:i] + "…"
		}
	}
	return ""
}

func isContinuation(b byte) bool { return b&0xC0 == 0x80 }
