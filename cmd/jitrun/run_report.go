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
	"github.com/jitrun/jitrun/trampoline"
)

// report turns the outcome of a call into words. It knows the code, where
// it was loaded, the file of --map and the registers the code started with.
type report struct {
	rc     *runnable
	blk    *execmem.Block
	mapped *mappedFile
	entry  trampoline.Regs

	// floatArgs is set when a float argument was passed in xmm0.
	floatArgs bool

	regions    []execmem.Region // /proc/self/maps, read once when needed
	regionsErr error
	haveMaps   bool
}

// newReport is the report of a call of the code rc loaded in blk, with
// the --map file and the arguments.
func newReport(rc *runnable, blk *execmem.Block, mapped *mappedFile, ca *callArgs) *report {
	return &report{rc: rc, blk: blk, mapped: mapped, entry: trampoline.EntryRegs(&ca.args), floatArgs: ca.nFloat > 0}
}

// addr is the address the call starts at.
func (r *report) addr() uintptr { return r.blk.Addr() + uintptr(r.rc.entry) }

// base is the address of the first byte of the code.
func (r *report) base() uint64 { return uint64(r.blk.Addr()) }

// offsetOf returns addr's offset in the code, if it lies in it.
func (r *report) offsetOf(addr uint64) (int, bool) {
	if addr >= r.base() && addr-r.base() < uint64(len(r.rc.code)) {
		return int(addr - r.base()), true
	}
	return 0, false
}

// symOff names an offset in the code: the nearest label or symbol at or
// before it (a label wins over the symbol it starts), "name+0x12"; "+0x12"
// for code without names.
func (r *report) symOff(off int) string {
	best, bestOff := "", -1
	if p := r.rc.prog; p != nil {
		for _, s := range p.Symbols {
			if s.Offset <= off && s.Offset > bestOff {
				best, bestOff = symbolName(s), s.Offset
			}
		}
		for _, l := range p.Labels {
			if l.Offset <= off && l.Offset >= bestOff {
				best, bestOff = l.Name, l.Offset
			}
		}
	}
	if bestOff < 0 {
		return fmt.Sprintf("+%#x", off)
	}
	return fmt.Sprintf("%s+%#x", best, off-bestOff)
}

// region returns the /proc/self/maps line that holds addr.
func (r *report) region(addr uint64) (execmem.Region, bool) {
	if !r.haveMaps {
		r.regions, r.regionsErr = execmem.Maps()
		r.haveMaps = true
	}
	if r.regionsErr != nil {
		return execmem.Region{}, false
	}
	return execmem.FindRegion(r.regions, uintptr(addr))
}

// where says where an address lies: in the code, on the call's stack, in
// its guard pages, in the --map file, or in whatever /proc/self/maps says.
// f, when not nil, gives the stack of the call.
func (r *report) where(addr uint64, f *trampoline.Fault) string {
	in := func(g [2]uintptr) bool { return g[1] > g[0] && addr >= uint64(g[0]) && addr < uint64(g[1]) }
	var s string
	switch off, inCode := r.offsetOf(addr); {
	case inCode:
		s = "in the code (" + r.symOff(off) + ")"
		if r.rc.prog != nil {
			if sym, ok := r.rc.prog.SymbolAt(off); ok && sym.Kind != asm.SymText {
				s = "in the data (" + r.symOff(off) + ")"
			}
		}
	case r.inPadding(addr):
		s = fmt.Sprintf("in the INT3 padding after the code (%d bytes)", len(r.rc.code))
	case addr < uint64(execmem.PageSize()):
		return "in no mapping: the first page is never mapped (a null pointer?)"
	case f != nil && in(f.GuardLow):
		s = "in the guard page below the call's stack"
	case f != nil && in(f.GuardHigh):
		s = "in the guard page above the call's stack"
	case f != nil && addr >= uint64(f.GuardLow[1]) && addr < uint64(f.GuardHigh[0]):
		s = "on the call's stack"
	case r.mapped != nil && addr >= uint64(r.mapped.m.Addr()) && addr < uint64(r.mapped.m.Addr())+uint64(r.mapped.m.Len()):
		off := addr - uint64(r.mapped.m.Addr())
		if off < uint64(r.mapped.size) {
			s = fmt.Sprintf("in the mapped file %s (byte %#x)", r.mapped.name, off)
		} else {
			s = fmt.Sprintf("past the end of the mapped file %s (%d bytes), in its last page", r.mapped.name, r.mapped.size)
		}
	}
	reg, ok := r.region(addr)
	switch {
	case s == "" && !ok:
		return "in no mapping"
	case s == "":
		what := "an anonymous"
		if reg.Path != "" {
			what = "a"
		}
		s = fmt.Sprintf("in %s %s mapping %#x-%#x", what, protLetters(reg), reg.Start, reg.End)
		if reg.Path != "" {
			s += " " + reg.Path
		}
		return s
	case ok:
		return s + ", mapped " + protLetters(reg)
	}
	return s
}

