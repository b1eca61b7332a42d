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
// changes. The registration signals only while a call runs under it: the
// unit's state names the registration (gen) and the running call's thread
// (0: none). An AfterFunc that began before the unit dropped it (stop
// returns false then) finds another registration's number there, or the
// state changed between its reads, and sends nothing. One left behind
// when the unit goes idle keeps its context referenced until the unit's
// next cancellable call or FreeIdleStacks.
type cancelWatch struct {
	done  <-chan struct{} // the context's Done channel (nil: no registration)
	stop  func() bool     // the AfterFunc's stop
	gen   uint32          // the registration's number (the unit's goroutine only)
	state atomic.Uint64   // gen<<32 | the thread of the call running under it (0: none)
}

// watchCancel makes sure ctx, whose Done channel is done, interrupts the
// call about to run on u on thread tid.
func (u *unit) watchCancel(ctx context.Context, done <-chan struct{}, tid int) {
	w := &u.cancelWatch
	if w.done != done {
		u.dropCancelWatch()
		f := u.f
		w.gen++
		gen := w.gen
		w.done = done
		w.stop = context.AfterFunc(ctx, func() {
			// Whatever attempt of a call under this registration runs
			// now (a stale value is harmless: it no longer matches).
			s := w.state.Load()
			if uint32(s>>32) != gen || uint32(s) == 0 {
				return
			}
			if v := f.loadCallValue(); v != 0 && w.state.Load() == s {
				platform.QueueThreadSignal(int(int32(uint32(s))), timeoutSignal, v)
			}
		})
	}
	w.setThread(tid)
}

// setThread says which thread runs the call under u's registration (0:
// no call runs).
func (w *cancelWatch) setThread(tid int) {
	w.state.Store(uint64(w.gen)<<32 | uint64(uint32(int32(tid))))
}

// dropCancelWatch ends u's registration, if any.
func (u *unit) dropCancelWatch() {
	w := &u.cancelWatch
	if w.stop != nil {
		w.stop()
	}
	w.done, w.stop = nil, nil
	w.setThread(0)
}
