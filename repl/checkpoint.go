package repl

import (
	"context"
	"errors"
	"fmt"
	"unsafe"

	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/internal/hostcpu"
	"github.com/jitrun/jitrun/trampoline"
)

// checkpoint is the whole of a session's state at one moment: the
// registers, the FPU state as XSAVE (or FXSAVE) writes it, the stack and
// the scratch area. A fault or a timeout puts the last one back; .undo
// an older one.
type checkpoint struct {
	regs    trampoline.Regs
	fpu     []byte // aligned as the save instruction needs
	stack   []byte
	scratch []byte
}

// fpuSaver saves and restores a machine's FPU state, which the trampoline
// keeps to itself, by running a save or restore instruction in the
// machine (the page below, loaded read+execute):
//
//	0: 48 0f ae 27   xsave64 [rdi]    (fxsave64 [rdi]: 48 0f ae 07)
//	4: cc            int3
//	5: 48 0f ae 2f   xrstor64 [rdi]   (fxrstor64 [rdi]: 48 0f ae 0f)
//	9: cc            int3
//
// XSAVE and XRSTOR take the components in EDX:EAX: xsaveMask.
type fpuSaver struct {
	code  *execmem.Block
	size  int // bytes of the save area
	xsave bool
}

// xsaveMask are the state components a checkpoint holds: x87, SSE, AVX,
// the opmasks, ZMM_Hi256 and Hi16_ZMM (the CPU saves those XCR0 enables).
// AMX tile data (bit 18) is left out: a thread that has not asked the
// kernel for it faults on its XRSTOR.
const xsaveMask = 0b1110_0111

// saveRet and restoreRet are where RIP is after each half of the page.
const (
	saveEntry, saveRet       = 0, 5
	restoreEntry, restoreRet = 5, 10
)

func newFPUSaver() (*fpuSaver, error) {
	f, err := hostcpu.Read()
	if err != nil {
		return nil, fmt.Errorf("repl: read the CPU's features: %w", err)
	}
	code := []byte{0x48, 0x0f, 0xae, 0x27, 0xcc, 0x48, 0x0f, 0xae, 0x2f, 0xcc}
	if !f.UseXSAVE() {
		code = []byte{0x48, 0x0f, 0xae, 0x07, 0xcc, 0x48, 0x0f, 0xae, 0x0f, 0xcc}
	}
	b, err := execmem.Load(code)
	if err != nil {
		return nil, fmt.Errorf("repl: load the FPU save code: %w", err)
	}
	return &fpuSaver{code: b, size: f.FPUStateSize(), xsave: f.UseXSAVE()}, nil
}

func (f *fpuSaver) close() error { return f.code.Close() }

// area returns a zeroed save area, 64-byte aligned.
func (f *fpuSaver) area() []byte {
	buf := make([]byte, f.size+64)
	off := (64 - uintptr(unsafe.Pointer(&buf[0]))%64) % 64
	return buf[off : off+uintptr(f.size)]
}

// capture copies the state the machine holds into c (a new checkpoint
// when c is nil) and returns it. The machine's general registers are
// left as they were.
func (s *Session) capture(c *checkpoint) (*checkpoint, error) {
	if c == nil {
		c = &checkpoint{fpu: s.fpu.area(), stack: make([]byte, StackSize), scratch: make([]byte, ScratchSize)}
	}
	regs := s.m.Regs
	if err := s.fpuOp(c.fpu, saveEntry, saveRet); err != nil {
		s.m.Regs = regs
		return nil, err
	}
	// The save ran with RAX, RDX and RDI its own: the registers are the
	// ones from before it, the vector state (read back from the
	// machine) the same as before.
	vec, mxcsr, x87 := s.m.Regs.XMM, s.m.Regs.MXCSR, s.m.Regs.X87CW
	vector := s.m.Regs.Vector
	s.m.Regs = regs
	s.m.Regs.XMM, s.m.Regs.MXCSR, s.m.Regs.X87CW, s.m.Regs.Vector = vec, mxcsr, x87, vector
	c.regs = s.m.Regs
	copy(c.stack, s.stackBytes())
	copy(c.scratch, s.scratch.Bytes())
	return c, nil
}

// restore puts the machine back in c's state.
func (s *Session) restore(c *checkpoint) error {
	s.m.Regs = c.regs // RSP on the stack again, for the restore's run
	if err := s.fpuOp(c.fpu, restoreEntry, restoreRet); err != nil {
		return err
	}
	s.m.Regs = c.regs
	copy(s.stackBytes(), c.stack)
	copy(s.scratch.Bytes(), c.scratch)
	return nil
}

// copyInto makes dst a copy of src.
func (s *Session) copyInto(dst, src *checkpoint) {
	dst.regs = src.regs
	copy(dst.fpu, src.fpu)
	copy(dst.stack, src.stack)
	copy(dst.scratch, src.scratch)
}

// fpuOp runs one half of the save page with RDI at area, and checks that
// it ended at its INT3.
func (s *Session) fpuOp(area []byte, entry, ret uint64) error {
	s.m.Regs.GPR[trampoline.RDI] = uint64(uintptr(unsafe.Pointer(&area[0])))
	s.m.Regs.GPR[trampoline.RAX] = xsaveMask
	s.m.Regs.GPR[trampoline.RDX] = 0
	base := uint64(s.fpu.code.Addr())
	s.m.Regs.RIP = base + entry
	err := trampoline.RunMachine(context.Background(), s.m, &trampoline.Options{Code: s.fpu.code})
	if err == nil && s.m.Regs.RIP != base+ret {
		err = errors.New("it stopped elsewhere")
	}
	if err != nil {
		return fmt.Errorf("repl: save or restore the vector registers: %w", err)
	}
	return nil
}

// stackBytes is the machine's stack, which is memory jitrun mapped
// read+write for as long as the machine is open.
func (s *Session) stackBytes() []byte {
	return memAt(s.m.StackBottom(), StackSize)
}

// memAt is the n bytes at addr, memory mapped outside Go's heap. (The
// address becomes a pointer without a uintptr-to-Pointer conversion: the
// collector never sees this memory.)
func memAt(addr uintptr, n int) []byte {
	p := *(*unsafe.Pointer)(unsafe.Pointer(&addr))
	return unsafe.Slice((*byte)(p), n)
}