// stackWhere says where RSP lies. After a return or a timeout RSP is on
// the call's stack (the trampoline only hands back a call whose RSP it
// knows), which /proc/self/maps shows as an anonymous read+write mapping
// between two guard pages.
func (r *report) stackWhere(rsp uint64, f *trampoline.Fault) string {
	if f != nil {
		return r.where(rsp, f)
	}
	if reg, ok := r.region(rsp); ok && reg.Path == "" && reg.Prot == execmem.ProtRW {
		return fmt.Sprintf("on the call's stack %#x-%#x (%s)", reg.Start, reg.End, formatSize(int(reg.End-reg.Start)))
	}
	return r.where(rsp, nil)
}

// protLetters is a region's protection as /proc/self/maps shows it: r-xp.
func protLetters(reg execmem.Region) string {
	if reg.Shared {
		return reg.Prot.String() + "s"
	}
	return reg.Prot.String() + "p"
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
	opts := r.listingOptions()
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
// XMM registers that are not zero or were changed, MXCSR and the x87
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
		fmt.Fprintf(b, "  %-6s 0x%016x  %s\n", "rip", regs.RIP, r.where(regs.RIP, f))
	}
	fmt.Fprintf(b, "%s %-6s 0x%016x  %s\n", mark(regs.RFLAGS != r.entry.RFLAGS), "rflags", regs.RFLAGS, decodeFlags(regs.RFLAGS))
	hidden := false
	for i, x := range regs.XMM {
		changed := x != r.entry.XMM[i]
		if x == (trampoline.XMM{}) && !changed {
			hidden = true
			continue
		}
		fmt.Fprintf(b, "%s %-6s 0x%016x%016x  low: %s\n", mark(changed), fmt.Sprintf("xmm%d", i), x.Hi, x.Lo, strings.SplitN(formatFloat(x.Lo), " (", 2)[0])
	}
	if hidden {
		b.WriteString("  (xmm registers not listed are zero, as they started)\n")
	}
	// The exception flags (bits 0-5) of MXCSR are sticky and may be set
	// by Go's own float code before the call: only the control bits count
	// as a change.
	fmt.Fprintf(b, "%s %-6s %#x\n", mark(regs.MXCSR&^0x3f != r.entry.MXCSR&^0x3f), "mxcsr", regs.MXCSR)
	fmt.Fprintf(b, "%s %-6s %#x\n", mark(regs.X87CW != r.entry.X87CW), "x87cw", regs.X87CW)
}

// listingOptions are the disasm options for the loaded code.
func (r *report) listingOptions() disasm.Options {
	return disasm.Options{Syntax: r.rc.syntax, Base: r.base(), Program: r.rc.prog, Source: r.rc.prog != nil}
}

// maxListingRows is how long a fault's listing may be before it is cut
// to the rows around the marked instruction.
const maxListingRows = 40

// listingContext is how many rows a cut listing keeps on each side of the
// marked one.
const listingContext = 12

// writeListing prints the listing of the code, with the row at mark
// marked when hasMark is set (and cut to the rows around it when long).
func (r *report) writeListing(b *strings.Builder, mark uint64, hasMark bool) {
	opts := r.listingOptions()
	opts.Mark, opts.HasMark = mark, hasMark
	rows := disasm.Decode(r.rc.code, opts)
	if hasMark && len(rows) > maxListingRows {
		at := 0
		for i, row := range rows {
			if row.Marked {
				at = i
			}
		}
		lo, hi := max(0, at-listingContext), min(len(rows), at+listingContext+1)
		if lo > 0 {
			fmt.Fprintf(b, "   … %d rows before\n", lo)
		}
		disasm.Write(b, rows[lo:hi], r.rc.syntax)
		if hi < len(rows) {
			fmt.Fprintf(b, "   … %d rows after\n", len(rows)-hi)
		}
		return
	}
	disasm.Write(b, rows, r.rc.syntax)
}

// outsideRow is the listing row of a fault's pc outside the code, decoded
// from the bytes the fault found there (Fault.Text); its Outside is false
// for a pc in the code or in the INT3 padding after it, which the listing
// of the code covers.
func (r *report) outsideRow(pc uint64, f *trampoline.Fault) disasm.Row {
	if _, in := r.offsetOf(pc); in || r.inPadding(pc) || pc != uint64(f.PC) {
		return disasm.Row{}
	}
	return disasm.Outside(r.rc.code, pc, f.Text, r.listingOptions())
}

