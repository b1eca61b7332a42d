package trampoline

import (
	"context"
	"sync/atomic"

	"github.com/jitrun/jitrun/internal/platform"
)

// A call with a cancellable context is interrupted when the context is
// done by a context.AfterFunc that signals the call's thread with the
// call's value (frame.callValue), which the handler matches. Registering
// an AfterFunc allocates and takes the context's lock, several hundred
// nanoseconds, so a unit keeps its registration from call to call while
// its calls come with contexts that share one Done channel (a loop of
// calls under one context, or a WithTimeout's context and those derived
// from it by WithValue), and registers again only when the context
// changes. The registration signals only while a call runs (tid not 0);
// one left behind when the unit goes idle keeps its context referenced
// until the unit's next cancellable call or FreeIdleStacks.
type cancelWatch struct {
	done <-chan struct{} // the context's Done channel (nil: no registration)
	stop func() bool     // the AfterFunc's stop
	tid  atomic.Int32    // the thread of the call running under it; 0: none
}

// watchCancel makes sure ctx, whose Done channel is done, interrupts the
// call about to run on u on thread tid.
func (u *unit) watchCancel(ctx context.Context, done <-chan struct{}, tid int) {
	w := &u.cancelWatch
	if w.done != done {
		u.dropCancelWatch()
		f := u.f
		w.done = done
		w.stop = context.AfterFunc(ctx, func() {
			// Whatever attempt runs now (a stale signal is harmless: its
			// value no longer matches).
			if tid := w.tid.Load(); tid != 0 {
				if v := f.loadCallValue(); v != 0 {
					platform.QueueThreadSignal(int(tid), timeoutSignal, v)
				}
			}
		})
	}
	w.tid.Store(int32(tid))
}

// dropCancelWatch ends u's registration, if any.
func (u *unit) dropCancelWatch() {
	w := &u.cancelWatch
	if w.stop != nil {
		w.stop()
	}
	w.done, w.stop = nil, nil
	w.tid.Store(0)
}
