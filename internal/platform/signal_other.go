//go:build !linux

package platform

// SetSigaction fails with ErrUnsupported.
func SetSigaction(sig int, act, old *Sigaction) error { return ErrUnsupported }

// QueueThreadSignal does nothing.
func QueueThreadSignal(tid, sig int, value uint64) {}

// SignalStack fails with ErrUnsupported.
func SignalStack() (uintptr, error) { return 0, ErrUnsupported }