// writeOutsideListing prints the code's listing with out, the marked row
// of a pc outside it: before the code when the pc is below it, after it
// otherwise. Of a long listing it keeps the rows next to the marked one.
func (r *report) writeOutsideListing(b *strings.Builder, out disasm.Row) {
	rows := disasm.Decode(r.rc.code, r.listingOptions())
	before := out.Addr < r.base()
	if n := 2 * listingContext; len(rows) > maxListingRows {
		if before {
			disasm.Write(b, append([]disasm.Row{out}, rows[:n]...), r.rc.syntax)
			fmt.Fprintf(b, "   … %d rows after\n", len(rows)-n)
			return
		}
		fmt.Fprintf(b, "   … %d rows before\n", len(rows)-n)
		rows = rows[len(rows)-n:]
	}
	if before {
		rows = append([]disasm.Row{out}, rows...)
	} else {
		rows = append(rows, out)
	}
	disasm.Write(b, rows, r.rc.syntax)
}

// writeCodeHeader prints the line above --disasm's listing.
func (r *report) writeCodeHeader(b *strings.Builder) {
	fmt.Fprintf(b, "%s: %d bytes at %#x, called at %s\n", r.rc.name, len(r.rc.code), r.base(), r.symOff(r.rc.entry))
}

// instruction returns the text of the instruction at pc, or "".
func (r *report) instruction(pc uint64) string {
	if _, ok := r.offsetOf(pc); !ok {
		return ""
	}
	row, err := disasm.At(r.rc.code, pc, r.listingOptions())
	if err != nil {
		return ""
	}
	return row.Text
}

// faultPC is the address of the instruction that faulted: the PC, or for
// a breakpoint the INT3 (cc, or cd 03) that ends just before it.
func (r *report) faultPC(f *trampoline.Fault) uint64 {
	if f.Syscall != nil {
		return r.syscallPC(f) // run_syscalls.go
	}
	pc := uint64(f.PC)
	if f.Signal != syscall.SIGTRAP || f.Trap != 3 || pc < 2 {
		return pc
	}
	code := r.rc.code
	if off, ok := r.offsetOf(pc - 2); ok && off+1 < len(code) && code[off] == 0xcd && code[off+1] == 0x03 {
		return pc - 2
	}
	if off, ok := r.offsetOf(pc - 1); ok && code[off] == 0xcc {
		return pc - 1
	}
	if r.inPadding(pc - 1) {
		return pc - 1
	}
	return pc
}

// inPadding reports whether addr lies in the INT3 bytes that fill the
// code's last page after it.
func (r *report) inPadding(addr uint64) bool {
	end := r.base() + uint64(len(r.rc.code))
	return addr >= end && addr < r.base()+uint64(r.blk.Cap())
}

