package main

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/disasm"
	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/explain"
	"github.com/jitrun/jitrun/memview"
	"github.com/jitrun/jitrun/trampoline"
)

// report turns the outcome of a call into words. It knows the code, where
// it was loaded, the file of --map and the registers the code started with.
type report struct {
	rc     *runnable
	blk    *execmem.Block
	mapped *mappedFile
	entry  trampoline.Regs
	mem    *memArgs       // memory arguments (run_memargs.go)
	views  []memview.View // --show (run_show.go)

	// floatArgs is set when a float argument was passed in xmm0.
	floatArgs bool

	// x says where addresses lie and what faults are (package explain).
	x *explain.Context

	// vec is how vector registers are shown (--lanes, run_lanes.go).
	vec regView
}

// newReport is the report of a call of the code rc loaded in blk, with
// the --map file and the arguments.
func newReport(rc *runnable, blk *execmem.Block, mapped *mappedFile, ca *callArgs) *report {
	x := &explain.Context{Code: rc.code, Base: uint64(blk.Addr()), Cap: blk.Cap(), Program: rc.prog, Syntax: rc.syntax}
	if mapped != nil {
		x.Files = []explain.File{{Name: mapped.name, Addr: uint64(mapped.m.Addr()), Len: mapped.m.Len(), Size: mapped.size}}
	}
	return &report{rc: rc, blk: blk, mapped: mapped, mem: ca.mem, entry: trampoline.EntryRegs(&ca.args), floatArgs: ca.nFloat > 0, x: x}
}

// addr is the address the call starts at.
func (r *report) addr() uintptr { return r.blk.Addr() + uintptr(r.rc.entry) }

// base is the address of the first byte of the code.
func (r *report) base() uint64 { return uint64(r.blk.Addr()) }

// stackWhere says where RSP lies. After a return or a timeout RSP is on
// the call's stack (the trampoline only hands back a call whose RSP it
// knows), which /proc/self/maps shows as an anonymous read+write mapping
// between two guard regions.
func (r *report) stackWhere(rsp uint64, f *trampoline.Fault) string {
	if f != nil {
		return r.x.Where(rsp, f)
	}
	if reg, ok := r.x.Region(rsp); ok && reg.Path == "" && reg.Prot == execmem.ProtRW {
		return fmt.Sprintf("on the call's stack %#x-%#x (%s)", reg.Start, reg.End, formatSize(int(reg.End-reg.Start)))
	}
	return r.x.Where(rsp, nil)
}

// formatInt shows a register as a signed decimal and hex, and as text when
// its bytes (little-endian) are printable ASCII: the CPUID vendor string.
func formatInt(v uint64) string {
	if s, ok := asciiOf(v); ok {
		return fmt.Sprintf("%d (%#x, %q)", int64(v), v, s)
	}
	return fmt.Sprintf("%d (%#x)", int64(v), v)
}

// asciiOf returns the bytes of v in memory order when there are at least
// four and all are printable ASCII (zero bytes at the top are ignored).
func asciiOf(v uint64) (string, bool) {
	var b []byte
	for ; v != 0; v >>= 8 {
		c := byte(v)
		if c < 0x20 || c > 0x7e {
			return "", false
		}
		b = append(b, c)
	}
	return string(b), len(b) >= 4
}

// formatFloat shows the low 64 bits of an XMM register as the float it
// most likely holds: a float32 when the upper 32 bits are zero (and the
// lower are not), a float64 otherwise.
func formatFloat(lo uint64) string {
	if lo>>32 == 0 && lo != 0 {
		f := math.Float32frombits(uint32(lo))
		return fmt.Sprintf("%s (float32 %#x)", strconv.FormatFloat(float64(f), 'g', -1, 32), lo)
	}
	return fmt.Sprintf("%s (float64 %#x)", strconv.FormatFloat(math.Float64frombits(lo), 'g', -1, 64), lo)
}

// writeResult prints rax; rdx when the code changed it; xmm0 when the
// code changed it, when a float argument was passed, or when the code
// names xmm0 (a float result equal to its argument is still a result).
// One per line, each line starting with indent.
func (r *report) writeResult(b *strings.Builder, res trampoline.Result, indent string) {
	fmt.Fprintf(b, "%srax = %s\n", indent, formatInt(res.RAX))
	if res.RDX != r.entry.GPR[trampoline.RDX] {
		fmt.Fprintf(b, "%srdx = %s\n", indent, formatInt(res.RDX))
	}
	if res.X0 != r.entry.XMM[0].Lo || r.floatArgs || r.namesXMM0() {
		fmt.Fprintf(b, "%sxmm0 = %s\n", indent, formatFloat(res.X0))
	}
}

