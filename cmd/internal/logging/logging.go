// Package logging builds the binaries' loggers from log.format and
// log.level, and holds Repeats, which keeps a failure that repeats (the
// database down, the mail server down) to one line a minute with a count.
//
// What is logged is decided where it is logged: records carry identifiers,
// kinds and counts, never message text, names, contact data, IP addresses
// or tokens. This package only shapes and thins the lines.
package logging

import (
	"io"
	"log/slog"

	"github.com/whisper-schools/whisper/cmd/internal/config"
)

// Handler returns a handler writing c's format at c's level to w: text
// (key=value) lines, or one JSON object a line.
func Handler(w io.Writer, c config.Log) slog.Handler {
	opts := &slog.HandlerOptions{Level: c.SlogLevel()}
	if c.JSON() {
		return slog.NewJSONHandler(w, opts)
	}
	return slog.NewTextHandler(w, opts)
}
