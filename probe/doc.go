// Package probe measures what this CPU and kernel really enforce for page
// protections, NX/XD and W^X, by doing each access for real and recording
// what happened.
//
// The model: a probe sets up some memory (an mmap with a protection, an
// mprotect, a RET placed in the Go heap, a global, a stack), then takes
// steps — reads, writes and instruction fetches made by small machine-code
// routines (assembled with package asm, loaded read+exec with execmem, run
// under the trampoline's fault recovery), and system calls. Each step is an
// Observation: allowed, fault (with the evidence: signal, si_code, address,
// PC, exception vector and the decoded page-fault error code), refused
// (with the errno), skipped (with why) or error. A Result gathers a
// probe's steps and its verdict; a Report gathers the host's posture (CPU
// flags, kernel, ASLR, LSMs, seccomp, memory-deny-write-execute) and every
// Result, writes itself as a table or JSON, and sums up in words what the
// results show ("W implies R; X implies R (no PKU); W+X allowed; …").
//
// Probes are named SECTION.WHAT: matrix.mmap.r-x and matrix.mprotect.r-x
// (the eight protections, asked of mmap and reached by mprotect), exec.*
// and mprotect.exec.* (where code can run, before and after adding exec),
// text.write, viol.* (violations and their signatures), place.* (hint,
// MAP_FIXED_NOREPLACE, MAP_FIXED), pkey.*, mdwe.*, memfd.dual, mseal.* and
// personality.*. Probes lists them; Match selects by glob or prefix.
//
// Probes that run in the caller leave it as it was: what they map they
// unmap, what they mprotect they restore (W is kept while X is added to
// memory Go uses, so the page is briefly writable and executable: that is
// what those probes measure). Probes that change a process for good —
// memory-deny-write-execute, mseal, personality, and text.write, whose
// write leaves a private copy of a text page — run in a child process,
// a re-execution of the program, which is why a program that runs them
// must call MaybeRunChild first thing in main (and a test package in
// TestMain). A child that crashes or hangs is reported as such.
//
// Mmap is one request made by hand (jitrun mmap): a size, a protection, a
// placement, a file, then touches at chosen offsets.
//
// Everything needs linux/amd64; elsewhere Run and Mmap return an error
// wrapping errors.ErrUnsupported. Run and Mmap are safe to call from many
// goroutines: they take turns (see runMu).
package probe
