// Package asmtest holds what the assembler's tests share: a hook that
// turns golang-asm's log.Fatalf into a panic the encoder recovers from, so
// that a test sees an input reach one of those paths instead of the test
// process exiting; the comparison of two readings of a source
// (CompareReads); and the writing and checking of the generated form
// tables (GoLiterals, CheckStaticData, CheckNoPointers). Only tests use
// it; the assembler itself never touches the global logger.
package asmtest

import (
	"log"
	"sync"
)

var (
	mu  sync.Mutex // held while a hook is in place
	hit string     // the message of the last log.Fatal reached
)

type panicWriter struct{}

func (panicWriter) Write(p []byte) (int, error) {
	hit = string(p)
	panic("log.Fatal reached: " + string(p))
}

// HookFatal makes log.Fatal panic with its message instead of exiting the
// process, until the returned function is called. Hooks are taken one at a
// time.
func HookFatal() (restore func()) {
	mu.Lock()
	out, flags := log.Writer(), log.Flags()
	log.SetOutput(panicWriter{})
	hit = ""
	return func() {
		log.SetOutput(out)
		log.SetFlags(flags)
		mu.Unlock()
	}
}

// FatalHit returns the message of the log.Fatal reached since the last
// call, or "", and forgets it.
func FatalHit() string {
	h := hit
	hit = ""
	return h
}

// IsDataOrPrefix reports whether a Go mnemonic emits data (BYTE, WORD,
// LONG, QUAD) or a lone prefix (LOCK, REP, REPN, XACQUIRE, XRELEASE),
// which no decoder sees as an instruction.
func IsDataOrPrefix(op string) bool {
	switch op {
	case "BYTE", "WORD", "LONG", "QUAD", "LOCK", "REP", "REPN", "XACQUIRE", "XRELEASE":
		return true
	}
	return false
}
