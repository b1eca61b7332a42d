package disasm

import (
	"bytes"
	"fmt"

	"github.com/jitrun/jitrun/asm"
)

// Options say what a block of code is and how to show it. The zero value
// lists code at address 0 in Go syntax.
type Options struct {
	// Syntax selects Go, Intel or GNU (AT&T) syntax.
	Syntax asm.Syntax
	// Base is the run-time address of the first byte of the code. Addresses
	// past the top of the address space wrap around.
	Base uint64
	// Program, when set, describes the code: its symbols, labels and
	// source lines, with offsets into the code being listed (usually
	// Program.Code itself). Data symbols are shown as data rows, symbols
	// and labels as "name:" lines and as branch targets. Entries past the
	// end of the code are ignored.
	Program *asm.Program
	// Source fills Row.Pos and Row.Source from Program.Lines, and shows
	// each source line beside its first instruction in the listing.
	Source bool
	// Mark, when HasMark is set, is an address to flag with "=>" (a
	// faulting PC). Decoding restarts at Mark if an instruction before it
	// would run over it, so the marked row starts exactly there: the CPU
	// was there, whatever a linear sweep from the start says. A Mark
	// outside the code marks no row: Outside makes one for it.
	Mark    uint64
	HasMark bool
}

// Row is one line of a listing: one instruction, one value of data (1, 2,
// 4 or 8 bytes), or bytes that are not an instruction (one byte, or a whole
// instruction the decoder is known to get wrong). Rows are plain values,
// ready to be turned into JSON.
type Row struct {
	Addr   uint64 // run-time address of the first byte
	Offset int    // offset of the first byte in the code
	Bytes  []byte // the bytes (a copy)
	// Text is the instruction in the chosen syntax, or for Data and Bad
	// rows a data directive that reproduces the bytes (.quad 0x…,
	// QUAD $0x…; .byte/BYTE for single bytes). It never carries
	// addresses, bytes or comments: an assembler of the syntax takes it
	// back as the same instruction, though not always as the same bytes
	// (where an instruction has several encodings the assembler picks its
	// own: add eax, ecx of 03 c1 comes back as 01 c8).
	Text string
	// Asm, when set, is the row as WriteAsm writes it instead of Text:
	// byte directives with Text in a comment (.byte 0xd1, 0xf4  # sal
	// esp, 0x1). It is set where no text that jitrun's assembler of the
	// syntax reads gives these bytes back: an undocumented alias encoding,
	// movabs, addr32, an FS or GS operand in Go syntax; Note says why.
	Asm string
	// Symbol is the nearest symbol or label at or before Addr, and
	// SymOffset how far Addr is past it. Symbol is empty (and SymOffset
	// equals Offset) when none comes before the row.
	Symbol    string
	SymOffset int
	// Labels are the symbols and labels that start at Addr, symbols
	// first: the listing shows each as a "name:" line before the row.
	// Branch targets in code without a Program get generated labels
	// named loc_ADDR.
	Labels []string
	// Data marks bytes of a data symbol, or padding after the last
	// function: shown as data, never decoded as code.
	Data bool
	// Bad marks bytes that do not decode as an instruction (or that the
	// decoder is known to get wrong); Note says why. Note also says why
	// an instruction has an Asm text.
	Bad  bool
	Note string
	// Marked is set on the row that contains Options.Mark.
	Marked bool
	// Outside marks the row Outside makes for an address outside the
	// code; its Offset is -1.
	Outside bool
	// Target is the address a branch goes to, or a RIP-relative memory
	// operand refers to, when HasTarget is set.
	Target    uint64
	HasTarget bool
	// Pos and Source are the source line that produced the row (with
	// Options.Source and a Program that has a line for it).
	Pos    asm.Pos
	Source string
}

// End reports whether the row is the end marker: no bytes, only the
// labels that sit at the very end of the code (a `done:` after the last
// instruction).
func (r Row) End() bool { return len(r.Bytes) == 0 && !r.Outside }

// Decode lists code: every byte of it lands in exactly one row, in order
// (followed by an End row when labels sit at the very end). It never fails
// and never loops: a byte that does not decode becomes a Bad row of its
// own, and the sweep goes on at the next.
func Decode(code []byte, opts Options) []Row {
	return newBlock(code, opts).rows()
}

// At returns the instruction at address pc as the CPU fetches it: decoded
// at pc even when pc is inside a data region or inside what a linear sweep
// would call another instruction. Branch targets and labels are named as
// in the listing of the same code. Its Text is the "instruction" a fault
// report shows. It fails only when pc is outside the code.
func At(code []byte, pc uint64, opts Options) (Row, error) {
	off := pc - opts.Base
	if len(code) == 0 || off >= uint64(len(code)) {
		return Row{}, fmt.Errorf("disasm: address %#x is outside the code (%s)", pc, span(opts.Base, len(code)))
	}
	opts.Mark, opts.HasMark = pc, true
	b := newBlock(code, opts)
	rows := b.rows()
	for _, r := range rows {
		if r.Marked && r.Offset == int(off) && !r.Data {
			return r, nil
		}
	}
	// pc is inside a data region: decode it as code all the same.
	d := decodeAt(code[off:min(off+maxInstLen, uint64(len(code)))])
	r := b.row(item{off: int(off), n: d.n, note: d.note})
	r.Marked = true
	return r, nil
}

// Outside returns the row a listing shows for pc when pc lies outside the
// code: where a jump or call out of it left the CPU (code run from the
// stack or from data, which an NX fault stops; a call through a bad
// pointer). A listing puts it before the rows of the code when pc is below
// Options.Base, after them otherwise. mem is the memory at pc as far as the
// caller could read it (the instruction is at most 15 bytes): disasm reads
// no memory itself. The row is Marked and Outside, and holds the
// instruction decoded from mem, a branch into the code named as in the
// listing of the code; or when mem is empty, no bytes and no text. Its
// Note says that pc is outside the code. For a pc inside the code after
// all, Outside returns what At does.
func Outside(code []byte, pc uint64, mem []byte, opts Options) Row {
	r := Row{Addr: pc, Offset: -1, Marked: true, Outside: true}
	if off := pc - opts.Base; off < uint64(len(code)) {
		// Inside after all: the listing marks it.
		r, _ = At(code, pc, opts)
		return r
	}
	if len(mem) == 0 {
		r.Note = "the pc is outside the code, in memory the caller could not read"
		return r
	}
	// Decode mem on its own, at pc, with the names of the code.
	mem = mem[:min(len(mem), maxInstLen)]
	d := decodeCut(mem, "the memory read")
	r.Bytes = bytes.Clone(mem[:d.n])
	b := newBlock(code, opts)
	b.describe(&r, d, int(pc-b.base))
	if r.Note == "" {
		r.Note = "the pc is outside the code"
	} else {
		r.Note = "the pc is outside the code; " + r.Note
	}
	return r
}

// Listing returns the text listing of code: Decode, then Write.
func Listing(code []byte, opts Options) string {
	var s stringWriter
	_ = Write(&s, Decode(code, opts), opts.Syntax)
	return string(s)
}

type stringWriter []byte

func (s *stringWriter) Write(p []byte) (int, error) {
	*s = append(*s, p...)
	return len(p), nil
}

// span describes the address range of n bytes at base.
func span(base uint64, n int) string {
	if n == 0 {
		return "no bytes"
	}
	return fmt.Sprintf("%#x-%#x", base, base+uint64(n)-1)
}
