package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

const versionHelp = "Version prints jitrun's module version (as the go command recorded it in the binary:\n" +
	"a release tag, or a pseudo-version of the commit it was built from), the commit and\n" +
	"whether the tree had changes, and the Go version and platform that built it.\n" +
	"jitrun --version prints the same."

// cmdVersion is `jitrun version` (and `jitrun --version`).
func cmdVersion(e *env, cl *commandLine, f *noFlags) error {
	if len(cl.pos) > 0 {
		return inputError("takes no arguments, got %q", strings.Join(cl.pos, " "))
	}
	info, _ := debug.ReadBuildInfo()
	if _, err := fmt.Fprintln(e.stdout, versionLine(info)); err != nil {
		return systemError("%v", err)
	}
	return nil
}

// versionLine is "jitrun VERSION (commit REV, modified), go1.26.8
// linux/amd64": what info says, and "unknown" for what it does not.
func versionLine(info *debug.BuildInfo) string {
	version, goVersion := "(unknown version)", runtime.Version()
	var vcs []string
	if info != nil {
		if info.Main.Version != "" {
			version = info.Main.Version
		}
		if info.GoVersion != "" {
			goVersion = info.GoVersion
		}
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision":
				vcs = append([]string{"commit " + s.Value[:min(12, len(s.Value))]}, vcs...)
			case s.Key == "vcs.modified" && s.Value == "true":
				vcs = append(vcs, "modified")
			}
		}
	}
	line := "jitrun " + version
	if len(vcs) > 0 {
		line += " (" + strings.Join(vcs, ", ") + ")"
	}
	return line + ", " + goVersion + " " + runtime.GOOS + "/" + runtime.GOARCH
}
