package main

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// --version prints the build and exits 0, before reading any
// configuration: it works with none.
func TestVersionNamesTheBuild(t *testing.T) {
	out, errOut, code := whisperdOutput(t, []string{"WHISPER_LOG_LEVEL=nonsense"}, "--version")
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `^whisperd version \S+ \(commit \S+, built \S+, go\S+\)\n$`, out)
	assert.Empty(t, errOut)
}

// A release sets the version, commit and date at link time.
func TestAReleaseSetsItsVersion(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "whisperd")
	const pkg = "github.com/whisper-schools/whisper/cmd/internal/version"
	build := exec.Command("go", "build", "-o", bin, "-ldflags",
		"-X "+pkg+".version=v1.0.0 -X "+pkg+".commit=3a42246 -X "+pkg+".date=2026-12-05T14:00:00Z", ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	out, err = exec.Command(bin, "--version").Output()
	require.NoError(t, err)
	assert.Equal(t, "whisperd version v1.0.0 (commit 3a42246, built 2026-12-05T14:00:00Z, "+runtime.Version()+")\n", string(out))
}
