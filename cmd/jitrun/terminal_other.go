//go:build !linux

package main

import "io"

// isTerminal reports false: jitrun runs code on linux/amd64 only, and
// elsewhere does not ask.
func isTerminal(io.Writer) bool { return false }
