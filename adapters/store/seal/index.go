package seal

import "strings"

// Index returns the blind index of value: the hex HMAC-SHA256, under a key
// derived from the primary key, of kind, a zero byte and value. kind (for
// example "email" or "phone") keeps equal strings of different kinds from
// sharing an index. The result is 64 hex characters, or "" for an empty
// value so that blank optional fields match nothing.
//
// Index does not normalise: callers must, or the same address typed twice
// will not match. Use NormaliseEmailForIndex for e-mail addresses and E.164
// for phone numbers.
//
// The index key comes from the primary key, so rotating the primary key
// changes every index: a rotation recomputes the stored indexes it can
// from the opened values, and lookups try every key the keyring knows
// (Lookups) meanwhile, and for good where the value is not stored.
func (k *Keyring) Index(kind, value string) string {
	if value == "" {
		return ""
	}
	return indexUnder(k.indexKey, kind, value)
}

// NormaliseEmailForIndex trims surrounding space and lowercases the whole
// address, local part included. Strictly the local part is case-sensitive,
// but no real mail provider treats it so, and a pupil who types
// "Sam@School.org" once and "sam@school.org" later must still be found.
// Use it only for the index; seal the address as typed.
func NormaliseEmailForIndex(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}
