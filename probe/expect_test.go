//go:build linux && amd64

package probe

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/jitrun/jitrun/execmem"
)

// What the tests expect is derived from the host's posture, never from the
// kind of machine FACTS.md was measured on: CI may run on Intel or AMD,
// with or without PKU.

var (
	fullOnce sync.Once
	fullRep  *Report
	fullErr  error
)

// fullReport runs every probe once for the whole test binary.
func fullReport(t *testing.T) *Report {
	t.Helper()
	fullOnce.Do(func() { fullRep, fullErr = Run(context.Background(), Options{}) })
	if fullErr != nil {
		t.Fatalf("Run: %v", fullErr)
	}
	return fullRep
}

// find returns the named result or fails the test.
func find(t *testing.T, rep *Report, name string) *Result {
	t.Helper()
	r, ok := rep.Find(name)
	if !ok {
		t.Fatalf("no result for %s", name)
	}
	return r
}

// executeOnly reports whether PROT_EXEC alone gives execute-only memory
// here (protection keys, enabled by the kernel).
func executeOnly(h Host) bool { return h.Has("pku") && h.Has("ospke") }

// kernelAtLeast reports whether the host's kernel release ("6.18.44-…")
// is at least major.minor.
func kernelAtLeast(t *testing.T, h Host, major, minor int) bool {
	t.Helper()
	parts := strings.SplitN(h.Kernel, ".", 3)
	if len(parts) < 2 {
		t.Fatalf("kernel release %q: want MAJOR.MINOR…", h.Kernel)
	}
	ma, err1 := strconv.Atoi(digits(parts[0]))
	mi, err2 := strconv.Atoi(digits(parts[1]))
	if err1 != nil || err2 != nil {
		t.Fatalf("kernel release %q: want MAJOR.MINOR…", h.Kernel)
	}
	return ma > major || ma == major && mi >= minor
}

// digits returns the leading decimal digits of s.
func digits(s string) string {
	for i, c := range s {
		if c < '0' || c > '9' {
			return s[:i]
		}
	}
	return s
}

// matrixWant is what one protection gives on this host: the outcome of the
// read, the write and the instruction fetch, in the probes' order (read,
// then write, then exec), with the page-fault error code each fault must
// carry.
type matrixWant struct {
	read, write, exec          Outcome
	readCode, writeCode, xCode uint64
}

func wantMatrix(h Host, prot execmem.Prot) matrixWant {
	r, w, x := prot&execmem.ProtRead != 0, prot&execmem.ProtWrite != 0, prot&execmem.ProtExec != 0
	// W implies R on x86; X implies R unless protection keys make
	// PROT_EXEC alone execute-only.
	readable := r || w || (x && !executeOnly(h))
	var m matrixWant
	outcome := func(ok bool) Outcome {
		if ok {
			return Allowed
		}
		return Faulted
	}
	m.read, m.write = outcome(readable), outcome(w)
	m.exec = outcome(x || (!h.Has("nx") && readable))
	// A page that was read (or, for the mprotect rows, written before the
	// mprotect) is present: bit 0 of the error code. PROT_NONE pages are
	// never present to the CPU.
	present := uint64(0)
	if prot != execmem.ProtNone {
		present = 1
	}
	m.readCode = 0x4 | present
	if readable {
		m.writeCode = 0x6 | 1
	} else {
		m.writeCode = 0x6 | present
	}
	m.xCode = 0x14 | present
	return m
}

// checkFault asserts a fault's signal, si_code name, trap and (for a page
// fault, when code is not ^0) error code.
func checkFault(t *testing.T, what string, o Observation, sig syscall.Signal, siCode string, trap int, code uint64) {
	t.Helper()
	if o.Outcome != Faulted || o.Fault == nil {
		t.Errorf("%s: %s (%s), want a fault", what, o.Cell(), o.Evidence(true))
		return
	}
	f := o.Fault
	if f.Signal != sig || f.CodeName() != siCode || f.Trap != trap {
		t.Errorf("%s: %s %s %s, want %s %s trap %d", what, f.SignalName(), f.CodeName(), f.TrapName(), sig, siCode, trap)
	}
	if code != ^uint64(0) && f.ErrorCode != code {
		t.Errorf("%s: error code %#x, want %#x", what, f.ErrorCode, code)
	}
}
