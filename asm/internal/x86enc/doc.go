// Package x86enc is the assembler's encoder stage: it validates each
// instruction of the statement IR and encodes it with golang-asm, the Go
// toolchain's own x86 encoder (github.com/twitchyliquid64/golang-asm). It
// is the only package that drives golang-asm.
//
// golang-asm panics on some inputs, exits the process on others
// (log.Fatalf), and encodes yet others wrongly without a word; the checks
// of validate.go keep every such input away from it, and what it still
// gets wrong is completed afterwards (a REX prefix for SPB, a segment
// prefix; run.go). When it refuses an instruction, explain.go asks it
// again with a value changed, to say which operand is out of range. Its
// tables (mnemonics, branch encodings, the registers it drops) are learned
// from it by go generate and read from tables_gen.go (tables.go,
// tables_probe_test.go), and every call into it is made under one
// process-wide lock: its own tables are package variables that are not
// safe for concurrent use.
//
// A Batch encodes the instructions of one assembly: Add validates an
// instruction and plans it (fixed bytes, a branch whose form the layout
// picks, or a queued encoding), and Encode runs golang-asm over the queued
// ones, a chunk at a time, returning bytes and PC-relative references.
package x86enc
