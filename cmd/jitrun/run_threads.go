package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/jitrun/jitrun/internal/platform"
	"github.com/jitrun/jitrun/trampoline"
)

// maxThreads bounds --threads: each thread is an OS thread with a stack
// of its own.
const maxThreads = 256

// threadResult is one thread's call in --threads.
type threadResult struct {
	tid        int
	out        *outcome
	err        error
	start, end time.Time
}

// runThreads calls the code on n OS threads at once (callThreads) and
// prints one result per thread — its thread id, its stack and RSP, and
// what the code returned or how it failed — then whether the calls
// overlapped and how many stacks they used. --disasm prints the listing
// first.
func runThreads(e *env, r *report, ca *callArgs, opts trampoline.Options, f *runFlags) error {
	var b strings.Builder
	if f.disasm {
		r.writeCodeHeader(&b)
		r.writeListing(&b, 0, false)
		b.WriteByte('\n')
	}
	e.link.callStarts(opts.Timeout)
	results := callThreads(r, ca, opts, f.threads)
	e.link.callEnded()
	for i, res := range results {
		if res.err != nil {
			return systemError("thread %d: %v", i+1, res.err)
		}
	}
	status := writeThreadResults(&b, r, results, opts.Timeout)
	r.writeMemArgs(&b, nil) // run_memargs.go
	if _, err := io.WriteString(e.stdout, b.String()); err != nil {
		return systemError("%v", err)
	}
	return silentExit(status)
}

// callThreads calls the code on n OS threads at once: n goroutines, each
// locked to its thread, released together once every one is locked (so
// that no two share a thread), with a P each: a call holds its P while
// the code runs, and with fewer Ps than threads the others would wait for
// the runtime to park one (a call on a 2-CPU machine once finished before
// the last began, and its stack went to that one).
func callThreads(r *report, ca *callArgs, opts trampoline.Options, n int) []threadResult {
	if procs := runtime.GOMAXPROCS(0); procs < n {
		runtime.GOMAXPROCS(n)
		defer runtime.GOMAXPROCS(procs)
	}
	results := make([]threadResult, n)
	var ready, done sync.WaitGroup
	release := make(chan struct{})
	for i := range results {
		ready.Add(1)
		done.Add(1)
		go func(res *threadResult) {
			defer done.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			res.tid = platform.Gettid()
			ready.Done()
			<-release
			o := opts
			var regs trampoline.Regs
			o.Regs, o.Code = &regs, r.blk
			args := ca.args
			res.start = time.Now()
			res.out, res.err = callOnce(r.addr(), &args, &o)
			res.end = time.Now()
		}(&results[i])
	}
	ready.Wait()
	close(release)
	done.Wait()
	return results
}

// writeThreadResults prints the threads' results and returns the exit
// status: 3 if a call faulted, else 4 if one timed out, else 0.
func writeThreadResults(b *strings.Builder, r *report, results []threadResult, timeout time.Duration) int {
	n := len(results)
	fmt.Fprintf(b, "%s called the code at %#x (%s) at once\n", plural(n, "thread"), r.addr(), r.x.SymOff(r.rc.entry))
	status := exitOK
	stacks := map[[2]uintptr]bool{}
	for i, res := range results {
		out := res.out
		rsp := out.regs.GPR[trampoline.RSP]
		fmt.Fprintf(b, "thread %d: tid %d", i+1, res.tid)
		if reg, ok := r.x.Region(rsp); ok {
			stacks[[2]uintptr{reg.Start, reg.End}] = true
			fmt.Fprintf(b, ", stack %#x-%#x (%s)", reg.Start, reg.End, formatSize(int(reg.End-reg.Start)))
		}
		switch {
		case out.fault != nil:
			fmt.Fprintf(b, ", rsp %#x at the fault\n", rsp)
			fmt.Fprintf(b, "  fault: %s\n", r.faultHeadline(out.fault))
		case out.intr != nil:
			fmt.Fprintf(b, ", rsp %#x where it was stopped\n", rsp)
			if out.intr.PC == 0 {
				fmt.Fprintf(b, "  timeout: %v passed before the code started; nothing ran\n", timeout)
			} else {
				fmt.Fprintf(b, "  timeout: still running after %v, stopped at %s\n", timeout, r.x.ShortWhere(uint64(out.intr.PC)))
			}
		default:
			fmt.Fprintf(b, ", rsp %#x after the return\n", rsp)
			r.writeResult(b, out.res, "  ")
		}
		if s := out.status(); status == exitOK || s == exitFault {
			status = s // a fault outranks a timeout
		}
	}
	if n > 1 {
		fmt.Fprintf(b, "%s; one code address in every thread (one address space, one page table), %d different stacks\n", overlapOf(results), len(stacks))
	}
	return status
}

// overlapOf says whether the threads' calls overlapped in time.
func overlapOf(results []threadResult) string {
	lastStart, firstEnd := results[0].start, results[0].end
	for _, res := range results {
		if res.start.After(lastStart) {
			lastStart = res.start
		}
		if res.end.Before(firstEnd) {
			firstEnd = res.end
		}
	}
	if !lastStart.Before(firstEnd) {
		return "their calls did not all overlap in time (a stack freed by one call can be reused by the next)"
	}
	return "their calls overlapped in time"
}
