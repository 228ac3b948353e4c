package domain

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an error so that each edge (HTTP, CLI) can translate it in
// one place. The list is append-only: values are never renumbered.
type Kind uint8

const (
	KindInternal    Kind = iota // zero value: an unclassified error is internal
	KindInvalid                 // the caller's input is wrong; retrying it will not help
	KindNotFound                // it does not exist, or the caller may not know that it does
	KindConflict                // it clashes with what exists (a taken code, a changed row)
	KindForbidden               // the caller may not do this
	KindUnavailable             // a dependency is down; retry later
)

func (k Kind) String() string {
	switch k {
	case KindInvalid:
		return "invalid"
	case KindNotFound:
		return "not found"
	case KindConflict:
		return "conflict"
	case KindForbidden:
		return "forbidden"
	case KindUnavailable:
		return "unavailable"
	default:
		return "internal"
	}
}

// Words are what a person may read about an error or a problem, named by a
// key with its arguments rather than written out, so that each edge can say
// them in its reader's language. The key is the English, a Sprintf format
// ("a name is at most %d characters"), and also the key of the message
// catalogue the edges print from. The arguments are kept apart so that
// each language places and formats them its own way. Words never carry
// report text, names, contact data or tokens.
type Words struct {
	Key  string
	Args []any
}

// Say returns the words keyed by key, with args for its verbs.
func Say(key string, args ...any) Words { return Words{Key: key, Args: args} }

// String is the English: the key formatted with its arguments, as Go
// formats them. A key without arguments is its own text.
func (w Words) String() string {
	if len(w.Args) == 0 {
		return w.Key
	}
	return fmt.Sprintf(w.Key, w.Args...)
}

// IsZero reports whether there are no words.
func (w Words) IsZero() bool { return w.Key == "" }

// Error is the one error type of the core. Safe is what a user may read;
// Err is the cause, for logs.
type Error struct {
	Op   string
	Kind Kind
	Safe Words
	Err  error
}

func (e *Error) Error() string {
	msg := e.Safe.String()
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	} else if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if msg == "" {
		msg = e.Kind.String()
	}
	if e.Op != "" {
		return e.Op + ": " + msg
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an error of kind k whose safe words are key with args;
// Error() and SafeMessage give them formatted, in English. Use it only with
// values that may be shown to the person who sent them.
func Errorf(k Kind, key string, args ...any) error {
	return &Error{Kind: k, Safe: Say(key, args...)}
}

// KindOf returns the kind of the outermost classified error in err's chain,
// KindInternal when none is classified.
func KindOf(err error) Kind {
	var e *Error
	for cause := err; errors.As(cause, &e); cause = e.Err {
		if e.Kind != KindInternal {
			return e.Kind
		}
	}
	return KindInternal
}

// SafeMessage returns SafeWords(err) in English.
func SafeMessage(err error) string { return SafeWords(err).String() }

// SafeWords returns the first safe words in err's chain, or generic words
// for its kind, so that internal causes never reach users.
func SafeWords(err error) Words {
	var e *Error
	for cause := err; errors.As(cause, &e); cause = e.Err {
		if !e.Safe.IsZero() {
			return e.Safe
		}
	}
	switch KindOf(err) {
	case KindInvalid:
		return Say("Please check what you entered.")
	case KindConflict:
		return Say("That clashes with something that already exists.")
	case KindForbidden:
		return Say("You may not do that.")
	case KindNotFound:
		return Say("Not found.")
	case KindUnavailable:
		return Say("The service is busy. Please try again in a moment.")
	default:
		return Say("Something went wrong on our side. Please try again.")
	}
}

// Wrap adds op to *errp, for use as `defer domain.Wrap(&err, "app.Op")`.
// The kind and safe message of the cause are kept.
func Wrap(errp *error, op string) {
	if *errp == nil {
		return
	}
	*errp = &Error{Op: op, Err: *errp}
}

// FieldProblem is what is wrong with one input field, in words for the
// person who filled it in.
type FieldProblem struct {
	Field string
	Safe  Words
}

// Problems lists what is wrong with a submitted form, field by field, so
// that each message can stand beside its field. Invalid returns it as an
// error of KindInvalid.
type Problems []FieldProblem

func (p Problems) Error() string {
	fields := make([]string, len(p))
	for i, fp := range p {
		fields[i] = fp.Field
	}
	return "invalid: " + strings.Join(fields, ", ")
}

// Of returns the words for field in English, or "".
func (p Problems) Of(field string) string {
	for _, fp := range p {
		if fp.Field == field {
			return fp.Safe.String()
		}
	}
	return ""
}

// Invalid wraps problems as one KindInvalid error whose safe words are the
// first problem's; nil when there are none.
func (p Problems) Invalid() error {
	if len(p) == 0 {
		return nil
	}
	return &Error{Kind: KindInvalid, Safe: p[0].Safe, Err: p}
}

// Add appends a problem with field when err is one, and reports whether it
// was.
func (p *Problems) Add(field string, err error) bool {
	if err == nil {
		return false
	}
	*p = append(*p, FieldProblem{Field: field, Safe: SafeWords(err)})
	return true
}

// ProblemsOf returns the field problems in err's chain, if any.
func ProblemsOf(err error) Problems {
	var p Problems
	if errors.As(err, &p) {
		return p
	}
	return nil
}
