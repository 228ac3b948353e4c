package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/whisper-schools/whisper/catalogue"
	"github.com/whisper-schools/whisper/domain"
)

// Exit codes. Scripts rely on them; see the README.
const (
	exitOK          = 0
	exitInternal    = 1
	exitUsage       = 2
	exitInvalid     = 3
	exitNotFound    = 4
	exitConflict    = 5
	exitForbidden   = 6
	exitUnavailable = 7
)

// usageError marks a mistake in the command line itself.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// exitCode is the one table from error kinds to exit codes.
func exitCode(err error) int {
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		return exitUsage
	}
	switch domain.KindOf(err) {
	case domain.KindInvalid:
		return exitInvalid
	case domain.KindNotFound:
		return exitNotFound
	case domain.KindConflict:
		return exitConflict
	case domain.KindForbidden:
		return exitForbidden
	case domain.KindUnavailable:
		return exitUnavailable
	default:
		return exitInternal
	}
}

// exit prints err as one line on stderr and returns the exit code.
// Classified errors show their safe words, in English; internal ones their
// cause, since the operator on the server is entitled to it (it never holds
// personal data: the store seals that before SQL sees it).
func (c *ctl) exit(err error) int {
	if err == nil {
		return exitOK
	}
	msg := err.Error()
	var ue usageError
	if !errors.As(err, &ue) && domain.KindOf(err) != domain.KindInternal {
		msg = catalogue.For(domain.English).Say(domain.SafeWords(err))
	}
	fmt.Fprintln(c.stderr, "whisperctl: "+strings.ReplaceAll(strings.TrimSpace(msg), "\n", "; "))
	return exitCode(err)
}
