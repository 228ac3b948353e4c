package domain

import (
	"encoding/base32"
	"fmt"
	"io"
	"strings"
)

// Identifiers are opaque, random and prefixed with what they name
// ("org_…", "frm_…"), so an operator who pastes one into the wrong command
// gets a clear error instead of touching another object, and so nothing can
// be learnt from their order (unlike serial numbers, which would reveal how
// many reports a school has had).
type (
	OrgID         string
	FormID        string
	InboxID       string
	StaffID       string
	InteractionID string
	MessageID     string
)

// ID prefixes, one per kind of object.
const (
	prefixOrg         = "org"
	prefixForm        = "frm"
	prefixInbox       = "inb"
	prefixStaff       = "stf"
	prefixInteraction = "int"
	prefixMessage     = "msg"
)

// idBytes of randomness (96 bits) make collisions negligible for ids, which,
// unlike tokens, are not secrets.
const idBytes = 12

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

func newID(prefix string, random io.Reader) (string, error) {
	b := make([]byte, idBytes)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", fmt.Errorf("reading randomness: %w", err)
	}
	return prefix + "_" + idEncoding.EncodeToString(b), nil
}

// NewOrgID and its siblings draw a new identifier from random.
func NewOrgID(random io.Reader) (OrgID, error) {
	id, err := newID(prefixOrg, random)
	return OrgID(id), err
}

// NewFormID draws a new form identifier.
func NewFormID(random io.Reader) (FormID, error) {
	id, err := newID(prefixForm, random)
	return FormID(id), err
}

// NewInboxID draws a new inbox identifier.
func NewInboxID(random io.Reader) (InboxID, error) {
	id, err := newID(prefixInbox, random)
	return InboxID(id), err
}

// NewStaffID draws a new staff identifier.
func NewStaffID(random io.Reader) (StaffID, error) {
	id, err := newID(prefixStaff, random)
	return StaffID(id), err
}

// NewInteractionID draws a new interaction identifier.
func NewInteractionID(random io.Reader) (InteractionID, error) {
	id, err := newID(prefixInteraction, random)
	return InteractionID(id), err
}

// NewMessageID draws a new message identifier.
func NewMessageID(random io.Reader) (MessageID, error) {
	id, err := newID(prefixMessage, random)
	return MessageID(id), err
}

// parseID checks that s is an identifier of the given kind. The error names
// the kind so that "org_…" passed as a form says so.
func parseID(s, prefix, what string) (string, error) {
	s = strings.TrimSpace(s)
	rest, ok := strings.CutPrefix(s, prefix+"_")
	if !ok || len(rest) != idEncoding.EncodedLen(idBytes) {
		return "", Errorf(KindInvalid, "%q is not a %s id (they look like %s_…)", s, what, prefix)
	}
	if _, err := idEncoding.DecodeString(rest); err != nil {
		return "", Errorf(KindInvalid, "%q is not a %s id (they look like %s_…)", s, what, prefix)
	}
	return s, nil
}

// ParseOrgID checks the form of an organisation id.
func ParseOrgID(s string) (OrgID, error) {
	id, err := parseID(s, prefixOrg, "organisation")
	return OrgID(id), err
}

// ParseStaffID checks the form of a staff id, as whisperctl staff reset
// is given it.
func ParseStaffID(s string) (StaffID, error) {
	id, err := parseID(s, prefixStaff, "staff")
	return StaffID(id), err
}

// ParseFormID checks the form of a form id.
func ParseFormID(s string) (FormID, error) {
	id, err := parseID(s, prefixForm, "form")
	return FormID(id), err
}

// ParseInboxID checks the form of an inbox id.
func ParseInboxID(s string) (InboxID, error) {
	id, err := parseID(s, prefixInbox, "inbox")
	return InboxID(id), err
}
