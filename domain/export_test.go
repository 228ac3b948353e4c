package domain

// ParseStaffID checks the form of a staff id. Only the id table test
// needs it: staff ids reach the core from the store and from the portal's
// own links and forms, where a malformed one is simply not found, so no
// other code parses one.
func ParseStaffID(s string) (StaffID, error) {
	id, err := parseID(s, prefixStaff, "staff")
	return StaffID(id), err
}
