//go:build cgo && !netgo

package main

import "testing"

// TestServeNeedsStaticJitrun checks what a jitrun built with cgo says
// when asked to serve.
func TestServeNeedsStaticJitrun(t *testing.T) {
	status, stdout, stderr := runCmd(t, "", "serve")
	want := "jitrun serve: this jitrun was built with cgo, and serving would link the C library, whose system calls run's guard refuses: build it with CGO_ENABLED=0 (CGO_ENABLED=0 go build ./cmd/jitrun, or -tags netgo) to serve\n"
	if status != exitSystem || stdout != "" || stderr != want {
		t.Errorf("jitrun serve: status %d, stdout %q, stderr %q; want %d, \"\", %q", status, stdout, stderr, exitSystem, want)
	}
}
