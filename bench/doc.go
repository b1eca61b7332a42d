// Package bench measures what machine code costs in core cycles: the
// latency of a dependency chain, the throughput of independent copies, the
// cycles per iteration of a loop, and how two variants compare. It needs no
// root, no kernel module and no performance counters.
//
// The model: a kernel is a fragment of code (Kernel, in Go or Intel syntax,
// or built with the asm package). Measure generates a measuring function with
// the asm Builder — zero the registers, run the kernel's init code, read the
// clock between LFENCEs, run L iterations of a loop over U copies of the
// kernel (R15 counts; RSP is the harness's), read the clock again — and
// loads it under W^X with execmem and calls it through the trampoline, so a
// kernel that faults or loops comes back as a *KernelError. Round after
// round, interleaved with the other kernels, each kernel runs three ways:
// U copies for L and for 2L iterations, and 2U copies for L iterations. Each
// batch of rounds gives one estimate of the cycles per copy from the fastest
// run of each way, (2U, L) − (U, L) over U·L, in which the clock reads and
// the loop's own instructions cancel out; (U, 2L) − (U, L) gives what the
// loop adds per iteration (Result.LoopOverhead). Results are medians of the batch
// estimates with benchmath confidence intervals, and kernels are compared
// with benchmath's U test, as benchstat does. Report.WriteGo prints the
// estimates in Go's benchmark format for benchstat; Benchmark reports them
// from a testing.B.
//
// # Clocks
//
// Detect finds out which clocks work: perf_event core cycles read with
// RDPMC where the kernel and a PMU allow it (ClockPerf); the APERF register
// read with AMD's RDPRU (ClockAPERF), which counts core cycles exactly; or
// the TSC (ClockTSC), which ticks at a constant rate, converted to core cycles
// by a dependent chain of one-cycle register ADDs measured alongside the
// kernels, one ratio per batch, and re-measured after the run (Report.Warnings
// says when it drifted more than 1.5%). Every result says which clock it
// came from. Measure calls Detect itself, once per process, in the calling
// process: trying RDPRU on a CPU without it raises SIGILL, which the
// trampoline's fault handling turns into an error that only marks the clock
// unavailable. The jitrun command runs Detect in a child process instead and
// passes its Probe in Options.Probe.
//
// # Quiet measurement
//
// During Measure the goroutine is locked to its OS thread, the thread is
// pinned to the CPU it runs on (sched_setaffinity; restored afterwards), the
// garbage collector is off (debug.SetGCPercent(-1); restored afterwards) and
// every kernel is run untimed (Options.Warmup) before the timing starts. L is
// chosen so that a timed region lasts about 100 µs: long enough to dwarf the
// clock reads, short enough that interrupts rarely land in one.
//
// # Concurrency
//
// Everything here is safe for concurrent use. Two measurements at once would
// disturb each other, so Measure holds a process-wide lock while it
// measures; the probe Measure detects is kept for the life of the process.
// Those two are the package's only global state.
//
// Everything needs linux/amd64; elsewhere Measure and Detect return an error
// wrapping errors.ErrUnsupported.
package bench
