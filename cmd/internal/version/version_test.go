package version

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLinkerFlagsComeFirst(t *testing.T) {
	build := &debug.BuildInfo{Main: debug.Module{Version: "v0.9.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.time", Value: "2026-01-01T00:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	i := fromBuild(build, "v1.0.0", "3a42246", "2026-12-05T14:00:00Z")
	assert.Equal(t, Info{Version: "v1.0.0", Commit: "3a42246", Date: "2026-12-05T14:00:00Z", GoVersion: runtime.Version()}, i)
	assert.Equal(t, "v1.0.0 (commit 3a42246, built 2026-12-05T14:00:00Z, "+runtime.Version()+")", i.String())
}

func TestBuildInformationFillsTheRest(t *testing.T) {
	build := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-12-05T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	assert.Equal(t, Info{Version: "devel", Commit: "abc123-dirty", Date: "2026-12-05T10:00:00Z", GoVersion: runtime.Version()}, fromBuild(build, "", "", ""))

	installed := &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}
	assert.Equal(t, Info{Version: "v1.2.3", Commit: "unknown", Date: "unknown", GoVersion: runtime.Version()}, fromBuild(installed, "", "", ""))
	assert.Equal(t, "devel", fromBuild(nil, "", "", "").Version)
}
