// Package ir is the statement IR every stage of the assembler shares: the
// text front ends (Go syntax, Intel syntax) and the Builder produce it, the
// encoder consumes it. It holds plain values only: positions and errors
// (Pos, Error, ErrorList and the Errors sink a pass collects them in),
// statements (Inst, LabelDef, TextDef, GloblDef, DataDef, BytesDef,
// AlignDef), operands in Go order (sources first, destination last),
// registers with their Go and Intel names, the Go-syntax formatting of
// operands for listings and messages, and the Speller that names an
// instruction in the syntax it was written in (from a Spelling its front
// end recorded, or made when a message needs it: LazySpelling).
//
// Package asm re-exports the public part of this IR under its own names
// (asm.Inst is ir.Inst); what is unexported here (a statement marked broken
// by its front end, an Intel instruction's spelling) is reached by the
// other stages only through this package's functions, so that it stays out
// of asm's public surface.
package ir
