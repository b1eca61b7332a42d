// Package testsupport holds helpers that more than one package's tests
// use: the random machine code of the random-code fuzz (RandomBlob), and
// the W^X watcher, a goroutine that samples
// /proc/self/maps through a whole test suite and remembers the first
// mapping that was writable and executable at once, so that a suite which
// broke W^X at any moment, not only at the moment a test looked, fails.
//
// It reads the maps text itself (the start, end and permission fields of
// each line) rather than through execmem, so that it stays below every
// package it watches.
package testsupport
