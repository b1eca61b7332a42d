package bench

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/disasm"
	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/explain"
	"github.com/jitrun/jitrun/internal/platform"
	"github.com/jitrun/jitrun/trampoline"
)

// subjectSpec is what a subject (and each of its timers) is made of.
type subjectSpec struct {
	name, file string // the kernel's name; the measuring Program's file
	kernel     *kernelCode
	clock      Clock
	unroll     int // U; the subject's second timer has 2U
	cpu        CPU
	bufSize    int                   // scratch buffer bytes (0: none)
	pmc        *platform.PerfCounter // ClockPerf's counter, else nil
	timeout    time.Duration
	// internal, for a subject of the package's own (the TSC calibration,
	// a clock check) rather than the user's kernel, says what it is for
	// its errors ("the TSC calibration measured with kernel \"k\""): they
	// are not *KernelError, and name no source line of its code.
	internal string
}

// timer is one loaded measuring function: a kernel, unrolled, with a clock.
type timer struct {
	spec   *subjectSpec
	prog   *asm.Program
	block  *execmem.Block
	entry  uintptr
	buf    uintptr // the scratch buffer, passed in RDI (0: none)
	unroll int
}

// newTimer generates and loads the measuring function of spec with unroll
// copies of its kernel.
func newTimer(spec *subjectSpec, unroll int, buf uintptr) (*timer, error) {
	prog, err := buildHarness(harnessSpec{file: spec.file, clock: spec.clock, unroll: unroll, kernel: spec.kernel, avx: spec.cpu.AVX, avx512: spec.cpu.AVX512})
	if err != nil {
		return nil, err
	}
	t := &timer{spec: spec, prog: prog, buf: buf, unroll: unroll}
	ro, w := prog.LoadLayout() // read-only data (float constants) r--, writable data rw-
	if t.block, err = execmem.LoadWith(prog.Code, execmem.LoadOptions{Readonly: ro, Writable: w}); err != nil {
		return nil, fmt.Errorf("bench: loading kernel %q: %w", spec.name, err)
	}
	off, _ := prog.Lookup(entryName)
	t.entry = t.block.Addr() + uintptr(off)
	return t, nil
}

// close unmaps the code.
func (t *timer) close() error { return t.block.Close() }

// The three sizes of timed region a subject runs.
const (
	sizeUL  = iota // U copies, L iterations
	sizeU2L        // U copies, 2L iterations
	size2UL        // 2U copies, L iterations
	numSizes
)

// subject is a kernel as Measure runs it: the measuring function with U
// copies and the one with 2U, its scratch buffer, and L.
//
// The estimate of a copy's cost is (T(2U, L) − T(U, L)) / (U·L): the two
// regions run the loop the same number of times and read the clocks the
// same way, so the difference is U·L copies of the kernel and nothing else —
// neither clock reads nor the loop's DEC/JNE (which a latency-bound kernel
// hides but a throughput-bound one does not: 0.5 cycles per iteration for
// two ADD chains on Redwood Cove). T(U, 2L) − T(U, L) is L iterations with
// their loop overhead, which gives that overhead.
type subject struct {
	name           string
	single, double *timer
	buf            *execmem.Mapping
	loop           int
}

// newSubject loads spec's kernel with U and 2U copies and maps its buffer.
func newSubject(spec subjectSpec) (_ *subject, err error) {
	s := &subject{name: spec.name}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	var buf uintptr
	if spec.bufSize > 0 {
		if buf, err = s.mapBuffer(spec.bufSize); err != nil {
			return nil, fmt.Errorf("bench: scratch buffer of kernel %q: %w", spec.name, err)
		}
	}
	if s.single, err = newTimer(&spec, spec.unroll, buf); err != nil {
		return nil, err
	}
	if s.double, err = newTimer(&spec, 2*spec.unroll, buf); err != nil {
		return nil, err
	}
	return s, nil
}

// mapBuffer maps the scratch buffer, size bytes rounded up to whole pages,
// read+write, between two inaccessible guard pages, so that a kernel that
// runs off either end faults instead of writing over other memory.
func (s *subject) mapBuffer(size int) (uintptr, error) {
	ps := execmem.PageSize()
	size = (size + ps - 1) &^ (ps - 1)
	m, err := execmem.Map(size+2*ps, execmem.MapOptions{Prot: execmem.ProtNone})
	if err != nil {
		return 0, err
	}
	s.buf = m
	if err := m.ProtectRange(ps, size, execmem.ProtRW); err != nil {
		return 0, err
	}
	return m.Addr() + uintptr(ps), nil
}

// close unmaps the code and the buffer.
func (s *subject) close() error {
	var err error
	for _, t := range []*timer{s.single, s.double} {
		if t != nil {
			err = errors.Join(err, t.close())
		}
	}
	if s.buf != nil {
		err = errors.Join(err, s.buf.Close())
	}
	return err
}

func (s *subject) unroll() int { return s.single.unroll }

// run runs one timed region of the given size.
func (s *subject) run(ctx context.Context, size int) (primary, tsc uint64, err error) {
	switch size {
	case sizeUL:
		return s.single.run(ctx, s.loop)
	case sizeU2L:
		return s.single.run(ctx, 2*s.loop)
	}
	return s.double.run(ctx, s.loop)
}

// Bounds on re-running one timed region: when the perf counter moved to
// another hardware counter during it, and when its timeout fired while the
// thread was not running (descheduled).
const (
	maxCounterRetries     = 10
	maxDescheduledRetries = 10
)

