package trampoline

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"unsafe"
)

// Reg names a general-purpose register; its value is the hardware
// register number, the index into Regs.GPR.
type Reg uint8

const (
	RAX Reg = iota
	RCX
	RDX
	RBX
	RSP
	RBP
	RSI
	RDI
	R8
	R9
	R10
	R11
	R12
	R13
	R14
	R15
)

var regNames = [16]string{"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"}

// String returns the register's lower-case name, "rax" to "r15".
func (r Reg) String() string {
	if int(r) < len(regNames) {
		return regNames[r]
	}
	return fmt.Sprintf("Reg(%d)", uint8(r))
}

// IntArgRegs are the registers of the integer arguments, in order.
var IntArgRegs = [6]Reg{RDI, RSI, RDX, RCX, R8, R9}

// XMM is a 128-bit vector register. (A struct rather than an array, so
// that a Result travels in registers.)
type XMM struct {
	Lo uint64 // bits 0–63
	Hi uint64 // bits 64–127
}

// Float64 returns the low 64 bits as a float64 (a scalar double result).
func (x XMM) Float64() float64 { return math.Float64frombits(x.Lo) }

// Float32 returns the low 32 bits as a float32 (a scalar float result).
func (x XMM) Float32() float32 { return math.Float32frombits(uint32(x.Lo)) }

// String returns the register as hex, high quadword first.
func (x XMM) String() string { return fmt.Sprintf("%016x%016x", x.Hi, x.Lo) }

// Regs is a snapshot of the registers: after a return (when asked for with
// Options.Regs), at a fault, or where a timeout interrupted the code.
type Regs struct {
	GPR [16]uint64 // indexed by Reg
	// RIP is where the code faulted or was interrupted; 0 after a return.
	RIP    uint64
	RFLAGS uint64
	XMM    [16]XMM
	MXCSR  uint32
	X87CW  uint16
	// Vector is the rest of the vector registers: YMM, ZMM and k0–k7
	// where the CPU has them (see Vec for one register whole).
	Vector Vector
}

// Entry-state constants (see EntryRegs).
const (
	EntryRFLAGS = 0x246  // IF, ZF, PF: as left by the zeroing XOR
	GoMXCSR     = 0x1f80 // all exceptions masked, round to nearest
	GoX87CW     = 0x037f // all exceptions masked, 64-bit precision, round to nearest
)

// EntryRegs returns the registers the code sees when it starts, for args:
// the six integer arguments in RDI, RSI, RDX, RCX, R8, R9, the eight float
// arguments in the low quadwords of XMM0–XMM7, and zero everywhere else —
// every other GPR (RBP too), the upper quadwords, XMM8–XMM15, and, in a
// call that takes a snapshot (Options.Regs), the rest of the vector state
// (Regs.Vector: the upper bits of YMM0–15 and ZMM0–15, ZMM16–31, k0–k7;
// without a snapshot those hold what the thread's last code left, which
// the code cannot rely on). RFLAGS is
// EntryRFLAGS; MXCSR and the x87 control word are the calling thread's,
// which in a Go program are GoMXCSR and GoX87CW (plus, in MXCSR, whatever
// sticky exception flags, bits 0–5, Go's float code has set). After the
// call they are restored if the code changed them (the sticky flags
// aside): to the thread's values in a program with cgo, to GoMXCSR and
// GoX87CW otherwise. RSP is the only register
// the snapshot cannot know in advance: it is 8 below a 16-byte boundary
// near the top of the call's stack (the return address is at [RSP]), and
// the RSP recorded at return is that value plus 8. EntryRegs leaves it 0.
func EntryRegs(args *Args) Regs {
	var r Regs
	if args != nil {
		for i, reg := range IntArgRegs {
			r.GPR[reg] = args.Int[i]
		}
		for i, v := range args.Float {
			r.XMM[i].Lo = v
		}
	}
	r.RFLAGS = EntryRFLAGS
	r.Vector.Zeroed = true // as in a call that takes a snapshot
	r.MXCSR = GoMXCSR
	r.X87CW = GoX87CW
	return r
}

