// Package swearingtest holds the corpora the swear-word filter is tested
// against, for every package whose tests put messages through it: the
// disclosures a block policy must never refuse, and the insults it must.
// The sentences are in testdata, one a line, written for Whisper.
package swearingtest

import (
	"embed"
	"strings"
)

//go:embed testdata/*.txt
var files embed.FS

// Disclosures are messages in which a child says what happened to their
// body, about sex, abuse or self-harm, in English and Welsh and in every
// register. No swear-word policy may refuse one.
func Disclosures() []string { return read("testdata/disclosures.txt") }

// Insults are messages that call the reader a name or curse at them, in
// English and Welsh. A block policy refuses every one.
func Insults() []string { return read("testdata/insults.txt") }

// read returns the lines of a corpus, without blank lines and comments.
func read(name string) []string {
	data, err := files.ReadFile(name)
	if err != nil {
		panic(err) // embedded at build time: cannot happen
	}
	var out []string
	for line := range strings.Lines(string(data)) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}
