// Package intel is the Intel-syntax front end of the assembler: NASM-style
// source (and GNU as's .intel_syntax noprefix dialect) turned into the
// statement IR (package ir), operands reversed into Go order.
//
// A source is read line by line (lex.go makes a line's tokens); a line is
// labels and then a directive (data.go: sections, data, alignment,
// symbols) or an instruction, whose operands (operand.go, with the
// constant expressions of expr.go) are matched against the generated form
// table (forms.go, table_gen.go) to find the Go instruction each stands
// for. A name used before its equ or data label is defined takes another
// pass over the source (parser.go). Labels in data sections become GLOBL
// symbols with their DATA, laid out as NASM lays out a section.
//
// Three shortcuts keep the usual line cheap, each proven to change
// nothing by tests that read the same sources without it: a plain line
// (a mnemonic, registers, numbers, simple memory operands) is read
// straight from its text, without tokens (fastpath.go); the form table
// is matched once for every signature of operands, so that an
// instruction is matched by one look up (matchcache.go); and a plain
// line's spelling, which only the encoder's messages read,
// is made by reading its text again when a message needs it
// (respell.go). ParseFunc hands the statements to the encoder as they
// are read, while nothing read so far could be read otherwise
// (stream.go); Parse returns them all at the end.
package intel
