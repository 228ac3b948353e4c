package domain

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// PhoneRegion is the country whose national numbers Whisper reads without
// their country code, as an ISO 3166-1 two-letter code ("GB"): a UK
// operator types 07700 900123, not +44 7700 900123.
type PhoneRegion string

// DefaultPhoneRegion is the region when none is configured.
const DefaultPhoneRegion PhoneRegion = "GB"

// ParsePhoneRegion reads a configured region: the two-letter code, in any
// case, of a country with telephone numbers. ok is false for anything else.
func ParsePhoneRegion(s string) (r PhoneRegion, ok bool) {
	code := strings.ToUpper(strings.TrimSpace(s))
	if len(code) != 2 || phonenumbers.GetCountryCodeForRegion(code) == 0 {
		return "", false
	}
	return PhoneRegion(code), true
}

// ParsePhone normalises a phone number to E.164 ("+447700900123"). It is
// the one rule for every number Whisper is given, by a carrier or by an
// operator:
//
//   - "+44 7700 900123", "+44 (0)7700 900123": international, with a plus;
//   - "447700900123": international without the plus, as carriers send
//     numbers;
//   - "07700 900123", "0044 7700 900123": as dialled in region, national
//     with its trunk prefix or international with its exit code.
//
// Spaces, dashes, dots and brackets are ignored; letters are refused. The
// number must have a length that its country's numbers can have; it need
// not be in service, so the numbers kept for drama and tests (07700 900xxx)
// are accepted. The error never repeats the number.
func ParsePhone(s string, region PhoneRegion) (string, error) {
	s = strings.TrimSpace(s)
	notANumber := Errorf(KindInvalid, "that is not a phone number")
	var digits strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '+' && i == 0, r == ' ', r == '-', r == '.', r == '(', r == ')':
		default:
			return "", notANumber
		}
	}
	d := digits.String()
	if len(d) < 3 || len(d) > 20 {
		return "", notANumber
	}
	in := s
	if s[0] != '+' && d[0] != '0' {
		in = "+" + d // a carrier's number: its country code comes first
	}
	if region == "" {
		region = DefaultPhoneRegion
	}
	n, err := phonenumbers.Parse(in, string(region))
	if err != nil || !phonenumbers.IsPossibleNumber(n) {
		return "", notANumber
	}
	// E.164 allows 15 digits at most; fewer than 7 is a short code, which
	// no reporter texts from.
	e164 := phonenumbers.Format(n, phonenumbers.E164)
	if len(e164) < 8 || len(e164) > 16 {
		return "", notANumber
	}
	return e164, nil
}
