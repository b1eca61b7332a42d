//go:build linux && amd64

package bench

import (
	"errors"
	"fmt"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// This file holds every system call of the package (Linux): pinning the
// measuring thread to a CPU, and the perf_event cycle counter.

const supported = true

// pinThread pins the calling thread (locked by the caller) to the CPU it is
// running on and returns a function that restores its former CPU set.
func pinThread() (cpu int, restore func() error, err error) {
	var old unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		return -1, nil, fmt.Errorf("sched_getaffinity: %w", err)
	}
	var c uint32
	if _, _, errno := unix.RawSyscall(unix.SYS_GETCPU, uintptr(unsafe.Pointer(&c)), 0, 0); errno != 0 {
		return -1, nil, fmt.Errorf("getcpu: %w", errno)
	}
	var one unix.CPUSet
	one.Set(int(c))
	if err := unix.SchedSetaffinity(0, &one); err != nil {
		return -1, nil, fmt.Errorf("sched_setaffinity to CPU %d: %w", c, err)
	}
	return int(c), func() error {
		if err := unix.SchedSetaffinity(0, &old); err != nil {
			return fmt.Errorf("sched_setaffinity (restore): %w", err)
		}
		return nil
	}, nil
}

// perfCounter is a perf_event core-cycle counter of the calling thread,
// readable in user mode with RDPMC through its mmap'd control page.
type perfCounter struct {
	fd   int
	page []byte
}

// Capability bits of perf_event_mmap_page.capabilities.
const perfCapUserRDPMC = 1 << 2

// openPerfCycles opens the core-cycle counter of the calling thread, user
// mode only, and checks that RDPMC may read it.
func openPerfCycles() (*perfCounter, error) {
	attr := unix.PerfEventAttr{
		Type:   unix.PERF_TYPE_HARDWARE,
		Config: unix.PERF_COUNT_HW_CPU_CYCLES,
		Size:   uint32(unsafe.Sizeof(unix.PerfEventAttr{})),
		Bits:   unix.PerfBitExcludeKernel | unix.PerfBitExcludeHv,
	}
	fd, err := unix.PerfEventOpen(&attr, 0, -1, -1, unix.PERF_FLAG_FD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("perf_event_open(cycles): %w%s", err, perfHint(err))
	}
	page, err := unix.Mmap(fd, 0, unix.Getpagesize(), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("mmap of the perf_event page: %w", err)
	}
	p := &perfCounter{fd: fd, page: page}
	if p.meta().Capabilities&perfCapUserRDPMC == 0 {
		p.close()
		return nil, errors.New("the kernel does not allow RDPMC on the perf_event counter (cap_user_rdpmc is 0; see /sys/bus/event_source/devices/cpu/rdpmc)")
	}
	if _, ok := p.counter(); !ok {
		p.close()
		return nil, errors.New("the perf_event counter is not scheduled on a hardware counter (index 0)")
	}
	return p, nil
}

func perfHint(err error) string {
	switch {
	case errors.Is(err, unix.ENOENT), errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, unix.ENODEV):
		return " (no hardware cycle counter: a VM without a virtual PMU?)"
	case errors.Is(err, unix.EACCES), errors.Is(err, unix.EPERM):
		return " (see /proc/sys/kernel/perf_event_paranoid)"
	}
	return ""
}

func (p *perfCounter) meta() *unix.PerfEventMmapPage {
	return (*unix.PerfEventMmapPage)(unsafe.Pointer(&p.page[0]))
}

// counter returns the hardware counter number RDPMC reads (ECX), as the
// control page says now: index-1, valid when index is not 0.
func (p *perfCounter) counter() (uint32, bool) {
	m := p.meta()
	idx := atomic.LoadUint32(&m.Index)
	return idx - 1, idx != 0
}

// width returns the counter's width in bits.
func (p *perfCounter) width() uint {
	if w := p.meta().Pmc_width; w > 0 && w <= 64 {
		return uint(w)
	}
	return 48
}

func (p *perfCounter) close() {
	unix.Munmap(p.page)
	unix.Close(p.fd)
}
