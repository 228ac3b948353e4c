package domain

import (
	"net/mail"
	"strings"
)

// MaxEmail is the longest address SMTP carries.
const MaxEmail = 254

// ParseEmail checks that s is a bare address (no display name) and returns it
// trimmed with its domain in lower case. The error never repeats the address:
// it may be a reporter's.
func ParseEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	bad := Errorf(KindInvalid, "that does not look like an email address (like name@example.org)")
	if s == "" || len(s) > MaxEmail || strings.ContainsAny(s, "<>\r\n\t ") {
		return "", bad
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" {
		return "", bad
	}
	local, host, ok := strings.Cut(s, "@")
	if !ok || local == "" || !strings.Contains(host, ".") || strings.HasSuffix(host, ".") {
		return "", bad
	}
	return local + "@" + strings.ToLower(host), nil
}
