// Package asm assembles x86-64 source text, or instructions built in Go,
// into position-independent machine code.
//
// The model has three stages with plain values between them. A front end
// turns text into statements: the Go (Plan 9) syntax that `go tool asm`
// reads, or Intel (NASM-style) syntax. The Builder makes the same
// statements from Go code. One encoder then validates every statement,
// encodes it with the Go toolchain's own x86 encoder
// (github.com/twitchyliquid64/golang-asm), lays out code and data, and
// resolves every reference inside the program. The result is a Program:
// the bytes, the symbols and labels, and a map from each source line to
// the bytes it produced.
//
// Every problem comes back as an ErrorList of FILE:LINE:COL positions. The
// package never prints, never panics and never returns bytes the encoder
// got wrong: an operand form the encoder mishandles is rejected before it
// reaches it. It is safe for concurrent use.
package asm
