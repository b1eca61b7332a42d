package repl

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/trampoline"
)

// Source writes the session's entries as one source file in syntax syn
// (asm.SyntaxGo or asm.SyntaxIntel) that jitrun run runs as a function:
// it starts as the session did (RDI at a scratch area of ScratchSize
// bytes, the stack 16-byte aligned), runs every entry in order and
// returns with the registers the session has, but for those that hold
// addresses of the session's stack and scratch area (which the file's
// own are not at). In it:
//
//   - a line or block of code is written as typed; one typed in the other
//     syntax, or one that defines a label an earlier entry defined, as
//     its bytes (db, or BYTE) under its text as comments;
//   - a .set is the instruction that sets the register (mov, push and
//     popfq, movdqu from a constant);
//   - a .load, and code that stopped at an INT3 of its own, is the
//     registers it changed, set the same way;
//   - a line that faulted, timed out or was refused is a comment.
//
// Lines Undo took back are not in it. A session whose oldest entries
// were dropped (MaxEntries, MaxEntryBytes) cannot be written.
func (s *Session) Source(syn asm.Syntax) ([]byte, error) {
	if err := checkSyntax(syn); err != nil {
		return nil, err
	}
	if s.truncated {
		return nil, fmt.Errorf("the session is longer than the %d lines or %d MiB it keeps: its start is gone (.reset starts a new one)", MaxEntries, MaxEntryBytes>>20)
	}
	w := &sourceWriter{syn: syn, labels: map[string]bool{}}
	w.header()
	for _, e := range s.entries {
		w.entry(e)
	}
	w.footer()
	return []byte(w.b.String()), nil
}

// sourceWriter writes Source's file.
type sourceWriter struct {
	syn    asm.Syntax
	b      strings.Builder
	consts []trampoline.XMM // the vector constants of .set, repl_set1…
	labels map[string]bool  // the labels written so far
}

func (w *sourceWriter) intel() bool { return w.syn == asm.SyntaxIntel }

// comment writes a comment line.
func (w *sourceWriter) comment(text string) {
	c := "; "
	if !w.intel() {
		c = "// "
	}
	for _, l := range strings.Split(text, "\n") {
		w.b.WriteString(strings.TrimRight(c+l, " ") + "\n")
	}
}

// inst writes an instruction, indented.
func (w *sourceWriter) inst(format string, args ...any) {
	w.b.WriteString("\t" + fmt.Sprintf(format, args...) + "\n")
}

func (w *sourceWriter) header() {
	w.comment(fmt.Sprintf("A jitrun repl session (%s syntax), written by .save. `jitrun run FILE` runs it and\n"+
		"ends with the registers the session had, but for those that held addresses of its\n"+
		"stack or scratch area. rdi starts at scratch, as in the session.", w.syn))
	if w.intel() {
		w.inst("mov [repl_rsp], rsp         ; the stack pointer to return with")
		w.inst("lea rsp, [rsp-8]            ; the stack 16-byte aligned, as in the session")
		w.inst("lea rdi, [scratch]")
		return
	}
	w.b.WriteString("TEXT repl(SB), NOSPLIT|NOFRAME, $0\n")
	w.inst("MOVQ SP, repl_rsp(SB)       // the stack pointer to return with")
	w.inst("LEAQ -8(SP), SP             // the stack 16-byte aligned, as in the session")
	w.inst("LEAQ scratch(SB), DI")
}

func (w *sourceWriter) footer() {
	if w.intel() {
		w.inst("mov rsp, [repl_rsp]")
		w.inst("ret")
		w.b.WriteString("\nsection .bss\n")
		fmt.Fprintf(&w.b, "scratch: resb %d\n", ScratchSize)
		w.b.WriteString("repl_rsp: resq 1\n")
		if len(w.consts) > 0 {
			w.b.WriteString("section .rodata\n")
			for i, x := range w.consts {
				fmt.Fprintf(&w.b, "repl_set%d: dq %#x, %#x\n", i+1, x.Lo, x.Hi)
			}
		}
		return
	}
	w.inst("MOVQ repl_rsp(SB), SP")
	w.inst("RET")
	w.b.WriteString("\n")
	fmt.Fprintf(&w.b, "GLOBL scratch(SB), NOPTR, $%d\n", ScratchSize)
	w.b.WriteString("GLOBL repl_rsp(SB), NOPTR, $8\n")
	for i, x := range w.consts {
		fmt.Fprintf(&w.b, "DATA repl_set%d+0(SB)/8, $%#x\n", i+1, x.Lo)
		fmt.Fprintf(&w.b, "DATA repl_set%d+8(SB)/8, $%#x\n", i+1, x.Hi)
		fmt.Fprintf(&w.b, "GLOBL repl_set%d(SB), RODATA|NOPTR, $16\n", i+1)
	}
}

