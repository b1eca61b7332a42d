// Package platform is jitrun's one door to the kernel: every system call
// that execmem, trampoline, probe and bench make goes through it, and it
// is the only package of theirs that imports golang.org/x/sys/unix
// (trampoline's assembly, whose signal handler and trampoline make a few
// system calls of their own where no Go may run, aside).
//
// The model, after wazero's internal/platform: one small file per concern
// and per operating system — memory mappings (mmap.go), memory files
// (memfd), /proc/self/maps and the auxiliary vector (procfs, auxv),
// process switches (prctl, personality), protection keys (pkey), the
// kernel's name (uname), the calling thread's CPU and CPU time (affinity,
// clock), the perf_event cycle counter (perf), and what trampoline needs:
// signal handlers and queued signals (signal), per-thread timers (timer),
// the thread's id and FS base (thread), seccomp filters (seccomp), reads
// of this process's memory that cannot fault (procmem), and the system
// calls it makes for machine code (syscall). Each concern has a
// _linux.go file that calls the kernel and an _other.go file that compiles
// everywhere else and fails with an error wrapping errors.ErrUnsupported
// (ErrUnsupported), so that the packages above build, vet and report
// "unsupported" on every GOOS.
//
// Functions are thin: they take and return plain values (addresses as
// uintptr, so memory that is not Go's never becomes a Go pointer), and on
// failure return the kernel's errno as a syscall.Errno, unwrapped, so that
// errors.Is(err, syscall.EPERM) works and callers word the error in their
// own terms. Nothing here keeps state.
package platform
