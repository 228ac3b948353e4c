// Package version says which build of Whisper is running: its version,
// commit and build date. A release sets them with -ldflags, e.g.
//
//	go build -ldflags "-X github.com/whisper-schools/whisper/cmd/internal/version.version=v1.0.0 \
//	  -X github.com/whisper-schools/whisper/cmd/internal/version.commit=$(git rev-parse HEAD) \
//	  -X github.com/whisper-schools/whisper/cmd/internal/version.date=$(date -u +%FT%TZ)" ./cmd/...
//
// Otherwise they come from the build information Go records: the module
// version for `go install …@v1.0.0`, and the commit and its time for a
// build from a git checkout. Nothing here is a secret; whisperd logs it
// and exports it as the whisper_build_info metric.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set by -ldflags -X; empty otherwise.
var version, commit, date string

// Info is one build's identity. Unknown parts read "unknown".
type Info struct {
	Version   string
	Commit    string
	Date      string
	GoVersion string
}

// Get returns this build's Info.
func Get() Info {
	build, _ := debug.ReadBuildInfo()
	return fromBuild(build, version, commit, date)
}

// fromBuild fills in from the build information what -ldflags did not set.
func fromBuild(build *debug.BuildInfo, version, commit, date string) Info {
	i := Info{Version: version, Commit: commit, Date: date, GoVersion: runtime.Version()}
	if build != nil {
		if i.Version == "" && build.Main.Version != "" && build.Main.Version != "(devel)" {
			i.Version = build.Main.Version
		}
		var modified bool
		for _, s := range build.Settings {
			switch s.Key {
			case "vcs.revision":
				if i.Commit == "" {
					i.Commit = s.Value
				}
			case "vcs.time":
				if i.Date == "" {
					i.Date = s.Value
				}
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if modified && commit == "" && i.Commit != "" {
			i.Commit += "-dirty"
		}
	}
	if i.Version == "" {
		i.Version = "devel"
	}
	for _, s := range []*string{&i.Commit, &i.Date} {
		if *s == "" {
			*s = "unknown"
		}
	}
	return i
}

// String is the line --version prints after the program's name, e.g.
// "v1.0.0 (commit 3a42246…, built 2026-12-05T14:00:00Z, go1.26.0)".
func (i Info) String() string {
	return fmt.Sprintf("%s (commit %s, built %s, %s)", i.Version, i.Commit, i.Date, i.GoVersion)
}
