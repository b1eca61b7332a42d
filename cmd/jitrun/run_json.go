package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/memview"
	"github.com/jitrun/jitrun/trampoline"
)

// runJSON is the --json document of run, the object issue #4 specifies.
// rax and rdx are signed; rax, rdx and xmm0 are null when the code did
// not return. xmm0 is a number, or the string "NaN", "+Inf" or "-Inf".
//
// The output fields are the supervising parent's (supervise.go): what the
// code wrote to standard output and error, as text when it is UTF-8, in
// base64 when it is not, and how many bytes past the cap were dropped. They
// are absent when jitrun runs in one process (the code's output then went
// to jitrun's own streams). Broken says how jitrun's child died, when it
// did (exit status 5; the registers are then unknown, and null).
type runJSON struct {
	RAX        *int64     `json:"rax"`
	RDX        *int64     `json:"rdx"`
	XMM0       any        `json:"xmm0"`
	Regs       *regsJSON  `json:"regs"`
	Fault      *faultJSON `json:"fault"`
	Timeout    bool       `json:"timeout"`
	DurationNS int64      `json:"duration_ns"`
	// Symbols says where each symbol of a program lives (run_symbols.go);
	// absent for raw machine code.
	Symbols []symbolJSON `json:"symbols,omitempty"`

	// With --trace or --break (run_trace.go): how the trace stopped, its
	// steps and its breakpoint hits (the first maxJSONBreaks; BreaksCut
	// counts the others).
	Stopped   *string            `json:"stopped,omitempty"`
	Steps     *[]json.RawMessage `json:"steps,omitempty"`
	Breaks    *[]breakJSON       `json:"breaks,omitempty"`
	BreaksCut int                `json:"breaks_cut,omitempty"`

	Stdout         *string `json:"stdout,omitempty"`
	StdoutBase64   *string `json:"stdout_base64,omitempty"`
	StdoutCutBytes int64   `json:"stdout_cut_bytes,omitempty"`
	Stderr         *string `json:"stderr,omitempty"`
	StderrBase64   *string `json:"stderr_base64,omitempty"`
	StderrCutBytes int64   `json:"stderr_cut_bytes,omitempty"`
	Broken         string  `json:"broken,omitempty"`

	// MemArgs are the memory arguments after the call (run_memargs.go),
	// Show the --show views (run_show.go).
	MemArgs []memArgJSON    `json:"memargs,omitempty"`
	Show    []memview.Shown `json:"show,omitempty"`
}

// regsJSON is every register, as "0x…" strings (JSON numbers lose
// precision above 2^53). XMM holds xmm0–xmm15, 32 hex digits each, high
// quadword first. RIP is 0 after a return. YMM, ZMM and K are present
// only when the code left some of them set (vecJSON).
type regsJSON struct {
	RAX    string     `json:"rax"`
	RBX    string     `json:"rbx"`
	RCX    string     `json:"rcx"`
	RDX    string     `json:"rdx"`
	RSI    string     `json:"rsi"`
	RDI    string     `json:"rdi"`
	RBP    string     `json:"rbp"`
	RSP    string     `json:"rsp"`
	R8     string     `json:"r8"`
	R9     string     `json:"r9"`
	R10    string     `json:"r10"`
	R11    string     `json:"r11"`
	R12    string     `json:"r12"`
	R13    string     `json:"r13"`
	R14    string     `json:"r14"`
	R15    string     `json:"r15"`
	RIP    string     `json:"rip"`
	RFLAGS string     `json:"rflags"`
	MXCSR  string     `json:"mxcsr"`
	X87CW  string     `json:"x87cw"`
	XMM    [16]string `json:"xmm"`
	// YMM, ZMM and K: the rest of the vector state, when the code left
	// any of it set (run_lanes.go, vecJSON).
	YMM []string `json:"ymm,omitempty"`
	ZMM []string `json:"zmm,omitempty"`
	K   []string `json:"k,omitempty"`
}

// faultJSON is a fault. Offset is the PC's offset in the code (null
// outside it); Access is "read", "write" or "exec" for a page fault, null
// otherwise; Instruction is the instruction at the PC (the INT3 before it
// for a breakpoint) in the listing syntax: outside the code, decoded from
// the memory there when it could be read (an NX fault), else null.
type faultJSON struct {
	Signal      string  `json:"signal"`
	Code        string  `json:"code"`
	Addr        string  `json:"addr"`
	PC          string  `json:"pc"`
	Offset      *int    `json:"offset"`
	Access      *string `json:"access"`
	ErrorCode   uint64  `json:"error_code"`
	Trap        int     `json:"trap"`
	Instruction *string `json:"instruction"`
	// Syscall is the refused system call of a SIGSYS fault.
	Syscall *syscallJSON `json:"syscall,omitempty"`
}

