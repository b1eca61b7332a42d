//go:build linux

package platform

import "golang.org/x/sys/unix"

// Gettid returns the calling thread's id.
func Gettid() int { return unix.Gettid() }