// xmm0Name matches xmm0, ymm0 and zmm0 in an Intel-syntax instruction.
var xmm0Name = regexp.MustCompile(`\b[xyz]mm0\b`)

// namesXMM0 reports whether an instruction of the code (not its data)
// names xmm0, ymm0 or zmm0: float code, whose result is in xmm0.
func (r *report) namesXMM0() bool {
	opts := r.x.ListingOptions()
	opts.Syntax, opts.Source = asm.SyntaxIntel, false
	for _, row := range disasm.Decode(r.rc.code, opts) {
		if !row.Data && !row.Bad && xmm0Name.MatchString(row.Text) {
			return true
		}
	}
	return false
}

// gprOrder is the order registers are listed in, as debuggers do.
var gprOrder = []trampoline.Reg{
	trampoline.RAX, trampoline.RBX, trampoline.RCX, trampoline.RDX,
	trampoline.RSI, trampoline.RDI, trampoline.RBP, trampoline.RSP,
	trampoline.R8, trampoline.R9, trampoline.R10, trampoline.R11,
	trampoline.R12, trampoline.R13, trampoline.R14, trampoline.R15,
}

// rflagsBits are the arithmetic and direction flags, decoded one by one.
var rflagsBits = []struct {
	name string
	bit  uint
}{{"CF", 0}, {"PF", 2}, {"AF", 4}, {"ZF", 6}, {"SF", 7}, {"DF", 10}, {"OF", 11}}

// otherFlags are the system flags named when set.
var otherFlags = []struct {
	name string
	bit  uint
}{{"TF", 8}, {"IF", 9}, {"NT", 14}, {"RF", 16}, {"AC", 18}, {"ID", 21}}

// decodeFlags writes CF=0 PF=1 … OF=0, then the other flags that are set.
func decodeFlags(v uint64) string {
	var parts []string
	for _, f := range rflagsBits {
		parts = append(parts, fmt.Sprintf("%s=%d", f.name, v>>f.bit&1))
	}
	var set []string
	for _, f := range otherFlags {
		if v>>f.bit&1 != 0 {
			set = append(set, f.name)
		}
	}
	s := strings.Join(parts, " ")
	if len(set) > 0 {
		s += " (" + strings.Join(set, " ") + ")"
	}
	return s
}

// writeRegs lists every general-purpose register, RFLAGS decoded, the
// vector and opmask registers that are not zero or were changed
// (writeVecRegs), MXCSR and the x87
// control word. A * marks what differs from the registers the code
// started with (RSP aside: it is the call's stack). stopped adds RIP,
// for a fault or a timeout.
func (r *report) writeRegs(b *strings.Builder, regs *trampoline.Regs, stopped bool, f *trampoline.Fault) {
	mark := func(changed bool) string {
		if changed {
			return "*"
		}
		return " "
	}
	for _, reg := range gprOrder {
		v := regs.GPR[reg]
		switch {
		case reg == trampoline.RSP:
			fmt.Fprintf(b, "  %-6s 0x%016x  %s\n", reg, v, r.stackWhere(v, f))
		case v == 0:
			fmt.Fprintf(b, "%s %-6s 0x%016x\n", mark(v != r.entry.GPR[reg]), reg, v)
		default:
			fmt.Fprintf(b, "%s %-6s 0x%016x  %d\n", mark(v != r.entry.GPR[reg]), reg, v, int64(v))
		}
	}
	if stopped {
		fmt.Fprintf(b, "  %-6s 0x%016x  %s\n", "rip", regs.RIP, r.x.Where(regs.RIP, f))
	}
	fmt.Fprintf(b, "%s %-6s 0x%016x  %s\n", mark(regs.RFLAGS != r.entry.RFLAGS), "rflags", regs.RFLAGS, decodeFlags(regs.RFLAGS))
	r.writeVecRegs(b, regs, mark)
	// The exception flags (bits 0-5) of MXCSR are sticky and may be set
	// by Go's own float code before the call: only the control bits count
	// as a change.
	fmt.Fprintf(b, "%s %-6s %#x\n", mark(regs.MXCSR&^0x3f != r.entry.MXCSR&^0x3f), "mxcsr", regs.MXCSR)
	fmt.Fprintf(b, "%s %-6s %#x\n", mark(regs.X87CW != r.entry.X87CW), "x87cw", regs.X87CW)
}

