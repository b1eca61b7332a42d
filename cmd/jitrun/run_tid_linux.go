//go:build linux

package main

import "golang.org/x/sys/unix"

// threadID returns the kernel's id of the calling thread (gettid).
func threadID() int { return unix.Gettid() }
