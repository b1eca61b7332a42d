package bench

import (
	"strconv"

	"github.com/jitrun/jitrun/asm"
)

// The measuring function. Register contract, System V style, as
// trampoline.Run passes the arguments:
//
//	RDI  the scratch buffer (0 when there is none); kept for the init code
//	RSI  L, the iterations of the timed loop
//	RDX  the hardware counter number RDPMC reads (ClockPerf only)
//	RAX  returned: the primary clock's ticks over the timed region
//	RDX  returned: the TSC's ticks over the timed region
//
// It zeroes every other register, runs the init code, saves the registers
// the clock reads clobber (RAX, RCX, RDX and RFLAGS) in its frame, reads
// the clocks between LFENCEs, restores those registers, and runs L
// iterations of U copies of the kernel, counting in R15; then it reads the
// clocks again. RSP stays on the trampoline's stack and points at the frame
// throughout: the kernel may push and pop below it, but must not move it.
const (
	slotLoop  = 0  // L
	slotPMC   = 8  // RDPMC counter number
	slotTSC   = 16 // TSC at the start of the timed region
	slotClock = 24 // primary clock at the start; its delta at the end
	slotAX    = 32 // the kernel's RAX while the clocks are read
	slotCX    = 40 // … RCX
	slotDX    = 48 // … RDX
	slotFlags = 56 // … RFLAGS
	frameSize = 64
)

// Names the harness gives its own symbols and labels. The kernel's labels
// are renamed with a suffix per copy (copySuffix), and a kernel may only
// refer to labels it defines, so none of these can be reached from it.
const (
	entryName  = "jitrun·bench"
	loopLabel  = "jitrun·loop"
	copySuffix = "·copy"
	initSuffix = "·init"
	toolsRDTSC = "jitrun·rdtsc"
)

// rdpru is RDPRU (0F 01 FD), which the Go assembler does not know.
var rdpru = []byte{0x0f, 0x01, 0xfd}

// harnessSpec is what a measuring function is made of.
type harnessSpec struct {
	file   string // Program.File
	clock  Clock  // ClockPerf, ClockAPERF or ClockTSC
	unroll int
	kernel *kernelCode
	avx    bool // zero the YMM registers with VZEROALL
	avx512 bool // zero X16–X31 and K1–K7 too
}

// buildHarness generates the measuring function for spec.
func buildHarness(spec harnessSpec) (*asm.Program, error) {
	b := asm.NewBuilder()
	b.SetFile(spec.file)
	b.Text(entryName, asm.NOSPLIT|asm.NOFRAME)
	b.Inst("SUBQ", asm.Imm(frameSize), asm.SP)
	b.Inst("MOVQ", asm.SI, asm.Mem(slotLoop, asm.SP))
	b.Inst("MOVQ", asm.DX, asm.Mem(slotPMC, asm.SP))
	zeroRegisters(b, spec.avx, spec.avx512)
	k := spec.kernel
	if len(k.init) > 0 {
		if err := b.AppendCopy(k.init, initSuffix); err != nil {
			return nil, err
		}
	}

	// Start: save what the clock reads clobber, read TSC then the primary
	// clock, restore.
	b.Inst("MOVQ", asm.AX, asm.Mem(slotAX, asm.SP))
	b.Inst("MOVQ", asm.CX, asm.Mem(slotCX, asm.SP))
	b.Inst("MOVQ", asm.DX, asm.Mem(slotDX, asm.SP))
	b.Inst("PUSHFQ")
	b.Inst("POPQ", asm.AX)
	b.Inst("MOVQ", asm.AX, asm.Mem(slotFlags, asm.SP))
	b.Inst("LFENCE")
	readTSC(b)
	b.Inst("MOVQ", asm.AX, asm.Mem(slotTSC, asm.SP))
	if spec.clock != ClockTSC {
		readPrimary(b, spec.clock)
		b.Inst("MOVQ", asm.AX, asm.Mem(slotClock, asm.SP))
	}
	b.Inst("LFENCE")
	b.Inst("PUSHQ", asm.Mem(slotFlags, asm.SP))
	b.Inst("POPFQ")
	b.Inst("MOVQ", asm.Mem(slotAX, asm.SP), asm.AX)
	b.Inst("MOVQ", asm.Mem(slotCX, asm.SP), asm.CX)
	b.Inst("MOVQ", asm.Mem(slotDX, asm.SP), asm.DX)
	b.Inst("MOVQ", asm.Mem(slotLoop, asm.SP), asm.R15)

	// The timed loop: U copies, then DEC (which leaves CF alone, so ADC
	// chains carry across copies) and JNE.
	b.Align(64)
	b.Label(loopLabel)
	for i := 0; i < spec.unroll; i++ {
		if err := b.AppendCopy(k.body, copySuffix+strconv.Itoa(i)); err != nil {
			return nil, err
		}
	}
	b.Inst("DECQ", asm.R15)
	b.Inst("JNE", asm.L(loopLabel))

	// End: primary clock, then TSC, so the primary interval lies inside
	// the TSC's.
	b.Inst("LFENCE")
	if spec.clock != ClockTSC {
		readPrimary(b, spec.clock)
		b.Inst("SUBQ", asm.Mem(slotClock, asm.SP), asm.AX)
		b.Inst("MOVQ", asm.AX, asm.Mem(slotClock, asm.SP))
	}
	readTSC(b)
	b.Inst("SUBQ", asm.Mem(slotTSC, asm.SP), asm.AX)
	b.Inst("LFENCE")
	b.Inst("MOVQ", asm.AX, asm.DX)
	if spec.clock != ClockTSC {
		b.Inst("MOVQ", asm.Mem(slotClock, asm.SP), asm.AX)
	}
	b.Inst("ADDQ", asm.Imm(frameSize), asm.SP)
	b.Inst("RET")
	b.Append(k.data...)
	return b.Assemble()
}

