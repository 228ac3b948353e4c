package main

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// --version and -v print the build and exit 0 without opening a store.
func TestVersionNamesTheBuild(t *testing.T) {
	for _, flag := range []string{"--version", "-v"} {
		var stdout, stderr strings.Builder
		code := run(context.Background(), []string{"whisperctl", flag}, strings.NewReader(""), &stdout, &stderr,
			func(string) string { return "" })
		assert.Equal(t, 0, code, stderr.String())
		assert.Regexp(t, `^whisperctl version \S+ \(commit \S+, built \S+, go\S+\)\n$`, stdout.String(), flag)
	}
}
