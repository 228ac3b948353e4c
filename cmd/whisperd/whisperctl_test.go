package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

// buildCtl compiles whisperctl once, for the tests that drive it as an
// operator would beside a running whisperd: backups, key rotation, the
// demo's texts.
var buildCtl = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "whisperctl-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "whisperctl")
	out, err := exec.Command("go", "build", "-o", bin, "../whisperctl").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})
