package domain

import (
	"errors"
	"strconv"
)

// DeliveryFailure is what a mail server or carrier answered when it refused
// a delivery: an SMTP reply such as "550 5.7.1 Relaying denied", or a
// carrier's HTTP status. Its text has had every address taken out by the
// adapter that heard it, so it may be logged, kept with the outbox row and
// shown to the operator.
type DeliveryFailure struct {
	// Code is the SMTP reply code (550, 451) or the carrier's HTTP status;
	// 0 when no answer came (the server could not be reached).
	Code int
	// Text is the answer's words, addresses redacted.
	Text string
	// Permanent says that sending the same message again cannot succeed
	// (a 5xx reply to the recipient or the message): the delivery fails at
	// once instead of being retried for hours.
	Permanent bool
}

func (f *DeliveryFailure) Error() string {
	if f.Code == 0 {
		return f.Text
	}
	return strconv.Itoa(f.Code) + " " + f.Text
}

// FailureOf returns the server's answer that err carries, or nil when err
// carries none (a bug, a template that would not render).
func FailureOf(err error) *DeliveryFailure {
	var f *DeliveryFailure
	if errors.As(err, &f) {
		return f
	}
	return nil
}

// IsPermanent says whether a send's error means the delivery can never go:
// an address no server would take, or a server's permanent refusal.
func IsPermanent(err error) bool {
	if f := FailureOf(err); f != nil && f.Permanent {
		return true
	}
	return KindOf(err) == KindInvalid
}
