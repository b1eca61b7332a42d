package asm

// Linking jitrun's I/O library (internal/iolib): routines a program may
// call to print and read numbers and strings (print_int, read_line, …),
// written once in Go-syntax assembly and embedded in the binary. When the
// program, in either syntax, refers to a name it does not define and that
// names a routine of the library (CALL print_int(SB), call print_int, lea
// rax, [rel print_str]), the encoder parses the library into statements as
// any source and places that routine, and the routines it calls, as TEXT
// blocks after the program's code, before the layout: they get symbols, a
// listing and line numbers of their own file (iolib/print.s). A program
// that defines the name (a label or a TEXT block print_int) keeps its own,
// and a program that names no routine gets no byte of the library.

import (
	"slices"

	"github.com/jitrun/jitrun/asm/internal/gosyntax"
	"github.com/jitrun/jitrun/asm/internal/iolib"
	"github.com/jitrun/jitrun/asm/internal/ir"
)

// LibRoutine documents one routine of jitrun's I/O library, which a
// program may call without defining it: the encoder then links it in (see
// the package doc). Registers are named as in Intel syntax.
type LibRoutine struct {
	Name     string // the symbol: print_int
	Summary  string // what it does, in one line
	Args     string // the argument registers ("rdi, rsi"); "" for none
	Result   string // what comes back, by register; "" for nothing
	Clobbers string // the registers it may change besides its result, all caller-saved under System V
}

// Library returns the routines of jitrun's I/O library, in the order help
// lists them. Each writes to standard output (fd 1) or reads standard
// input (fd 0) with the write and read system calls, follows the System V
// calling convention (arguments in rdi, rsi; the result in rax; it keeps
// rbx, rbp, r12-r15 and rsp) and expects the stack as a CALL leaves it.
func Library() []LibRoutine {
	var out []LibRoutine
	for _, r := range iolib.Routines() {
		out = append(out, LibRoutine(r))
	}
	return out
}

// IsLibFile reports whether name, the file of a position, is a source of
// the I/O library (iolib/print.s) rather than the program's own.
func IsLibFile(name string) bool {
	for _, f := range iolib.Files() {
		if f.Name == name {
			return true
		}
	}
	return false
}

// isLibRoutine reports whether name is a public routine of the library,
// one a program may call.
func isLibRoutine(name string) bool { return iolib.IsRoutine(name) }

// libBlock is one TEXT block of the library: its statements and the
// library symbols it refers to.
type libBlock struct {
	stmts []ir.Stmt
	refs  []string
}

// parseLibrary parses the library sources into their TEXT blocks, by
// name. The sources are this package's own: an error in them is a bug,
// returned as the errors.
func parseLibrary() (map[string]*libBlock, *ir.Errors) {
	blocks := map[string]*libBlock{}
	var cur *libBlock
	for _, f := range iolib.Files() {
		errs := gosyntax.ParseFunc(f.Name, f.Src, func(st ir.Stmt) bool {
			if t, ok := st.(*ir.TextDef); ok {
				cur = &libBlock{}
				blocks[t.Name] = cur
			}
			if cur != nil {
				cur.stmts = append(cur.stmts, st)
			}
			return false // the statements are kept
		}, nil)
		if errs.Len() > 0 {
			return nil, errs
		}
	}
	for _, b := range blocks {
		for _, st := range b.stmts {
			in, ok := st.(*ir.Inst)
			if !ok {
				continue
			}
			for _, a := range in.Args {
				if _, isBlock := blocks[a.Sym]; isBlock && !a.Static && !slices.Contains(b.refs, a.Sym) {
					b.refs = append(b.refs, a.Sym)
				}
			}
		}
	}
	return blocks, nil
}

// link places the library routines the program refers to and does not
// define, and the routines they call, after the program's last function
// (see the top of this file). It runs once the program is placed.
func (e *encoder) link() {
	e.flush() // the references of queued instructions are known once encoded
	var want []string
	for _, b := range e.branches {
		if b.op.Sym != "" && !b.op.Static {
			want = e.wantLib(want, b.fn, b.op.Sym)
		}
	}
	for i := range e.relocs {
		if r := &e.relocs[i]; !r.sym.Static {
			want = e.wantLib(want, r.fn, r.sym.Name)
		}
	}
	if len(want) == 0 {
		return
	}
	blocks, errs := parseLibrary()
	if errs != nil {
		for _, err := range errs.List() {
			e.errorf(err.Pos, "jitrun's I/O library: %s", err.Msg)
		}
		return
	}
	// The routines wanted and those they call, each once, in the order
	// first wanted.
	for i := 0; i < len(want); i++ {
		for _, ref := range blocks[want[i]].refs {
			if _, defined := e.texts[ir.SymRef{Name: ref}]; !defined && !slices.Contains(want, ref) {
				want = append(want, ref)
			}
		}
	}
	// One INT3 between the program's code and the library: code that
	// runs past its end (a missing RET) stops there, as it stops in the
	// padding of a program without the library, instead of running the
	// first routine (Program.LibraryGuard).
	e.libGuard = e.newCode([]byte{0xCC}) + 1
	e.libFirstInst = len(e.insts)
	for _, name := range want {
		for _, st := range blocks[name].stmts {
			e.place(st)
		}
	}
	e.endFunc()
}

// wantLib adds name to want when it names a public library routine that
// a reference from function fn cannot reach in the program: not a label
// of fn, not a TEXT or GLOBL symbol.
func (e *encoder) wantLib(want []string, fn funcID, name string) []string {
	if !isLibRoutine(name) || slices.Contains(want, name) {
		return want
	}
	ref := ir.SymRef{Name: name}
	if _, ok := e.texts[ref]; ok {
		return want
	}
	if _, ok := e.datas[ref]; ok {
		return want
	}
	if fn != noFunc {
		if _, ok := e.funcs[fn].labels[name]; ok {
			return want
		}
	}
	return append(want, name)
}

// instLimit is the end (an index in insts) of the instructions an N(PC)
// branch at piece at may reach: the program's own instructions, not the
// library's linked after them.
func (e *encoder) instLimit(at pieceID) int {
	if e.libFirstInst > 0 && e.instIndex(at) < e.libFirstInst {
		return e.libFirstInst
	}
	return len(e.insts)
}