// String lists the registers, four GPRs to a line, then RIP, RFLAGS and the
// vector registers that are not zero, in hex, high bits first, each named
// by the width its set bits need (xmm3, ymm3, zmm17), then the opmask
// registers that are not zero; ZMM16–31 and the opmasks only when
// Vector.Zeroed says they are the code's alone.
func (r *Regs) String() string {
	var b strings.Builder
	for i := 0; i < 16; i++ {
		fmt.Fprintf(&b, "%-3s %016x", Reg(i), r.GPR[i])
		if i%4 == 3 {
			b.WriteByte('\n')
		} else {
			b.WriteString("  ")
		}
	}
	fmt.Fprintf(&b, "rip %016x  rflags %016x  mxcsr %08x  x87cw %04x\n", r.RIP, r.RFLAGS, r.MXCSR, r.X87CW)
	n := 16
	if r.Vector.Zeroed {
		n = VecRegs
	}
	for i := range n {
		v := r.Vec(i)
		width := usedWidth(&v)
		if width == 0 {
			continue
		}
		fmt.Fprintf(&b, "%cmm%-2d ", "xyz"[width/32], i)
		for j := width - 1; j >= 0; j-- {
			fmt.Fprintf(&b, "%02x", v[j])
		}
		b.WriteByte('\n')
	}
	for i, k := range r.Vector.Opmasks() {
		if k != 0 && r.Vector.Zeroed {
			fmt.Fprintf(&b, "k%d    %016x\n", i, k)
		}
	}
	return b.String()
}

// Equal reports whether two snapshots hold the same values (Vector.Equal:
// the AVX-512 state by content, not by pointer, as == would).
func (r *Regs) Equal(o *Regs) bool {
	return r.GPR == o.GPR && r.RIP == o.RIP && r.RFLAGS == o.RFLAGS && r.XMM == o.XMM &&
		r.MXCSR == o.MXCSR && r.X87CW == o.X87CW && r.Vector.Equal(&o.Vector)
}

// usedWidth returns how many bytes of a vector register its set bits
// need: 0 (all zero), 16 (an XMM register), 32 (YMM) or 64 (ZMM).
func usedWidth(v *[64]byte) int {
	zero := func(b []byte) bool {
		for _, c := range b {
			if c != 0 {
				return false
			}
		}
		return true
	}
	switch {
	case !zero(v[32:]):
		return 64
	case !zero(v[16:32]):
		return 32
	case !zero(v[:16]):
		return 16
	}
	return 0
}

// readRegs writes the frame's snapshot into r (in place: a Regs is
// 688 bytes).
func (f *frame) readRegs(r *Regs) {
	r.GPR, r.RIP, r.RFLAGS, r.MXCSR, r.X87CW, r.XMM = f.gpr, f.rip, f.rflags, f.mxcsr, f.fcw, f.xmm
	vecRegs(r, units[f.index].vec[:f.vecLen])
	r.Vector.Zeroed = f.flags&(flagSnapshot|flagMachine) != 0
}

// snapshotParked copies the registers of a parked call — the general
// registers the handler saved and the FPU state parkStub saved — into the
// snapshot an *Interrupted reports.
func (u *unit) snapshotParked() {
	f := u.f
	f.gpr, f.rip, f.rflags = f.jit, f.jitRIP, f.jitRFLAGS
	f.fcw, f.mxcsr, f.xmm = fxsaveRegs(u.xsave)
	f.vecLen = uint32(copy(u.vec, u.xsave[:vecCopy]))
}

// fxsaveRegs reads the x87 control word, MXCSR and XMM0–15 from an FPU
// save area: FXSAVE's layout, which XSAVE's legacy region shares.
func fxsaveRegs(x []byte) (fcw uint16, mxcsr uint32, xmm [16]XMM) {
	le := binary.LittleEndian
	for i := range xmm {
		xmm[i] = XMM{le.Uint64(x[fxXMM+16*i:]), le.Uint64(x[fxXMM+16*i+8:])}
	}
	return le.Uint16(x[fxFCW:]), le.Uint32(x[fxMXCSR:]), xmm
}

// fpuArea returns a zeroed FPU save area of xsaveSize bytes, 64-byte
// aligned as XSAVE needs it.
func fpuArea() []byte {
	buf := make([]byte, xsaveSize+64)
	off := (64 - uintptr(unsafe.Pointer(&buf[0]))%64) % 64
	return buf[off : off+uintptr(xsaveSize)]
}
