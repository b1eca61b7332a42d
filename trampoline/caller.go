package trampoline

import (
	"errors"
	"unsafe"
)

// Caller makes calls like Call on a stack of its own, which it holds from
// NewCaller until Close: the cheapest way to call machine code many times
// from one goroutine (a benchmark loop, an interpreter calling compiled
// code). Call finds an idle stack on every call, through a per-P cache
// that it must pin the goroutine to reach; a Caller skips both. Every
// guarantee of Call holds: hygiene, faults as *Fault, a long call parked
// when the runtime needs its thread.
//
// A Caller is not safe for concurrent use: give each goroutine its own.
// (A call started while another call of the same Caller is running is
// refused with an error when the first is seen running, but the check is
// not synchronised: it catches misuse, it does not make it safe.)
type Caller struct {
	f   *frame  // u.f; nil once closed
	top uintptr // f.stackTop: the call need not wait for a load through f
	u   *unit
}

var errCallerClosed = errors.New("trampoline: Caller.Call after Close")

// NewCaller returns a Caller with a stack of stackSize usable bytes
// (rounded up to whole pages; 0 means DefaultStackSize).
func NewCaller(stackSize int) (*Caller, error) {
	size, err := checkStackSize(stackSize)
	if err != nil {
		return nil, err
	}
	u, err := acquire(size)
	if err != nil {
		return nil, err
	}
	return &Caller{f: u.f, top: u.f.stackTop, u: u}, nil
}

// Call calls the machine code at addr with up to six integer arguments,
// as the package-level Call does, on the Caller's stack.
func (c *Caller) Call(addr uintptr, args ...uint64) (Result, error) {
	f := c.f
	if f == nil {
		return Result{}, errCallerClosed
	}
	if len(args) > len(Args{}.Int) {
		return Result{}, errTooManyArgs(len(args))
	}
	if f.inCall != 0 {
		return Result{}, errors.New("trampoline: Caller.Call while another call of the same Caller runs (a Caller is for one goroutine at a time)")
	}
	f.fn = addr
	f.flags = 0 // X0–X7 start zero
	f.interrupt = 0
	f.inCall = 1
	st := enter(f, c.top, unsafe.SliceData(args), len(args))
	if st == statusReturned {
		f.inCall = 0
		return Result{RAX: f.rax, RDX: f.rdx, X0: f.x0.Lo, X1: f.x1.Lo}, nil
	}
	return c.finish(st, args)
}

// finish completes a call that did not simply return.
func (c *Caller) finish(st status, args []uint64) (Result, error) {
	f := c.f
	st = complete(f, st, unsafe.SliceData(args), len(args), false)
	f.inCall = 0
	f.interrupt = 0
	res, err := c.u.finish(nil, st, nil, nil)
	c.top = f.stackTop // finish may have given the unit a new stack
	return res, err
}

// Close gives the Caller's stack back to the pool that Call and Run use.
// Closing twice returns an error; Call after Close returns an error.
func (c *Caller) Close() error {
	if c.u == nil {
		return errors.New("trampoline: Caller closed twice")
	}
	release(c.u)
	c.f, c.u = nil, nil
	return nil
}