// writeFault prints the report of a fault: what happened in one line, the
// signal, the CPU exception and its error code, the PC and the address and
// where they lie, the listing with the faulting instruction marked, and
// the registers.
func (r *report) writeFault(b *strings.Builder, f *trampoline.Fault) {
	pc := r.faultPC(f)
	fmt.Fprintf(b, "fault: %s at %s: %s\n", f.SignalName(), r.shortWhere(pc), r.meaning(f))
	sig := fmt.Sprintf("%s, si_code %s", f.SignalName(), f.CodeName())
	if why := codeMeaning(f.Signal, f.Code); why != "" {
		sig += ": " + why
	}
	fmt.Fprintf(b, "  %-10s %s\n", "signal", sig)
	exc := fmt.Sprintf("%s %s (vector %d)", f.TrapName(), trapMeaning(f.Trap), f.Trap)
	if pf, ok := f.PageFault(); ok {
		exc += ", error code " + pf.String()
	} else if f.ErrorCode != 0 {
		exc += fmt.Sprintf(", error code %#x", f.ErrorCode)
	}
	if f.Syscall != nil {
		writeSyscallLine(b, f.Syscall) // a system call raises no exception
	} else {
		fmt.Fprintf(b, "  %-10s %s\n", "exception", exc)
	}
	out := r.outsideRow(pc, f) // decoded once, for the pc line and the listing
	pcLine := fmt.Sprintf("%#x  %s", pc, r.where(pc, f))
	if uint64(f.PC) != pc {
		before := "INT3"
		if f.Syscall != nil {
			before = "system call"
		}
		pcLine = fmt.Sprintf("%#x  %s, the %s before pc %#x", pc, r.where(pc, f), before, f.PC)
	}
	if in := r.instruction(pc); in != "" {
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
		fmt.Fprintf(b, "  %-10s %#x  %s\n", "address", f.Addr, r.where(uint64(f.Addr), f))
	}
	if _, ok := r.offsetOf(pc); ok {
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
	fmt.Fprintf(b, "timeout: the code was still running after %v and was stopped at %s\n", d, r.shortWhere(pc))
	pcLine := fmt.Sprintf("%#x  %s", pc, r.where(pc, nil))
	if in := r.instruction(pc); in != "" {
		pcLine += ": " + in
	}
	fmt.Fprintf(b, "  %-10s %s\n", "pc", pcLine)
	if _, ok := r.offsetOf(pc); ok {
		b.WriteString("\nlisting (=> where it was stopped):\n")
		r.writeListing(b, pc, true)
	}
	b.WriteString("\nregisters where it was stopped (* changed by the code):\n")
	r.writeRegs(b, &it.Regs, true, nil)
}

// shortWhere is "+0x7 (f+0x7)" for an address in the code, the address
// itself outside it.
func (r *report) shortWhere(addr uint64) string {
	off, ok := r.offsetOf(addr)
	if !ok {
		if r.inPadding(addr) {
			return fmt.Sprintf("+%#x (past the end of the code)", addr-r.base())
		}
		return fmt.Sprintf("%#x (outside the code)", addr)
	}
	s := fmt.Sprintf("+%#x", off)
	if so := r.symOff(off); so != s {
		s += " (" + so + ")"
	}
	return s
}

// meaning says in words what the fault is, in the terms a student of page
// protections uses.
func (r *report) meaning(f *trampoline.Fault) string {
	if f.Syscall != nil {
		return f.Description() + syscallHint(f.Syscall)
	}
	if f.BadReturn {
		return f.Description()
	}
	if f.Signal == syscall.SIGTRAP && f.Trap == 3 && r.inPadding(r.faultPC(f)) {
		return "the code ran past its end into the INT3 padding (a missing RET?)"
	}
	if f.StackOverflow() {
		if f.Addr >= f.GuardLow[0] && f.Addr < f.GuardLow[1] {
			return "stack overflow into the guard page"
		}
		return "access above the top of the stack, into the guard page there"
	}
	if f.Signal == syscall.SIGSEGV {
		switch f.Trap {
		case 14:
			pf := trampoline.PageFaultCode(f.ErrorCode)
			switch f.Code {
			case 1: // SEGV_MAPERR
				if pf.InstructionFetch() {
					return "instruction fetch from an unmapped address"
				}
				if pf.Write() {
					return "write to an unmapped address"
				}
				return "read from an unmapped address"
			case 2: // SEGV_ACCERR
				reg, ok := r.region(uint64(f.Addr))
				switch {
				case pf.InstructionFetch():
					return "instruction fetch from a non-executable page (NX)"
				case pf.Write() && ok && reg.Prot == execmem.ProtNone:
					return "write to a page with no access (---)"
				case pf.Write() && ok && reg.Prot&execmem.ProtRead != 0:
					return "write to a read-only page"
				case pf.Write():
					return "write to a page without write permission"
				case ok && reg.Prot == execmem.ProtNone:
					return "read from a page with no access (---)"
				}
				return "read from a page without read permission"
			}
		case 13:
			return "general protection: privileged instruction or misaligned SSE access (or a non-canonical address)"
		}
	}
	return strings.TrimSuffix(f.Description(), fmt.Sprintf(" at %#x", f.Addr))
}

// codeMeaning explains the si_codes a user meets.
func codeMeaning(sig syscall.Signal, code int) string {
	if code == 0x80 {
		return "raised by the kernel for a CPU exception"
	}
	switch sig {
	case syscall.SIGSEGV:
		switch code {
		case 1:
			return "nothing is mapped at the address"
		case 2:
			return "the address is mapped, but its protection forbids the access"
		case 4:
			return "a protection key forbids the access"
		}
	case syscall.SIGBUS:
		switch code {
		case 1:
			return "misaligned address"
		case 2:
			return "no memory behind the address (past the end of a mapped file)"
		}
	case syscall.SIGILL:
		switch code {
		case 1:
			return "illegal opcode"
		case 2:
			return "illegal operand"
		case 5:
			return "privileged opcode"
		case 6:
			return "privileged register"
		}
	case syscall.SIGFPE:
		switch code {
		case 1:
			return "integer divide by zero"
		case 2:
			return "integer overflow"
		}
	case syscall.SIGTRAP:
		switch code {
		case 1:
			return "breakpoint"
		case 2:
			return "trace trap"
		}
	}
	return ""
}

// trapMeaning names an x86 exception vector in words.
func trapMeaning(n int) string {
	switch n {
	case 0:
		return "divide error"
	case 1:
		return "debug"
	case 3:
		return "breakpoint"
	case 4:
		return "overflow"
	case 5:
		return "bound range exceeded"
	case 6:
		return "invalid opcode"
	case 7:
		return "device not available"
	case 12:
		return "stack-segment fault"
	case 13:
		return "general protection"
	case 14:
		return "page fault"
	case 16:
		return "x87 floating-point error"
	case 17:
		return "alignment check"
	case 19:
		return "SIMD floating-point exception"
	}
	return "exception"
}
