package trampoline

import (
	"encoding/binary"
	"unsafe"

	"github.com/jitrun/jitrun/internal/hostcpu"
)

// Vector is the AVX and AVX-512 part of a register snapshot, beyond the
// 128 bits of XMM0–15 in Regs.XMM: the upper halves of YMM0–15 (XSAVE's
// state component 2) here, and the AVX-512 state — the opmask registers
// k0–k7, the upper 256 bits of ZMM0–15 and ZMM16–31 (components 5, 6
// and 7) — in AVX512. A part the CPU lacks, or that the snapshot could
// not read (no XSAVE), is zero, as is a part the code left in its initial
// state. Regs.Vec gives one register at its full width, Opmasks the
// opmask registers.
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
	// AVX512 is the AVX-512 state, nil when all of it was in its initial
	// state (zero): always on a CPU without AVX-512, and whenever the code
	// left it alone in a call that zeroes it (Zeroed). It is apart so
	// that a snapshot without it — a Fault, an Interrupted, each step of
	// a trace — is 688 bytes rather than 2,288. Copies of a Regs share
	// it: jitrun never writes to one it has handed out, and code that
	// changes one should copy it first.
	AVX512 *AVX512
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

// AVX512 is the AVX-512 part of a snapshot (Vector.AVX512).
type AVX512 struct {
	// K holds the opmask registers k0–k7 (component 5).
	K [8]uint64
	// ZMMHi holds bits 256–511 of ZMM0–15, [0] bits 256–383 and [1] bits
	// 384–511 (component 6).
	ZMMHi [16][2]XMM
	// Hi16ZMM holds ZMM16–31 whole, [0] the lowest 128 bits (component 7).
	Hi16ZMM [16][4]XMM
}

// noAVX512 is the AVX-512 state of a snapshot whose AVX512 is nil: all
// zero. It is never written.
var noAVX512 AVX512

// avx512 returns the snapshot's AVX-512 state, noAVX512 for none. The
// caller must not write to it.
func (v *Vector) avx512() *AVX512 {
	if v.AVX512 == nil {
		return &noAVX512
	}
	return v.AVX512
}

// Opmasks returns the opmask registers k0–k7: zero where the snapshot
// has no AVX-512 state.
func (v *Vector) Opmasks() [8]uint64 { return v.avx512().K }

// Equal reports whether two snapshots of the vector state hold the same
// values: their AVX-512 state compared by content, a nil one as zero.
func (v *Vector) Equal(o *Vector) bool {
	return v.Live == o.Live && v.YMMHi == o.YMMHi && v.Zeroed == o.Zeroed &&
		(v.AVX512 == o.AVX512 || *v.avx512() == *o.avx512())
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
		w := r.Vector.avx512()
		parts = [4]XMM{r.XMM[i], r.Vector.YMMHi[i], w.ZMMHi[i][0], w.ZMMHi[i][1]}
	case i >= 16 && i < VecRegs:
		parts = r.Vector.avx512().Hi16ZMM[i-16]
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
// first, as XSAVE stores a register on amd64): it is copied whole. The
// AVX-512 state is read into a new AVX512, made only when some of it is
// live: v's old one may be shared (a checkpoint's copy of a Machine's
// registers), and is not written.
func xsaveVector(v *Vector, img []byte) {
	var bv uint64
	if len(img) >= xsaveHeader+64 {
		bv = binary.LittleEndian.Uint64(img[xsaveHeader:]) & vecComponents
	}
	bv = readComponent(bv, 2, asBytes(&v.YMMHi), img)
	v.AVX512 = nil
	if bv&liveAVX512 != 0 {
		w := new(AVX512)
		bv = readComponent(bv, 5, asBytes(&w.K), img)
		bv = readComponent(bv, 6, asBytes(&w.ZMMHi), img)
		bv = readComponent(bv, 7, asBytes(&w.Hi16ZMM), img)
		if bv&liveAVX512 != 0 {
			v.AVX512 = w
		}
	}
	v.Live = bv
}

// liveAVX512 are the bits of Vector.Live for Vector.AVX512's components.
const liveAVX512 = LiveOpmask | LiveZMMHi256 | LiveHi16ZMM

// readComponent copies state component i of an XSAVE image into dst when
// the header's bits bv say it is live and the image holds it whole at
// the size of dst; otherwise it zeroes dst and clears the component's
// bit. It returns bv.
func readComponent(bv uint64, i int, dst, img []byte) uint64 {
	c := vecLayout[i]
	if bv&(1<<i) == 0 || c.Size != len(dst) || c.Offset+c.Size > len(img) {
		clear(dst)
		return bv &^ (1 << i)
	}
	copy(dst, img[c.Offset:c.Offset+c.Size])
	return bv
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
