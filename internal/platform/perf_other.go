//go:build !linux

package platform

// PerfCounter is a perf_event cycle counter (Linux only).
type PerfCounter struct{}

// OpenPerfCycles fails with ErrUnsupported.
func OpenPerfCycles() (*PerfCounter, error) { return nil, ErrUnsupported }

// Counter reports no counter.
func (p *PerfCounter) Counter() (uint32, bool) { return 0, false }

// Width returns 48.
func (p *PerfCounter) Width() uint { return 48 }

// Close does nothing.
func (p *PerfCounter) Close() {}
