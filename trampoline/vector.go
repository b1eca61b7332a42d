package trampoline

import (
	"encoding/binary"
	"unsafe"

	"github.com/jitrun/jitrun/internal/hostcpu"
)

// Vector is the AVX and AVX-512 part of a register snapshot, beyond the
// 128 bits of XMM0–15 in Regs.XMM: the upper halves of YMM0–15, the upper
// 256 bits of ZMM0–15, ZMM16–31 and the opmask registers k0–k7 — XSAVE's
// state components 2, 6, 7 and 5. A part the CPU lacks, or that the
// snapshot could not read (no XSAVE), is zero, as is a part the code left
// in its initial state. Regs.Vec gives one register at its full width.
type Vector struct {
	// Live says which state components were in use, from the XSAVE
	// header's XSTATE_BV (LiveSSE, LiveAVX, LiveOpmask, LiveZMMHi256,
	// LiveHi16ZMM): a component whose bit is clear was in its initial
	// state, all zero. A set bit says only that the CPU did not track the
	// component back to that state (VZEROUPPER does, for LiveAVX); the
	// registers may still be zero. 0 when the snapshot has no XSAVE image.
	Live uint64
	// YMMHi holds bits 128–255 of YMM0–15 (component 2).
	YMMHi [16]XMM
	// ZMMHi holds bits 256–511 of ZMM0–15, [0] bits 256–383 and [1] bits
	// 384–511 (component 6).
	ZMMHi [16][2]XMM
	// Hi16ZMM holds ZMM16–31 whole, [0] the lowest 128 bits (component 7).
	Hi16ZMM [16][4]XMM
	// K holds the opmask registers k0–k7 (component 5).
	K [8]uint64
	// Zeroed says the code started with ZMM16–31 and k0–k7 zero, so
	// that they hold only what it wrote: a call that takes a snapshot
	// (Options.Regs), a Machine (whose state is its own). Otherwise
	// (Fault.Regs and Interrupted.Regs of a call without Options.Regs)
	// they may also hold what earlier code on the thread left there — the
	// C library's string functions use them, Go's collector's scan code
	// the opmasks — and Regs.String leaves them out. (Go's code and the C
	// ABI leave the upper bits of YMM0–15 and ZMM0–15 zero, with
	// VZEROUPPER: those are the code's either way.)
	Zeroed bool
}

// Bits of Vector.Live: the XSAVE state components a snapshot reads.
const (
	LiveSSE      = 1 << 1 // XMM0–15 and MXCSR
	LiveAVX      = 1 << 2 // the upper halves of YMM0–15
	LiveOpmask   = 1 << 5 // k0–k7
	LiveZMMHi256 = 1 << 6 // the upper 256 bits of ZMM0–15
	LiveHi16ZMM  = 1 << 7 // ZMM16–31

	// vecComponents is the XSAVE request mask of a snapshot (EDX:EAX).
	vecComponents = LiveSSE | LiveAVX | LiveOpmask | LiveZMMHi256 | LiveHi16ZMM
)

// VecRegs is the number of vector registers Regs.Vec reads: ZMM0–31.
const VecRegs = 32

// Vec returns vector register i (0–31) at its full 512-bit width, in
// memory order (little-endian: byte 0 holds bits 0–7, byte 16 starts the
// upper half of the YMM register, byte 32 the upper half of the ZMM).
// Bits a CPU lacks are zero, and so is every byte for an i outside 0–31.
func (r *Regs) Vec(i int) [64]byte {
	var b [64]byte
	le := binary.LittleEndian
	var parts [4]XMM
	switch {
	case i >= 0 && i < 16:
		parts = [4]XMM{r.XMM[i], r.Vector.YMMHi[i], r.Vector.ZMMHi[i][0], r.Vector.ZMMHi[i][1]}
	case i >= 16 && i < VecRegs:
		parts = r.Vector.Hi16ZMM[i-16]
	default:
		return b
	}
	for j, x := range parts {
		le.PutUint64(b[16*j:], x.Lo)
		le.PutUint64(b[16*j+8:], x.Hi)
	}
	return b
}

// vecLayout is where each state component lies in an XSAVE image of the
// standard format, by component number (from CPUID leaf 0xD), and
// vecCopy how many bytes of an image a snapshot keeps: the legacy region,
// the header and the components of vecComponents the OS enabled (0
// without XSAVE). The signal handler copies that much of the kernel's
// image of a faulting call's FPU state (saveVec). Set once, at set-up.
// vecAVX512 is set when the OS saves the AVX-512 state (enter's clearvec
// then zeroes it for a snapshot).
var (
	vecLayout [8]hostcpu.XSAVEComponent
	vecCopy   int
	vecAVX512 bool
)

// setVecLayout records the XSAVE layout of cpu (probeCPU).
func setVecLayout(cpu hostcpu.Facts) {
	vecLayout, vecCopy, vecAVX512 = cpu.XSAVEComponents, 0, cpu.AVX512F
	if !cpu.UseXSAVE() {
		return
	}
	vecCopy = xsaveHeader + 64
	for i, c := range vecLayout {
		if vecComponents&(1<<i) != 0 && c.Size > 0 {
			vecCopy = max(vecCopy, c.Offset+c.Size)
		}
	}
	vecCopy = min(vecCopy, cpu.XSAVESize)
}

// xsaveVector reads the vector state beyond XMM0–15 into v from an XSAVE
// image of the standard format (the first n bytes of one: a component
// past n is read as zero). An image shorter than the legacy region and
// header, an FXSAVE image, has none. Each component's bytes are laid out
// as the field that holds it (XMM is two little-endian quadwords, low
// first, as XSAVE stores a register on amd64): it is copied whole.
func xsaveVector(v *Vector, img []byte) {
	var bv uint64
	if len(img) >= xsaveHeader+64 {
		bv = binary.LittleEndian.Uint64(img[xsaveHeader:]) & vecComponents
	}
	for i, dst := range [8][]byte{
		2: asBytes(&v.YMMHi),
		5: asBytes(&v.K),
		6: asBytes(&v.ZMMHi),
		7: asBytes(&v.Hi16ZMM),
	} {
		c := vecLayout[i]
		switch {
		case dst == nil:
		case bv&(1<<i) == 0 || c.Size != len(dst) || c.Offset+c.Size > len(img):
			bv &^= 1 << i
			clear(dst)
		default:
			copy(dst, img[c.Offset:c.Offset+c.Size])
		}
	}
	v.Live = bv
}

// asBytes returns the memory of *p as bytes.
func asBytes[T any](p *T) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), unsafe.Sizeof(*p))
}

// sseInit reports whether an XSAVE image says XMM0–15 were in their
// initial state (XSTATE_BV bit 1 clear), in which case XSAVE did not
// write them and the bytes there are stale: they are zero.
func sseInit(img []byte) bool {
	return len(img) >= xsaveHeader+64 && img[xsaveHeader]&LiveSSE == 0
}

// vecRegs fills the XMM and Vector registers of r from an FPU image: the
// XMM registers from the legacy region (zero when the image's header
// says so), the rest from the XSAVE components.
func vecRegs(r *Regs, img []byte) {
	xsaveVector(&r.Vector, img)
	if sseInit(img) {
		r.XMM = [16]XMM{}
	}
}
