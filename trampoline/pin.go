package trampoline

import _ "unsafe" // for go:linkname

// procPin pins the goroutine to its P and returns the P's id: until
// procUnpin, the goroutine is not preempted and nothing else runs on that
// P. The fast path uses it to own the P's cached stack without an atomic
// operation, and executeTimed to keep the scheduler from standing between a
// call's timer and its code. (Both are kept linkable on purpose, for
// sync/atomic and others: go.dev/issue/67401.)
//
//go:linkname procPin runtime.procPin
func procPin() int

//go:linkname procUnpin runtime.procUnpin
func procUnpin()