// zeroRegisters clears every general-purpose register except RDI (the
// buffer) and RSP, and the vector state the trampoline does not clear: the
// upper halves of YMM0–15 (VZEROALL), and with AVX-512, X16–X31 (which
// zeroes the whole ZMM register) and the opmask registers.
func zeroRegisters(b *asm.Builder, avx, avx512 bool) {
	for _, r := range []asm.Reg{asm.AX, asm.BX, asm.CX, asm.DX, asm.SI, asm.BP,
		asm.R8, asm.R9, asm.R10, asm.R11, asm.R12, asm.R13, asm.R14, asm.R15} {
		b.Inst("XORL", r, r)
	}
	if avx {
		b.Inst("VZEROALL")
	}
	if avx512 {
		for r := asm.X16; r <= asm.X31; r++ {
			b.Inst("VPXORD", r, r, r)
		}
		for r := asm.K1; r <= asm.K7; r++ {
			b.Inst("KXORW", r, r, r)
		}
	}
}

// readTSC leaves the TSC in RAX (clobbers RDX).
func readTSC(b *asm.Builder) {
	b.Inst("RDTSC")
	b.Inst("SHLQ", asm.Imm(32), asm.DX)
	b.Inst("ORQ", asm.DX, asm.AX)
}

// readPrimary leaves the primary clock in RAX (clobbers RCX and RDX).
func readPrimary(b *asm.Builder, c Clock) {
	switch c {
	case ClockPerf:
		b.Inst("MOVQ", asm.Mem(slotPMC, asm.SP), asm.CX)
		b.Inst("RDPMC")
	case ClockAPERF:
		b.Inst("MOVL", asm.Imm(1), asm.CX) // RDPRU register 1: APERF
		b.Bytes(rdpru)
	}
	b.Inst("SHLQ", asm.Imm(32), asm.DX)
	b.Inst("ORQ", asm.DX, asm.AX)
}

// buildRDTSC generates the function Detect reads the TSC with:
//
//	jitrun·rdtsc(): RAX = TSC
func buildRDTSC() (*asm.Program, error) {
	b := asm.NewBuilder()
	b.SetFile("<bench tools>")
	b.Text(toolsRDTSC, asm.NOSPLIT|asm.NOFRAME)
	b.Inst("LFENCE")
	readTSC(b)
	b.Inst("LFENCE")
	b.Inst("RET")
	return b.Assemble()
}
