package trampoline

import (
	"fmt"
	"sync"
)

// The web policy: a second seccomp filter, for code from a web page
// (package isolate's Web policy), installed right before the code runs.
// The filter of GuardSyscalls decides by the address of the SYSCALL
// instruction, so code that sets up its registers and jumps to a SYSCALL
// inside the program's own text (runtime.Syscall6, say) makes a call
// that looks like Go's. This filter closes that hole: from the program's
// own code it allows only what the Go runtime and jitrun need once the
// code runs, whatever calls it.

// Rules of the web filter, ruleMagic | rule in SECCOMP_RET_DATA.
const (
	ruleWebCode = 4 // a call from the code that the web policy does not allow
	ruleWebAny  = 5 // a call the web policy refuses from any address
)

// webCodeCalls are the system calls the code itself may make under the
// web policy (the filter checks the descriptor of read and write).
// exit and exit_group pass this filter: GuardSyscalls' filter, which
// GuardWeb installs first, refuses them as a fault.
var webCodeCalls = []string{
	"clock_gettime", "clock_getres", "gettimeofday", "time", "nanosleep", "clock_nanosleep",
	"exit", "exit_group",
}

// webRuntimeCalls are the system calls the program's own code may make
// under the web policy: what the Go runtime and jitrun were seen to make
// once the code runs (strace of run, run --time, --trace and bench), and
// their close relatives. clone, kill, tgkill, process_vm_readv,
// prlimit64, sched_setaffinity and fcntl are checked further
// (webChecked).
var webRuntimeCalls = []string{
	// descriptors the process already has
	"read", "write", "pread64", "pwrite64", "readv", "writev", "close", "fstat", "lseek",
	"dup", "dup2", "dup3", "pipe2", "eventfd2",
	"epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2", "ppoll", "poll",
	// memory
	"mmap", "munmap", "mprotect", "madvise", "mremap", "mincore",
	// signals and threads of this process
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "arch_prctl",
	"futex", "sched_yield", "sched_getaffinity", "getcpu", "gettid", "getpid", "getppid",
	"set_robust_list", "rseq", "restart_syscall",
	// time
	"clock_gettime", "clock_getres", "gettimeofday", "time", "nanosleep", "clock_nanosleep",
	"timer_create", "timer_settime", "timer_gettime", "timer_getoverrun", "timer_delete",
	"setitimer", "getitimer",
	// the end
	"exit", "exit_group",
	// reading limits and randomness
	"getrlimit", "getrandom",
}

// webRuntimeErrno are calls the program's own code gets EACCES for: the
// Go runtime and jitrun may try them and go on without (a file to read,
// the state of a path); they name files, which the code must not reach.
var webRuntimeErrno = []string{
	"open", "openat", "openat2", "creat", "stat", "lstat", "newfstatat", "statx",
	"access", "faccessat", "faccessat2", "readlink", "readlinkat", "getcwd",
}

// webRuntimeRefused are refused as a fault from any address: they would
// reach outside the process — files by name, the network, other
// processes, the kernel's wider interfaces. Anything on none of the lists
// fails with ENOSYS: clone3 among them, whose flags lie in memory where
// the filter cannot read them (glibc's pthread_create then falls back to
// clone, which is checked).
var webRuntimeRefused = []string{
	"execve", "execveat", "fork", "vfork",
	"socket", "socketpair", "connect", "bind", "listen", "accept", "accept4",
	"sendto", "sendmsg", "sendmmsg", "recvfrom", "recvmsg", "recvmmsg", "shutdown",
	"ptrace", "process_vm_writev", "process_madvise", "pidfd_open", "pidfd_getfd", "pidfd_send_signal",
	"tkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
	"unlink", "unlinkat", "rename", "renameat", "renameat2", "mkdir", "mkdirat", "rmdir",
	"link", "linkat", "symlink", "symlinkat", "chmod", "fchmod", "fchmodat", "chown", "fchown",
	"lchown", "fchownat", "truncate", "ftruncate", "mknod", "mknodat", "chdir", "fchdir", "chroot",
	"mount", "umount2", "pivot_root", "setns", "unshare", "memfd_create",
	"io_uring_setup", "io_uring_enter", "io_uring_register", "bpf", "perf_event_open",
	"userfaultfd", "keyctl", "add_key", "request_key", "seccomp", "prctl", "personality",
	"setrlimit", "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid",
	"ioctl", "fanotify_init", "inotify_init1", "name_to_handle_at", "open_by_handle_at",
}