func hexJSON(v uint64) string { return fmt.Sprintf("%#x", v) }

func regsToJSON(r *trampoline.Regs) *regsJSON {
	g := func(reg trampoline.Reg) string { return hexJSON(r.GPR[reg]) }
	j := &regsJSON{
		RAX: g(trampoline.RAX), RBX: g(trampoline.RBX), RCX: g(trampoline.RCX), RDX: g(trampoline.RDX),
		RSI: g(trampoline.RSI), RDI: g(trampoline.RDI), RBP: g(trampoline.RBP), RSP: g(trampoline.RSP),
		R8: g(trampoline.R8), R9: g(trampoline.R9), R10: g(trampoline.R10), R11: g(trampoline.R11),
		R12: g(trampoline.R12), R13: g(trampoline.R13), R14: g(trampoline.R14), R15: g(trampoline.R15),
		RIP: hexJSON(r.RIP), RFLAGS: hexJSON(r.RFLAGS), MXCSR: hexJSON(uint64(r.MXCSR)), X87CW: hexJSON(uint64(r.X87CW)),
	}
	for i, x := range r.XMM {
		j.XMM[i] = fmt.Sprintf("0x%016x%016x", x.Hi, x.Lo)
	}
	vecJSON(r, j)
	return j
}

// floatJSON is a float64 as JSON takes it: a number, or a string for the
// values JSON has no number for.
func floatJSON(f float64) any {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	return f
}

// writeRunJSON prints the outcome as one JSON object.
func writeRunJSON(w io.Writer, r *report, out *outcome) error {
	return writeJSON(w, runDocument(r, out))
}

// runDocument is the JSON object of the outcome.
func runDocument(r *report, out *outcome) runJSON {
	doc := runJSON{Regs: regsToJSON(&out.regs), DurationNS: out.duration.Nanoseconds(), MemArgs: r.memArgsJSON(), Symbols: r.symbolsJSON()}
	if len(r.views) > 0 {
		doc.Show = r.renderViews(&out.regs)
	}
	switch {
	case out.fault != nil:
		f := out.fault
		fj := &faultJSON{
			Signal: f.SignalName(), Code: f.CodeName(), Addr: hexJSON(uint64(f.Addr)), PC: hexJSON(uint64(f.PC)),
			ErrorCode: f.ErrorCode, Trap: f.Trap, Syscall: syscallToJSON(f.Syscall),
		}
		if off, ok := f.Offset(); ok {
			o := int(off)
			fj.Offset = &o
		}
		if pf, ok := f.PageFault(); ok {
			a := "read"
			switch {
			case pf.InstructionFetch():
				a = "exec"
			case pf.Write():
				a = "write"
			}
			fj.Access = &a
		}
		pc := r.x.FaultPC(f)
		if in := r.x.Instruction(pc); in != "" {
			fj.Instruction = &in
		} else if out := r.outsideRow(pc, f); out.Text != "" {
			fj.Instruction = &out.Text
		}
		doc.Fault = fj
	case out.intr != nil:
		doc.Timeout = true
	default:
		rax, rdx := int64(out.res.RAX), int64(out.res.RDX)
		doc.RAX, doc.RDX = &rax, &rdx
		doc.XMM0 = floatJSON(out.res.Float64())
	}
	return doc
}

// writeJSON prints v as every JSON document of jitrun is printed: indented
// by two spaces, with <, > and & as they are.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// errorsJSON is what run --json prints for source that does not assemble.
type errorsJSON struct {
	Errors []errorJSON `json:"errors"`
}

type errorJSON struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Message string `json:"message"`
}

// writeErrorsJSON prints the assembly errors in err as JSON and returns a
// silent status 2; any other error it returns as it is, for main to
// print.
func writeErrorsJSON(w io.Writer, err error) error {
	var list asm.ErrorList
	if !errors.As(err, &list) {
		return err
	}
	doc := errorsJSON{Errors: []errorJSON{}}
	for _, e := range list {
		doc.Errors = append(doc.Errors, errorJSON{File: e.Pos.File, Line: e.Pos.Line, Col: e.Pos.Col, Message: e.Msg})
	}
	if err := writeJSON(w, doc); err != nil {
		return systemError("%v", err)
	}
	return silentExit(exitInput)
}
