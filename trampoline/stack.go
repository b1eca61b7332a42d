package trampoline

import (
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/jitrun/jitrun/execmem"
)

// DefaultStackSize is the usable stack of a call when Options.StackSize is
// zero. Every stack has a PROT_NONE guard region of StackGuardSize below
// it and one above.
const DefaultStackSize = 256 << 10

// StackGuardSize is the PROT_NONE region on each side of a call's stack:
// large enough that the largest RET imm16 (64 KiB) lands in it, and that
// writes relative to RSP that run off the stack by up to a megabyte
// fault instead of reaching the memory beside it. It costs address space
// only.
const StackGuardSize = 1 << 20

// unit is a frame with a stack attached: what one call needs. Units are
// pooled per stack size; a unit's frame stays in frameTable for good,
// its stack is unmapped by FreeIdleStacks.
type unit struct {
	f     *frame
	index int // in frameTable and units
	size  int // usable stack bytes
	stack *execmem.Mapping
	xsave []byte // the 64-byte-aligned save area f.xsave points at
	vec   []byte // the 64-byte-aligned snapshot image f.vec points at
	seq   uint32 // calls made, for timeout signal values
	next  atomic.Uint32
	// refusal is why Go refused the system call that ended the unit's
	// last call (decide.go), until the call's *Fault is made.
	refusal string
	// tls is the block of a call's own FS base (Options.PrivateTLS),
	// mapped the first time a call on the unit asks for it.
	tls *execmem.Mapping
	// cancelWatch is the unit's registration with the last cancellable
	// context a call on it had (cancel.go).
	cancelWatch cancelWatch
}

var (
	tableMu    sync.Mutex
	units      [maxFrames]*unit // units[i].f == frameTable[i]
	spareUnits []*unit          // units whose stack was unmapped
	pools      sync.Map         // stack size → *pool
	defPool    = &pool{size: DefaultStackSize}
	freeMu     sync.Mutex // one FreeIdleStacks at a time
)

// pool is a lock-free stack of idle units of one stack size. head packs a
// generation count (high 32 bits, against ABA) and index+1 of the top unit.
type pool struct {
	size int
	head atomic.Uint64
}

func poolFor(size int) *pool {
	if size == DefaultStackSize {
		return defPool
	}
	if p, ok := pools.Load(size); ok {
		return p.(*pool)
	}
	p, _ := pools.LoadOrStore(size, &pool{size: size})
	return p.(*pool)
}

func (p *pool) pop() *unit {
	for {
		h := p.head.Load()
		top := uint32(h)
		if top == 0 {
			return nil
		}
		u := units[top-1]
		if p.head.CompareAndSwap(h, (h>>32+1)<<32|uint64(u.next.Load())) {
			return u
		}
	}
}

func (p *pool) push(u *unit) {
	for {
		h := p.head.Load()
		u.next.Store(uint32(h))
		if p.head.CompareAndSwap(h, (h>>32+1)<<32|uint64(u.index+1)) {
			return
		}
	}
}

// get returns an idle unit, mapping a new stack if none is idle.
func (p *pool) get() (*unit, error) {
	if u := p.pop(); u != nil {
		return u, nil
	}
	return newUnit(p.size)
}

func (p *pool) put(u *unit) { p.push(u) }

// newUnit maps a stack of size usable bytes between two guard regions and
// attaches it to a spare frame or a new one.
func newUnit(size int) (*unit, error) {
	// Every path here comes after setup (which sizes the FPU save area);
	// make sure anyway, rather than run a call unprotected.
	if err := setup(); err != nil {
		return nil, err
	}
	ps := execmem.PageSize()
	size = (size + ps - 1) &^ (ps - 1)
	m, err := mapStack(size)
	if err != nil {
		return nil, err
	}

	tableMu.Lock()
	defer tableMu.Unlock()
	var u *unit
	if n := len(spareUnits); n > 0 {
		u, spareUnits = spareUnits[n-1], spareUnits[:n-1]
	} else {
		n := int(atomic.LoadUint32(&frameCount))
		if n == maxFrames {
			m.Close()
			return nil, fmt.Errorf("trampoline: %d calls at once: no more call frames", maxFrames)
		}
		u = &unit{f: new(frame), index: n, xsave: fpuArea()}
		u.f.index = uint32(n)
		u.f.goMXCSR, u.f.goFCW = GoMXCSR, GoX87CW
		u.f.xsave = uintptr(unsafe.Pointer(&u.xsave[0]))
		u.vec = fpuArea()
		u.f.vec = uintptr(unsafe.Pointer(&u.vec[0]))
		units[n] = u
		frameTable[n] = u.f
		atomic.StoreUint32(&frameCount, uint32(n+1))
	}
	u.attach(m, size)
	return u, nil
}

// checkStackSize sets the package up and returns the stack a Caller or a
// Machine asks for with stackSize (0: the default), rounded up to whole
// pages.
func checkStackSize(stackSize int) (int, error) {
	if stackSize < 0 {
		return 0, fmt.Errorf("trampoline: stack size %d is negative", stackSize)
	}
	if err := setup(); err != nil {
		return 0, err
	}
	return roundStack(stackSize)
}

