package main

import (
	"io"
	"os"

	"github.com/jitrun/jitrun/internal/platform"
)

// isTerminal reports whether w is a terminal (a file the TCGETS ioctl
// answers for).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	return platform.IsTerminal(int(f.Fd()))
}