// maxListingRows is how long a fault's listing may be before it is cut
// to the lines around the marked instruction.
const maxListingRows = 40

// listingContext is how many lines a cut listing keeps on each side of
// the marked one.
const listingContext = 12

// writeListing prints the listing of the code, with the row at mark
// marked when hasMark is set (and cut to the lines around it when long).
// The cut counts the lines printed, a run of rows alike folded into one
// (the INT3 padding up to the data's page), so that the data after the
// padding stays in view.
func (r *report) writeListing(b *strings.Builder, mark uint64, hasMark bool) {
	opts := r.x.ListingOptions()
	opts.Mark, opts.HasMark = mark, hasMark
	var full strings.Builder
	disasm.Write(&full, disasm.Decode(r.rc.code, opts), r.rc.syntax)
	lines := strings.SplitAfter(strings.TrimSuffix(full.String(), "\n"), "\n")
	if !hasMark || len(lines) <= maxListingRows {
		b.WriteString(full.String())
		return
	}
	at := 0
	for i, l := range lines {
		if strings.HasPrefix(l, "=>") {
			at = i
		}
	}
	lo, hi := max(0, at-listingContext), min(len(lines), at+listingContext+1)
	if lo > 0 {
		fmt.Fprintf(b, "   … %d rows before\n", lo)
	}
	b.WriteString(strings.Join(lines[lo:hi], ""))
	if !strings.HasSuffix(lines[hi-1], "\n") {
		b.WriteByte('\n')
	}
	if hi < len(lines) {
		fmt.Fprintf(b, "   … %d rows after\n", len(lines)-hi)
	}
}

// outsideRow is the listing row of a fault's pc outside the code, decoded
// from the bytes the fault found there (Fault.Text); its Outside is false
// for a pc in the code or in the INT3 padding after it, which the listing
// of the code covers.
func (r *report) outsideRow(pc uint64, f *trampoline.Fault) disasm.Row {
	if _, in := r.x.OffsetOf(pc); in || r.x.InPadding(pc) || pc != uint64(f.PC) {
		return disasm.Row{}
	}
	return disasm.Outside(r.rc.code, pc, f.Text, r.x.ListingOptions())
}

// writeOutsideListing prints the code's listing with out, the marked row
// of a pc outside it: before the code when the pc is below it, after it
// otherwise. Of a long listing it keeps the lines next to the marked one
// (a run of rows alike folded into one line, as writeListing counts).
func (r *report) writeOutsideListing(b *strings.Builder, out disasm.Row) {
	rows := disasm.Decode(r.rc.code, r.x.ListingOptions())
	before := out.Addr < r.base()
	if before {
		rows = append([]disasm.Row{out}, rows...)
	} else {
		rows = append(rows, out)
	}
	var full strings.Builder
	disasm.Write(&full, rows, r.rc.syntax)
	lines := strings.SplitAfter(strings.TrimSuffix(full.String(), "\n"), "\n")
	// Kept: the marked row and 2·listingContext rows of the code on one
	// side, with the label lines among them.
	keep, kept := 0, 0
	for kept < 2*listingContext+1 && keep < len(lines) {
		l := lines[len(lines)-1-keep]
		if before {
			l = lines[keep]
		}
		if !strings.HasSuffix(strings.TrimSuffix(l, "\n"), ":") {
			kept++
		}
		keep++
	}
	switch {
	case len(lines) <= maxListingRows:
		b.WriteString(full.String())
	case before:
		b.WriteString(strings.Join(lines[:keep], ""))
		fmt.Fprintf(b, "   … %d rows after\n", len(lines)-keep)
	default:
		fmt.Fprintf(b, "   … %d rows before\n", len(lines)-keep)
		b.WriteString(strings.Join(lines[len(lines)-keep:], ""))
		if !strings.HasSuffix(lines[len(lines)-1], "\n") {
			b.WriteByte('\n')
		}
	}
}

// writeCodeHeader prints the lines above --disasm's listing: the code's
// size, address and entry point, and for a program with data where each
// symbol lives (run_symbols.go).
func (r *report) writeCodeHeader(b *strings.Builder) {
	fmt.Fprintf(b, "%s: %d bytes at %#x, called at %s\n", r.rc.name, len(r.rc.code), r.base(), r.x.SymOff(r.rc.entry))
	r.writeSymbols(b)
}