// run runs the measuring function with L = iters and returns the primary
// clock's and the TSC's ticks over the timed region.
//
// The timeout counts wall time, but what it is meant to catch is a kernel
// that runs too long; a thread that waits for a CPU (a busy machine, and
// Measure pins it to one CPU) can see a region of 100 µs take milliseconds.
// So a region the timeout stopped is run again when the thread ran on a
// CPU for less than half the timeout meanwhile, and for less than the
// timeout over all its stopped runs, up to maxDescheduledRetries times. A
// kernel that loops is stopped once: its thread ran nearly all the
// timeout.
func (t *timer) run(ctx context.Context, iters int) (primary, tsc uint64, err error) {
	runtime.LockOSThread() // one thread for the CPU-time readings
	defer runtime.UnlockOSThread()
	var args trampoline.Args
	args.Int[0] = uint64(t.buf)
	args.Int[1] = uint64(iters)
	pmc := t.spec.pmc
	var moved, descheduled int
	var ran time.Duration // CPU time of the runs the timeout stopped
	for {
		var counter uint32
		if pmc != nil {
			var ok bool
			if counter, ok = pmc.Counter(); !ok {
				return 0, 0, errors.New("bench: the perf_event counter is no longer on a hardware counter")
			}
			args.Int[2] = uint64(counter)
		}
		res, cpu, err := t.call(ctx, &args)
		if err != nil {
			if cpu > 0 {
				ran += cpu
			}
			if t.stoppedWaiting(ctx, err, cpu, ran) && descheduled < maxDescheduledRetries {
				descheduled++
				continue
			}
			return 0, 0, t.kernelError(err, ctxEnded(ctx))
		}
		if pmc != nil {
			if now, ok := pmc.Counter(); !ok || now != counter {
				if moved++; moved <= maxCounterRetries {
					continue
				}
				return 0, 0, errors.New("bench: the perf_event counter keeps moving between hardware counters")
			}
			res.RAX &= 1<<pmc.Width() - 1
		}
		return res.RAX, res.RDX, nil
	}
}

// call runs the measuring function once and returns how long the thread
// ran on a CPU meanwhile (-1 when it cannot tell).
func (t *timer) call(ctx context.Context, args *trampoline.Args) (trampoline.Result, time.Duration, error) {
	cpu0, err0 := platform.ThreadCPUTime()
	res, err := trampoline.Run(ctx, t.entry, args, &trampoline.Options{Timeout: t.spec.timeout, Code: t.block})
	cpu := time.Duration(-1)
	if err != nil && err0 == nil {
		if cpu1, err1 := platform.ThreadCPUTime(); err1 == nil {
			cpu = cpu1 - cpu0
		}
	}
	return res, cpu, err
}

// stoppedWaiting reports whether err is the timeout stopping a region
// while its thread ran on a CPU for less than half the timeout (cpu, this
// run's CPU time) and for less than the timeout over all the stopped runs
// (ran): it waited for a CPU more than it ran. A kernel that loops runs
// for all the timeout but the last moments, which CPU time lags the wall
// clock by, so a margin below the timeout alone would let it run twice. A
// cancelled or expired ctx is never that.
func (t *timer) stoppedWaiting(ctx context.Context, err error, cpu, ran time.Duration) bool {
	var it *trampoline.Interrupted
	return errors.As(err, &it) && !ctxEnded(ctx) && cpu >= 0 && cpu < t.spec.timeout/2 && ran < t.spec.timeout
}

// ctxEnded reports whether ctx is done or past its deadline. The
// trampoline stops code at the deadline by a timer of its own, which may
// fire before ctx's, so ctx.Err() alone can still be nil then.
func ctxEnded(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	dl, ok := ctx.Deadline()
	return ok && !time.Now().Before(dl)
}

// kernelError turns a fault or an interruption into a *KernelError that
// names the source line; other errors pass through. For an internal
// subject it says what stopped, in the user's terms; ctxDone says that
// ctx ended (its deadline, not the timeout, stopped the code).
func (t *timer) kernelError(err error, ctxDone bool) error {
	var pc uintptr
	var f *trampoline.Fault
	var it *trampoline.Interrupted
	switch {
	case errors.As(err, &f):
		// The faulting instruction: for INT3 (cc or cd 03) and a refused
		// SYSCALL or INT 0x80 the PC is past it.
		code := explain.Context{Code: t.prog.Code, Base: uint64(t.block.Addr()), Cap: t.block.Cap()}
		pc = uintptr(code.FaultPC(f))
	case errors.As(err, &it):
		if errors.Is(err, context.Canceled) {
			return err
		}
		pc = it.PC
	default:
		return err
	}
	if t.spec.internal != "" {
		return t.internalError(err, it != nil, ctxDone)
	}
	ke := &KernelError{Kernel: t.spec.name, Err: err, Program: t.prog}
	base := t.block.Addr()
	if pc >= base && pc < base+uintptr(len(t.prog.Code)) {
		ke.Offset, ke.InCode = int(pc-base), true
		if row, err := disasm.At(t.prog.Code, uint64(pc), disasm.Options{Base: uint64(base), Program: t.prog}); err == nil {
			ke.Instruction = row.Text
		}
		if l, ok := t.prog.LineAt(ke.Offset); ok {
			ke.Pos, ke.Source, ke.HasSource = t.spec.kernel.sourceLine(l.Pos)
		}
	}
	return ke
}

// internalError words a fault, a timeout or the end of ctx (ctxDone)
// that stopped an internal subject.
func (t *timer) internalError(err error, stopped, ctxDone bool) error {
	switch {
	case stopped && ctxDone:
		return fmt.Errorf("bench: %s was stopped: %w", t.spec.internal, err)
	case stopped:
		return fmt.Errorf("bench: %s ran past the timeout of %v (its timed regions last about %v; the thread ran that long on a CPU): give a longer timeout", t.spec.internal, t.spec.timeout, DefaultRegion)
	}
	return fmt.Errorf("bench: %s faulted: %w", t.spec.internal, err)
}
