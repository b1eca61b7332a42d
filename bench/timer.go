package bench

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/disasm"
	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/internal/platform"
	"github.com/jitrun/jitrun/trampoline"
)

// timer is one loaded measuring function: a kernel, unrolled, with a clock.
type timer struct {
	name    string
	kernel  *kernelCode
	prog    *asm.Program
	block   *execmem.Block
	entry   uintptr
	buf     uintptr // the scratch buffer, passed in RDI (0: none)
	unroll  int
	pmc     *platform.PerfCounter
	timeout time.Duration
}

// newTimer generates and loads the measuring function of kc with unroll
// copies.
func newTimer(name, file string, kc *kernelCode, clock Clock, unroll int, cpu CPU, buf uintptr, pmc *platform.PerfCounter, timeout time.Duration) (*timer, error) {
	prog, err := buildHarness(harnessSpec{file: file, clock: clock, unroll: unroll, kernel: kc, avx: cpu.AVX, avx512: cpu.AVX512})
	if err != nil {
		return nil, err
	}
	t := &timer{name: name, kernel: kc, prog: prog, buf: buf, unroll: unroll, pmc: pmc, timeout: timeout}
	if t.block, err = execmem.Load(prog.Code); err != nil {
		return nil, fmt.Errorf("bench: loading kernel %q: %w", name, err)
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

// newSubject loads kc with unroll and 2·unroll copies and maps its buffer.
func newSubject(name, file string, kc *kernelCode, clock Clock, unroll int, cpu CPU, bufSize int, pmc *platform.PerfCounter, timeout time.Duration) (_ *subject, err error) {
	s := &subject{name: name}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	var buf uintptr
	if bufSize > 0 {
		if buf, err = s.mapBuffer(bufSize); err != nil {
			return nil, fmt.Errorf("bench: scratch buffer of kernel %q: %w", name, err)
		}
	}
	if s.single, err = newTimer(name, file, kc, clock, unroll, cpu, buf, pmc, timeout); err != nil {
		return nil, err
	}
	if s.double, err = newTimer(name, file, kc, clock, 2*unroll, cpu, buf, pmc, timeout); err != nil {
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

// maxCounterRetries bounds the re-runs of a call during which the perf
// counter moved to another hardware counter.
const maxCounterRetries = 10

// run runs the measuring function once with L = iters and returns the
// primary clock's and the TSC's ticks over the timed region.
func (t *timer) run(ctx context.Context, iters int) (primary, tsc uint64, err error) {
	var args trampoline.Args
	args.Int[0] = uint64(t.buf)
	args.Int[1] = uint64(iters)
	opt := trampoline.Options{Timeout: t.timeout, Code: t.block}
	for try := 0; ; try++ {
		var counter uint32
		if t.pmc != nil {
			var ok bool
			if counter, ok = t.pmc.Counter(); !ok {
				return 0, 0, errors.New("bench: the perf_event counter is no longer on a hardware counter")
			}
			args.Int[2] = uint64(counter)
		}
		res, err := trampoline.Run(ctx, t.entry, &args, &opt)
		if err != nil {
			return 0, 0, t.kernelError(err)
		}
		if t.pmc != nil {
			if now, ok := t.pmc.Counter(); !ok || now != counter {
				if try < maxCounterRetries {
					continue
				}
				return 0, 0, errors.New("bench: the perf_event counter keeps moving between hardware counters")
			}
			res.RAX &= 1<<t.pmc.Width() - 1
		}
		return res.RAX, res.RDX, nil
	}
}

// kernelError turns a fault or an interruption into a *KernelError that
// names the source line; other errors pass through.
func (t *timer) kernelError(err error) error {
	var pc uintptr
	var f *trampoline.Fault
	var it *trampoline.Interrupted
	switch {
	case errors.As(err, &f):
		pc = f.PC
		switch {
		case f.Signal == syscall.SIGTRAP && pc > 0: // INT3: the PC is past it
			pc--
		case f.Syscall != nil && pc >= 2: // a refused SYSCALL (0f 05) or INT 0x80 (cd 80): the PC is past it
			pc -= 2
		}
	case errors.As(err, &it):
		if errors.Is(err, context.Canceled) {
			return err
		}
		pc = it.PC
	default:
		return err
	}
	ke := &KernelError{Kernel: t.name, Err: err, Program: t.prog}
	base := t.block.Addr()
	if pc >= base && pc < base+uintptr(len(t.prog.Code)) {
		ke.Offset, ke.InCode = int(pc-base), true
		if row, err := disasm.At(t.prog.Code, uint64(pc), disasm.Options{Base: uint64(base), Program: t.prog}); err == nil {
			ke.Instruction = row.Text
		}
		if l, ok := t.prog.LineAt(ke.Offset); ok {
			ke.Pos, ke.Source, ke.HasSource = t.kernel.sourceLine(l.Pos)
		}
	}
	return ke
}