// writeSignalLines prints a fault's signal line, then its CPU exception,
// or for a refused system call the call (which raises no exception): the
// lines run's and repl's fault reports share.
func writeSignalLines(b *strings.Builder, f *trampoline.Fault) {
	fmt.Fprintf(b, "  %-10s %s\n", "signal", explain.SignalLine(f))
	if f.Syscall != nil {
		writeSyscallLine(b, f.Syscall) // run_syscalls.go
	} else {
		fmt.Fprintf(b, "  %-10s %s\n", "exception", explain.ExceptionLine(f))
	}
}

// writeFault prints the report of a fault: what happened in one line, the
// signal, the CPU exception and its error code, the PC and the address and
// where they lie, the listing with the faulting instruction marked, and
// the registers.
func (r *report) writeFault(b *strings.Builder, f *trampoline.Fault) {
	pc := r.x.FaultPC(f)
	fmt.Fprintf(b, "fault: %s\n", r.faultHeadline(f))
	writeSignalLines(b, f)
	out := r.outsideRow(pc, f) // decoded once, for the pc line and the listing
	pcLine := fmt.Sprintf("%#x  %s", pc, r.x.Where(pc, f))
	if uint64(f.PC) != pc {
		before := "INT3"
		if f.Syscall != nil {
			before = "system call"
		}
		pcLine = fmt.Sprintf("%#x  %s, the %s before pc %#x", pc, r.x.Where(pc, f), before, f.PC)
	}
	if in := r.x.Instruction(pc); in != "" {
		pcLine += ": " + in
	} else if out.Text != "" {
		pcLine += ": " + out.Text
	}
	fmt.Fprintf(b, "  %-10s %s\n", "pc", pcLine)
	switch {
	case f.Addr == 0 && f.Trap != 14:
		if f.Signal == syscall.SIGSEGV || f.Signal == syscall.SIGBUS {
			fmt.Fprintf(b, "  %-10s none: the kernel reports no address for this exception\n", "address")
		}
	case f.Signal == syscall.SIGSEGV || f.Signal == syscall.SIGBUS:
		fmt.Fprintf(b, "  %-10s %#x  %s\n", "address", f.Addr, r.x.Where(uint64(f.Addr), f))
	}
	if _, ok := r.x.OffsetOf(pc); ok {
		b.WriteString("\nlisting (=> the faulting instruction):\n")
		r.writeListing(b, pc, true)
	} else if !out.Outside {
		b.WriteString("\nlisting (the pc is outside the code):\n")
		r.writeListing(b, 0, false)
	} else {
		b.WriteString("\nlisting (=> the faulting instruction, outside the code):\n")
		r.writeOutsideListing(b, out)
	}
	b.WriteString("\nregisters at the fault (* changed by the code):\n")
	r.writeRegs(b, &f.Regs, true, f)
}

// writeTimeout prints the report of a call stopped by its timeout.
func (r *report) writeTimeout(b *strings.Builder, it *trampoline.Interrupted, d time.Duration) {
	pc := uint64(it.PC)
	if pc == 0 {
		fmt.Fprintf(b, "timeout: %v passed before the code started (is the machine busy?); nothing ran\n", d)
		return
	}
	fmt.Fprintf(b, "timeout: the code was still running after %v and was stopped at %s\n", d, r.x.ShortWhere(pc))
	pcLine := fmt.Sprintf("%#x  %s", pc, r.x.Where(pc, nil))
	if in := r.x.Instruction(pc); in != "" {
		pcLine += ": " + in
	}
	fmt.Fprintf(b, "  %-10s %s\n", "pc", pcLine)
	if _, ok := r.x.OffsetOf(pc); ok {
		b.WriteString("\nlisting (=> where it was stopped):\n")
		r.writeListing(b, pc, true)
	}
	b.WriteString("\nregisters where it was stopped (* changed by the code):\n")
	r.writeRegs(b, &it.Regs, true, nil)
}

// faultHeadline is a fault in one line, as every report of one starts:
// the signal, where the faulting instruction is, and what it did.
func (r *report) faultHeadline(f *trampoline.Fault) string {
	return fmt.Sprintf("%s at %s: %s", f.SignalName(), r.x.ShortWhere(r.x.FaultPC(f)), r.meaning(f))
}

// meaning says in words what the fault is (package explain), with, for
// a refused system call, how to let it run.
func (r *report) meaning(f *trampoline.Fault) string {
	if f.Syscall != nil {
		return r.x.Fault(f) + syscallHint(f.Syscall)
	}
	return r.x.Fault(f)
}
