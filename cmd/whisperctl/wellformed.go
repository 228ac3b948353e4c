package main

import (
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/whisper-schools/whisper/domain"
)

// checkArgs refuses a command line in which any flag value or argument
// holds a NUL or bytes that are not UTF-8, naming it, before the command
// runs: nothing is opened or changed. It walks the raw words, not what the
// parser made of them, so that a number flag (--days) is named too instead
// of failing as a parse error, and a --database-url never reaches the
// filesystem. It only names: every word is checked whatever it turns out
// to be.
func checkArgs(a *cli.App, args []string) error {
	cmds, flags := a.Commands, a.Flags
	var current *cli.Command
	positional := 0
	for i := 1; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			for _, rest := range args[i+1:] {
				positional++
				if !domain.IsText(rest) {
					return notText(argumentName(current, positional))
				}
			}
			return nil
		case len(arg) > 1 && strings.HasPrefix(arg, "-"):
			name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
			switch {
			case !domain.IsText(name):
				return notText("a flag's name (" + escaped(name) + ")")
			case hasValue && !domain.IsText(value):
				return notText("--" + name)
			case !hasValue && takesValue(flags, name) && i+1 < len(args):
				i++
				if !domain.IsText(args[i]) {
					return notText("--" + name)
				}
			}
		default:
			if positional == 0 {
				if next := findCommand(cmds, arg); next != nil {
					current, cmds, flags = next, next.Subcommands, next.Flags
					continue
				}
			}
			positional++
			if !domain.IsText(arg) {
				return notText(argumentName(current, positional))
			}
		}
	}
	return nil
}

// takesValue says whether the flag called name, among flags or the flags
// every command takes (which may also come before the command's name),
// reads the next word as its value.
func takesValue(flags []cli.Flag, name string) bool {
	for _, f := range append(commonFlags(), flags...) {
		for _, n := range f.Names() {
			if n == name {
				_, isBool := f.(*cli.BoolFlag)
				return !isBool
			}
		}
	}
	return false
}

// argumentName names the nth positional argument of cmd by its usage
// ("ID STATUS"), or by its place when the usage does not say.
func argumentName(cmd *cli.Command, n int) string {
	if cmd != nil {
		if words := strings.Fields(cmd.ArgsUsage); n <= len(words) {
			return "argument " + words[n-1]
		}
	}
	return "argument " + strconv.Itoa(n)
}

// notText is the refusal for what holds bad bytes. The bytes themselves are
// not repeated: a value may be a secret or a reporter's words.
func notText(what string) error {
	return &domain.Error{Kind: domain.KindInvalid,
		Safe: domain.Say("%s holds a NUL byte or bytes that are not UTF-8 text; nothing was done", what)}
}

// escaped writes s in printable ASCII, its bad bytes as escapes (\x00).
func escaped(s string) string {
	q := strconv.QuoteToASCII(s)
	return q[1 : len(q)-1]
}
