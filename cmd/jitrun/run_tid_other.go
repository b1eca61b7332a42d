//go:build !linux

package main

// threadID returns 0: thread ids are the kernel's, and jitrun runs code
// only on Linux (elsewhere loading the code fails with an "unsupported"
// error before any thread is started).
func threadID() int { return 0 }
