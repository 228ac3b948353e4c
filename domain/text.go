package domain

import (
	"strings"
	"unicode/utf8"
)

// IsText reports whether s can be kept as text: UTF-8 without a NUL byte.
// PostgreSQL refuses a NUL in any text column, and bytes that are not
// UTF-8 are no one's words; the edges (web and CLI) refuse both before
// anything runs, naming where they were.
func IsText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}