// mapStack maps a stack of size usable bytes (whole pages) with a guard
// region of StackGuardSize on each side.
func mapStack(size int) (*execmem.Mapping, error) {
	m, err := mapGuarded(size, StackGuardSize)
	if err != nil {
		return nil, fmt.Errorf("trampoline: map a %d-byte stack: %w", size, err)
	}
	return m, nil
}

// mapGuarded maps size read+write bytes (whole pages) with a PROT_NONE
// guard region of guard bytes on each side.
func mapGuarded(size, guard int) (*execmem.Mapping, error) {
	m, err := execmem.Map(size+2*guard, execmem.MapOptions{Prot: execmem.ProtNone})
	if err != nil {
		return nil, err
	}
	if err := m.ProtectRange(guard, size, execmem.ProtRW); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

// attach gives u's frame the stack m of size usable bytes.
func (u *unit) attach(m *execmem.Mapping, size int) {
	base := m.Addr()
	f := u.f
	f.lo = base
	f.stackLo = base + StackGuardSize
	top := f.stackLo + uintptr(size) - 16
	f.stackTop = top
	f.stackTop16 = top - 16
	f.hi = base + uintptr(size+2*StackGuardSize)
	u.size = size
	u.stack = m
}

// checkStack renews the stack of a call that ended with st when the code
// may have broken it: a read or write that faulted on the stack's own
// pages (they are read+write: only the code, with mprotect or munmap,
// could have changed that), or a fault in the trampoline's prologue or
// epilogue, which touch the stack. A unit never goes back to the pool
// with a stack it cannot use.
func (u *unit) checkStack(st status) {
	f := u.f
	if st != statusFault {
		return
	}
	pc, addr := uintptr(f.rip), uintptr(f.addr)
	// (An instruction fetch from the stack faults on a healthy stack: it
	// is not executable.)
	onStack := f.trapno == 14 && f.errcode&pfFetchBit == 0 && addr >= f.stackLo && addr < f.stackTop+16
	if onStack || inTrampoline(pc) || inEnter(pc) {
		u.renewStack()
	}
}

// renewStack replaces u's stack with a new mapping of the same size. If
// that fails the old one stays: the next call on it faults again, as the
// call's, and renews it again.
func (u *unit) renewStack() {
	m, err := mapStack(u.size)
	if err != nil {
		return
	}
	old := u.stack
	u.attach(m, u.size)
	old.Close()
}

// acquire returns an idle unit with a stack of size usable bytes: for
// the default size from the P's cache or the pool (getUnit), for others
// from the pool of that size.
func acquire(size int) (*unit, error) {
	if size == DefaultStackSize {
		return getUnit()
	}
	return poolFor(size).get()
}

// release gives a unit acquire returned back.
func release(u *unit) {
	if u.size == DefaultStackSize {
		putUnit(u)
		return
	}
	poolFor(u.size).put(u)
}

// FreeIdleStacks unmaps the stacks of calls that are not running and
// returns how many it unmapped; calls made afterwards map stacks again as
// needed. Each P keeps one stack for the fast path of Call: to empty those
// caches safely it runs a garbage collection (runtime.GC). Stacks of
// calls in progress are not touched.
func FreeIdleStacks() int {
	freeMu.Lock()
	defer freeMu.Unlock()
	drainCache()
	n := 0
	free := func(p *pool) {
		for u := p.pop(); u != nil; u = p.pop() {
			u.f.lo, u.f.hi = 0, 0 // the handler no longer matches it
			u.dropCancelWatch()
			u.f.deleteTimer()
			u.stack.Close()
			u.stack = nil
			if u.tls != nil {
				u.tls.Close()
				u.tls, u.f.tls = nil, 0
			}
			tableMu.Lock()
			spareUnits = append(spareUnits, u)
			tableMu.Unlock()
			n++
		}
	}
	free(defPool)
	pools.Range(func(_, p any) bool { free(p.(*pool)); return true })
	return n
}

// tlsBlock is the usable part of a PrivateTLS block; the FS base is its
// middle, and a guard page lies on each side.
const tlsBlock = 8 << 10

// prepareTLS maps u's PrivateTLS block if it has none, and sets its first
// word (at the FS base) to its own address, the thread pointer's
// convention, which the last call's code may have changed.
func (u *unit) prepareTLS() error {
	ps := execmem.PageSize()
	if u.tls == nil {
		m, err := mapGuarded(tlsBlock, ps)
		if err != nil {
			return fmt.Errorf("trampoline: map a thread-local block: %w", err)
		}
		u.tls = m
		u.f.tls = m.Addr() + uintptr(ps+tlsBlock/2)
	}
	binary.LittleEndian.PutUint64(u.tls.Bytes()[ps+tlsBlock/2:], uint64(u.f.tls))
	return nil
}
