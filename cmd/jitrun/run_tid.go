package main

import "github.com/jitrun/jitrun/internal/platform"

// threadID returns the kernel's id of the calling thread (gettid).
func threadID() int { return platform.Gettid() }
