package domain

// Correction is a reporter's data put right at their request (the right
// to rectification): a new email address, phone number or name for one
// interaction. Exactly one field is set. Sensitive: every field is personal
// data.
type Correction struct {
	Email string
	Phone string // E.164
	Name  string
}

// Field names what a correction corrects, "email", "phone" or "name", for
// the audit log, which never holds the value itself.
func (c Correction) Field() string {
	switch {
	case c.Email != "":
		return "email"
	case c.Phone != "":
		return "phone"
	default:
		return "name"
	}
}