// The flags of a new thread: the Go runtime's (runtime.cloneFlags,
// CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_SYSVSEM|CLONE_THREAD,
// with CLONE_SETTLS as strace shows Go 1.26 passing them), and glibc's
// pthread_create (those plus CLONE_PARENT_SETTID and
// CLONE_CHILD_CLEARTID), for programs with cgo (-race): the only clones
// the web filter allows. The runtime does start threads while the code
// runs: with runtime.cloneFlags alone (no CLONE_SETTLS) allowed, 3 of 260
// isolated runs died of SIGSYS in Go's clone. A thread shares the
// process, its filters and its limits; a new process would not.
const (
	goThreadCloneFlags    = 0xd0f00
	glibcThreadCloneFlags = 0x3d0f00
)

// The web filter, once installed: process-wide like the kernel's filter.
var webGuard struct {
	mu        sync.Mutex
	installed bool
}

// GuardWeb installs the web policy for the whole process, on top of
// GuardSyscalls (which it installs with SyscallsGuard when no policy is
// installed yet), and is meant to be called once the program has read
// its input and mapped the code, right before the code runs: from then
// on,
//
//   - the code itself may call write on descriptors 1 and 2, read on
//     descriptor 0, and read the clock or sleep (clock_gettime,
//     clock_getres, gettimeofday, time, nanosleep, clock_nanosleep);
//     exit and exit_group are refused by GuardSyscalls' filter; every
//     other call is refused (a *Fault, SIGSYS, whose Syscall.Reason says
//     the web policy refuses it);
//   - from any address, the program's own code included (code can jump
//     into it), only what the Go runtime needs runs: reads and writes of
//     descriptors already open, memory, signals and threads of this
//     process (clone only with a thread's flags; kill and tgkill only to
//     this process; process_vm_readv only of this process; prlimit64 only
//     to read; sched_setaffinity only of the calling thread; fcntl
//     without F_SETOWN and F_SETSIG, which would signal another process),
//     the clock, exit. Opening or naming a file fails with
//     EACCES; exec, fork, sockets, ptrace, signals to other processes,
//     file-system changes, io_uring, bpf and the other calls of
//     webRuntimeRefused are refused (a *Fault when code made them through
//     the program's own text); anything else fails with ENOSYS.
//
// It is irreversible; calling it again does nothing. It needs
// linux/amd64; elsewhere it returns an error wrapping
// errors.ErrUnsupported.
func GuardWeb() error {
	if !supported {
		return errUnsupported
	}
	webGuard.mu.Lock()
	defer webGuard.mu.Unlock()
	if webGuard.installed {
		return nil
	}
	if _, ok := InstalledSyscallPolicy(); !ok {
		if err := GuardSyscalls(SyscallsGuard); err != nil {
			return err
		}
	}
	if err := installWebFilter(); err != nil {
		return err
	}
	webGuard.installed = true
	return nil
}

// WebGuarded reports whether GuardWeb installed the web filter.
func WebGuarded() bool {
	webGuard.mu.Lock()
	defer webGuard.mu.Unlock()
	return webGuard.installed
}

// buildWebFilter returns the web filter's program; own is the program's
// own code (ownCode), pid this process.
func buildWebFilter(own []codeRange, pid uint32) ([]bpfInsn, error) {
	if len(own) == 0 {
		return nil, fmt.Errorf("trampoline: found no executable code of the program's own in /proc/self/maps")
	}
	var a bpfAsm
	a.nativeOnly()
	a.ownCodeTest(own, func() { a.goTo("runtime") })

	// The code's own calls. A = the number.
	a.emit(bpfLdAbs, seccompNr)
	if err := a.webFD("read", 0, 0, "code.allow", "code.refuse"); err != nil {
		return nil, err
	}
	if err := a.webFD("write", 1, 2, "code.allow", "code.refuse"); err != nil {
		return nil, err
	}
	if err := a.webList(webCodeCalls, "code.allow"); err != nil {
		return nil, err
	}
	a.label("code.refuse")
	a.emit(bpfRet, trapRule(ruleWebCode))
	a.label("code.allow")
	a.emit(bpfRet, seccompRetAllow)

	// The program's own code, or code that jumped into it. Each list
	// ends with its answer: a conditional jump reaches 255 instructions.
	a.label("runtime")
	a.emit(bpfLdAbs, seccompNr)
	if err := a.webList(webRuntimeCalls, "allow"); err != nil {
		return nil, err
	}
	a.goTo("checked")
	a.label("allow")
	a.emit(bpfRet, seccompRetAllow)
	a.label("checked")
	if err := a.webChecked(pid); err != nil {
		return nil, err
	}
	if err := a.webList(webRuntimeErrno, "eacces"); err != nil {
		return nil, err
	}
	a.goTo("refused")
	a.label("eacces")
	a.emit(bpfRet, seccompRetErrno|errnoEACCES)
	a.label("refused")
	if err := a.webList(webRuntimeRefused, "refuse"); err != nil {
		return nil, err
	}
	a.emit(bpfRet, seccompRetErrno|errnoENOSYS)
	a.label("refuse")
	a.emit(bpfRet, trapRule(ruleWebAny))
	return a.assemble()
}

