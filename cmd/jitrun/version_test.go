package main

import (
	"regexp"
	"runtime"
	"runtime/debug"
	"testing"
)

func TestVersion(t *testing.T) {
	want := regexp.MustCompile(`^jitrun \S+.*, ` + regexp.QuoteMeta(runtime.Version()) + ` ` + runtime.GOOS + `/` + runtime.GOARCH + `\n$`)
	first := ""
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		status, stdout, stderr := runCmd(t, "", args...)
		if status != exitOK || stderr != "" || !want.MatchString(stdout) {
			t.Errorf("jitrun %s: status %d, stdout %q, stderr %q", args[0], status, stdout, stderr)
		}
		if first == "" {
			first = stdout
		} else if stdout != first {
			t.Errorf("jitrun %s prints %q, not %q", args[0], stdout, first)
		}
	}
	if status, _, stderr := runCmd(t, "", "version", "extra"); status != exitInput || stderr != "jitrun version: takes no arguments, got \"extra\"\n" {
		t.Errorf("version extra: status %d, stderr %q", status, stderr)
	}
}

func TestVersionLine(t *testing.T) {
	tests := []struct {
		info *debug.BuildInfo
		want string
	}{
		{nil, "jitrun (unknown version), " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH},
		{&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/jitrun/jitrun", Version: "v0.3.0"}},
			"jitrun v0.3.0, go1.26.8 " + runtime.GOOS + "/" + runtime.GOARCH},
		{&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.modified", Value: "true"}, {Key: "vcs.revision", Value: "823f3c7a1b2c3d4e5f60718293a4b5c6d7e8f901"}}},
			"jitrun (devel) (commit 823f3c7a1b2c, modified), go1.26.8 " + runtime.GOOS + "/" + runtime.GOARCH},
	}
	for _, tt := range tests {
		if got := versionLine(tt.info); got != tt.want {
			t.Errorf("versionLine = %q, want %q", got, tt.want)
		}
	}
}
