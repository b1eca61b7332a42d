//go:build linux

package platform

import (
	"errors"
	"fmt"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// PerfCounter is a perf_event core-cycle counter of the calling thread,
// readable in user mode with RDPMC through its mmap'd control page.
type PerfCounter struct {
	fd   int
	page []byte
}

// perfCapUserRDPMC is cap_user_rdpmc in perf_event_mmap_page.capabilities.
const perfCapUserRDPMC = 1 << 2

// OpenPerfCycles opens the core-cycle counter of the calling thread, user
// mode only, and checks that RDPMC may read it.
func OpenPerfCycles() (*PerfCounter, error) {
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
	p := &PerfCounter{fd: fd, page: page}
	if p.meta().Capabilities&perfCapUserRDPMC == 0 {
		p.Close()
		return nil, errors.New("the kernel does not allow RDPMC on the perf_event counter (cap_user_rdpmc is 0; see /sys/bus/event_source/devices/cpu/rdpmc)")
	}
	if _, ok := p.Counter(); !ok {
		p.Close()
		return nil, errors.New("the perf_event counter is not scheduled on a hardware counter (index 0)")
	}
	return p, nil
}

// perfHint says what a failed perf_event_open most likely means.
func perfHint(err error) string {
	switch {
	case errors.Is(err, unix.ENOENT), errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, unix.ENODEV):
		return " (no hardware cycle counter: a VM without a virtual PMU?)"
	case errors.Is(err, unix.EACCES), errors.Is(err, unix.EPERM):
		return " (see /proc/sys/kernel/perf_event_paranoid)"
	}
	return ""
}

func (p *PerfCounter) meta() *unix.PerfEventMmapPage {
	return (*unix.PerfEventMmapPage)(unsafe.Pointer(&p.page[0]))
}

// Counter returns the hardware counter number RDPMC reads (ECX), as the
// control page says now: index-1, valid when index is not 0. The kernel
// may move the event to another counter between two calls.
func (p *PerfCounter) Counter() (uint32, bool) {
	idx := atomic.LoadUint32(&p.meta().Index)
	return idx - 1, idx != 0
}

// Width returns the counter's width in bits (48 when the page does not say).
func (p *PerfCounter) Width() uint {
	if w := p.meta().Pmc_width; w > 0 && w <= 64 {
		return uint(w)
	}
	return 48
}

// Close unmaps the control page and closes the event.
func (p *PerfCounter) Close() {
	unix.Munmap(p.page)
	unix.Close(p.fd)
}
