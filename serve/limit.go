package serve

import "context"

// limiter bounds the children: at most len(slots) run at once, and at
// most cap(admitted)-len(slots) requests wait for a slot; a request past
// that is refused at once (429), so a flood of requests costs the server
// a refusal each, not a goroutine blocked on a child.
type limiter struct {
	admitted chan struct{} // a token per request running or waiting
	slots    chan struct{} // a token per request running
}

func newLimiter(running, waiting int) *limiter {
	return &limiter{admitted: make(chan struct{}, running+waiting), slots: make(chan struct{}, running)}
}

// acquire takes a slot for one child, waiting in the queue while ctx
// lasts. It returns false when the queue is full (the caller answers
// 429) or ctx ended while waiting; release gives the slot back.
func (l *limiter) acquire(ctx context.Context) (release func(), ok bool) {
	select {
	case l.admitted <- struct{}{}:
	default:
		return nil, false
	}
	select {
	case l.slots <- struct{}{}:
		return func() { <-l.slots; <-l.admitted }, true
	case <-ctx.Done():
		<-l.admitted
		return nil, false
	}
}