// The fcntl commands the web filter allows: what Go's os and runtime
// use.
const (
	fDupFD        = 0
	fGetFD        = 1
	fSetFD        = 2
	fGetFL        = 3
	fSetFL        = 4
	fDupFDCloexec = 1030
	seccompA1     = 24 // args[1] in struct seccomp_data (low word)
)

const (
	seccompRetErrno = 0x00050000 // SECCOMP_RET_ERRNO
	errnoEACCES     = 13
	errnoENOSYS     = 38
)

// webList emits: A (the number) is one of names → to.
func (a *bpfAsm) webList(names []string, to string) error {
	for _, name := range names {
		nr, ok := syscallNumber(name)
		if !ok {
			return fmt.Errorf("trampoline: internal error: no system call %q on x86-64", name)
		}
		a.jump(bpfJeq, uint32(nr), to, "")
	}
	return nil
}

// webFD emits: A is call name and its first argument (a descriptor) is
// lo or hi → to, else → no. A holds the number again on the way out.
func (a *bpfAsm) webFD(name string, lo, hi uint32, to, no string) error {
	nr, ok := syscallNumber(name)
	if !ok {
		return fmt.Errorf("trampoline: internal error: no system call %q on x86-64", name)
	}
	next := "fd." + name
	a.jump(bpfJeq, uint32(nr), "", next)
	a.emit(bpfLdAbs, seccompA0+4) // the descriptor's high word: 0
	a.jump(bpfJeq, 0, "", no)
	a.emit(bpfLdAbs, seccompA0)
	a.jump(bpfJeq, lo, to, "")
	a.jump(bpfJeq, hi, to, no)
	a.label(next)
	return nil
}

// webChecked emits the runtime's calls allowed with some arguments only;
// pid is this process. A holds the number on the way in and out; a call
// that fails its check is refused.
func (a *bpfAsm) webChecked(pid uint32) error {
	type check struct {
		name  string
		arg   uint32   // offset of the argument's low word in seccomp_data
		vals  []uint32 // allowed values of the low word
		whole bool     // the high word must be 0 too
	}
	for _, c := range []check{
		{"clone", seccompA0, []uint32{goThreadCloneFlags, glibcThreadCloneFlags}, false},
		{"kill", seccompA0, []uint32{pid}, true},
		{"tgkill", seccompA0, []uint32{pid}, true},
		{"process_vm_readv", seccompA0, []uint32{pid}, true},
		{"prlimit64", seccompA2, []uint32{0}, true},
		{"sched_setaffinity", seccompA0, []uint32{0}, true}, // the calling thread (bench pins it)
		// Not F_SETOWN, F_SETOWN_EX or F_SETSIG: with O_ASYNC those
		// would make the kernel signal another process (SIGIO).
		{"fcntl", seccompA1, []uint32{fDupFD, fGetFD, fSetFD, fGetFL, fSetFL, fDupFDCloexec}, true},
	} {
		nr, ok := syscallNumber(c.name)
		if !ok {
			return fmt.Errorf("trampoline: internal error: no system call %q on x86-64", c.name)
		}
		next, check, yes, no := "chk."+c.name, "chk."+c.name+".lo", "chk."+c.name+".yes", "chk."+c.name+".no"
		a.jump(bpfJeq, uint32(nr), "", next)
		if c.whole {
			a.emit(bpfLdAbs, c.arg+4)
			a.jump(bpfJeq, 0, check, no)
		}
		a.label(check)
		a.emit(bpfLdAbs, c.arg)
		for _, v := range c.vals {
			a.jump(bpfJeq, v, yes, "")
		}
		a.label(no)
		a.emit(bpfRet, trapRule(ruleWebAny))
		a.label(yes)
		a.emit(bpfRet, seccompRetAllow)
		a.label(next)
		a.emit(bpfLdAbs, seccompNr)
	}
	return nil
}
