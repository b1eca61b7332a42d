//go:build cgo && !netgo

package main

// cmdServe refuses to serve in a jitrun built with cgo (serve.go says
// why): package serve is not linked into it.
func cmdServe(e *env, cl *commandLine, f *serveFlags) error {
	if err := f.check(cl); err != nil {
		return err
	}
	return systemError("this jitrun was built with cgo, and serving would link the C library, whose system calls run's guard refuses: build it with CGO_ENABLED=0 (CGO_ENABLED=0 go build ./cmd/jitrun, or -tags netgo) to serve")
}