func (w *sourceWriter) entry(e Entry) {
	switch {
	case e.Failed != "":
		w.comment("did not run (" + firstLine(e.Failed) + "):")
		w.comment(indentLines(e.Text))
	case e.Breakpoint:
		w.comment("stopped at an INT3 of its own; written as the registers it changed:")
		w.comment(indentLines(e.Text))
		for _, rs := range e.Sets {
			w.set(rs)
		}
	case e.Kind == CodeEntry:
		labels := definedLabels(e.Text)
		clash := false
		for _, l := range labels {
			clash = clash || w.labels[l]
		}
		if e.Syntax == w.syn && !clash {
			for _, l := range strings.Split(e.Text, "\n") {
				if isLabelLine(l) {
					w.b.WriteString(strings.TrimSpace(l) + "\n")
				} else {
					w.inst("%s", strings.TrimSpace(l))
				}
			}
			for _, l := range labels {
				w.labels[l] = true
			}
			if w.intel() && sectionDirective.MatchString(e.Text) {
				// What follows is code again, as after the line's own
				// terminator.
				w.b.WriteString("section .text\n")
			}
			return
		}
		why := "typed in " + e.Syntax.String() + " syntax"
		if e.Syntax == w.syn {
			why = "its labels are used above"
		}
		w.comment("as bytes (" + why + "):")
		w.comment(indentLines(e.Text))
		w.bytes(e.Bytes)
	default:
		w.comment(e.Text)
		for _, rs := range e.Sets {
			w.set(rs)
		}
	}
}

// bytes writes machine code as data in the code, 16 bytes a line.
func (w *sourceWriter) bytes(code []byte) {
	for len(code) > 0 {
		n := min(len(code), 16)
		var parts []string
		for _, c := range code[:n] {
			if w.intel() {
				parts = append(parts, fmt.Sprintf("%#02x", c))
			} else {
				parts = append(parts, fmt.Sprintf("BYTE $%#02x", c))
			}
		}
		if w.intel() {
			w.inst("db %s", strings.Join(parts, ", "))
		} else {
			w.inst("%s", strings.Join(parts, "; "))
		}
		code = code[n:]
	}
}

// set writes the instructions that give a register its value.
func (w *sourceWriter) set(rs RegSet) {
	switch rs.Kind {
	case GPR:
		if w.intel() {
			w.inst("mov %s, %#x", rs.Reg, rs.Value)
		} else {
			w.inst("MOVQ $%#x, %s", rs.Value, goRegNames[rs.Reg])
		}
	case Flags:
		if w.intel() {
			w.inst("push %#x", rs.Value)
			w.inst("popfq")
		} else {
			w.inst("PUSHQ $%#x", rs.Value)
			w.inst("POPFQ")
		}
	case Vector:
		w.consts = append(w.consts, rs.XMM)
		n := len(w.consts)
		if w.intel() {
			w.inst("movdqu xmm%d, [repl_set%d]", rs.Index, n)
		} else {
			w.inst("MOVOU repl_set%d(SB), X%d", n, rs.Index)
		}
	}
}

// labelDef matches a label at the start of a line.
var labelDef = regexp.MustCompile(`^\s*([A-Za-z_.$][A-Za-z0-9_.$]*)\s*:`)

// sectionDirective matches an Intel section directive on a line of a
// block (section .data).
var sectionDirective = regexp.MustCompile(`(?im)^\s*(section|segment)\s`)

// definedLabels are the labels a block defines.
func definedLabels(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if m := labelDef.FindStringSubmatch(l); m != nil {
			out = append(out, m[1])
		}
	}
	return out
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func indentLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = "    " + strings.TrimSpace(l)
	}
	return strings.Join(lines, "\n")
}
