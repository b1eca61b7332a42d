package trampoline

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/jitrun/jitrun/internal/platform"
)

// Under SyscallsGuard the filter stops the code's memory system calls
// (mmap, munmap, mprotect, mremap, madvise, mseal, …) and its opens, and
// the handler hands each one to Go as statusSyscall (the call is parked,
// its registers saved). Go decides it here and either performs it on the
// code's behalf — the result goes back in RAX and the code goes on after
// the SYSCALL — or refuses it, which ends the call with a SIGSYS *Fault
// that says why. A seccomp filter sees only numbers, not what memory an
// address belongs to: that is why these calls come to Go.
//
// The rule for memory: the code may unmap, protect, remap, advise and seal
// only memory it mapped itself (codeMemory), never the program's own —
// its text, the Go heap, jitrun's stacks, the code being run — and never
// writable and executable at once. New mappings (mmap without MAP_FIXED)
// are always allowed and become the code's. An open succeeds unless what
// it opened is this process's memory file (/proc/self/mem, through any
// path), through which the code could write jitrun's memory.

// decideRule is one system call the filter stops for Go.
type decideRule struct {
	name   string
	nargs  int
	decide func(nr uintptr, args *[6]uint64) (ret uint64, refusal string)
}

// decideRules are the rules ruleDecideBase+i of the filter. (Order is
// the filter's: append, do not reorder.)
var decideRules = []decideRule{
	{"mmap", 6, decideMmap},
	{"munmap", 2, decideMunmap},
	{"mprotect", 3, decideMprotect},
	{"pkey_mprotect", 4, decideMprotect},
	{"mremap", 5, decideMremap},
	{"madvise", 3, decideOwnedOnly("madvise of")},
	{"mseal", 3, decideOwnedOnly("mseal of")},
	{"open", 3, decideOpen},
	{"openat", 4, decideOpen},
	{"openat2", 4, decideOpen},
}

const (
	ruleDecideBase  = 128
	ruleDecideCount = 16 // room for decideRules to grow; the handler's range check
)

// decideSyscall decides the system call the frame's code was stopped at.
// It reports whether the call goes on (the result is in the saved RAX);
// when it does not, the frame holds a SIGSYS fault with the refusal.
func (f *frame) decideSyscall() bool {
	i := int(f.sysRule) - ruleMagic - ruleDecideBase
	if i < 0 || i >= len(decideRules) {
		f.refuse(fmt.Sprintf("internal error: no decision rule %d", i))
		return false
	}
	args := [6]uint64{f.jit[RDI], f.jit[RSI], f.jit[RDX], f.jit[R10], f.jit[R8], f.jit[R9]}
	ret, refusal := decideRules[i].decide(uintptr(f.sysNr), &args)
	if refusal != "" {
		f.refuse(refusal)
		return false
	}
	f.jit[RAX] = ret
	return true
}

// refuse turns the frame's stopped system call into a SIGSYS fault, as if
// the filter had refused it, with the reason Fault.Syscall gives.
func (f *frame) refuse(reason string) {
	f.signo, f.code = int32(sigSYS), sysSeccomp
	f.addr = f.jitRIP // si_call_addr: after the SYSCALL
	f.errcode, f.trapno = 0, ^uint64(0)
	u := units[f.index]
	u.snapshotParked()
	u.refusal = reason
}

// sysSeccomp is SIGSYS's si_code SYS_SECCOMP.
const sysSeccomp = 1

// memRange is [lo, hi) of memory, page-aligned.
type memRange struct{ lo, hi uint64 }

// codeMemory is the memory the code mapped itself: the third piece of
// process-wide state of the package, with the filter it belongs to (its
// mappings outlive the call that made them, as a C program's do).
var codeMemory struct {
	mu     sync.Mutex
	ranges []memRange // sorted, disjoint, not adjacent
}

// pageRange returns [addr, addr+length rounded up to pages), and false
// for a length that wraps the address space or an unaligned address (the
// kernel refuses those itself: the call goes through and gets its EINVAL).
func pageRange(addr, length uint64) (memRange, bool) {
	end := addr + pageUp(length)
	if addr%sysPageSize != 0 || end < addr || length > 1<<63 {
		return memRange{}, false
	}
	return memRange{addr, end}, true
}

// sysPageSize is the page size of the memory system calls (x86-64).
const sysPageSize = 4096

// pageUp rounds a length up to whole pages as the kernel does
// (PAGE_ALIGN): modulo 2^64, so that a length within a page of 2^64
// becomes 0.
func pageUp(length uint64) uint64 { return (length + sysPageSize - 1) &^ (sysPageSize - 1) }

// owned reports whether r lies wholly in memory the code mapped.
func owned(r memRange) bool {
	codeMemory.mu.Lock()
	defer codeMemory.mu.Unlock()
	at := r.lo
	for _, c := range codeMemory.ranges {
		if c.hi <= at {
			continue
		}
		if c.lo > at {
			return false
		}
		at = c.hi
		if at >= r.hi {
			return true
		}
	}
	return at >= r.hi
}

// own adds r to the code's memory, or removes it.
func own(r memRange, add bool) {
	codeMemory.mu.Lock()
	defer codeMemory.mu.Unlock()
	var out []memRange
	for _, c := range codeMemory.ranges {
		if c.hi <= r.lo || c.lo >= r.hi {
			out = append(out, c)
			continue
		}
		if c.lo < r.lo {
			out = append(out, memRange{c.lo, r.lo})
		}
		if c.hi > r.hi {
			out = append(out, memRange{r.hi, c.hi})
		}
	}
	if add {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].lo < out[j].lo })
	merged := out[:0]
	for _, c := range out {
		if n := len(merged); n > 0 && merged[n-1].hi >= c.lo {
			merged[n-1].hi = max(merged[n-1].hi, c.hi)
			continue
		}
		merged = append(merged, c)
	}
	codeMemory.ranges = merged
}

// notOwned is the refusal for memory that is not the code's.
func notOwned(what string, r memRange) string {
	return fmt.Sprintf("%s %#x-%#x: the range is not memory the code mapped itself (it holds the program, its stacks or the code being run)", what, r.lo, r.hi)
}

// Memory system call constants (x86-64 Linux).
const (
	protWrite        = 0x2
	protExec         = 0x4
	mapFixed         = 0x10
	mapFixedNoreplce = 0x100000
	mremapFixed      = 0x2
	mremapDontunmap  = 0x4
)

const wxRefusal = "the code asked for memory writable and executable at once, which jitrun never maps (W^X)"

func decideMmap(nr uintptr, a *[6]uint64) (uint64, string) {
	addr, length, prot, flags := a[0], a[1], a[2], a[3]
	if prot&protWrite != 0 && prot&protExec != 0 {
		return 0, wxRefusal
	}
	if flags&mapFixed != 0 && flags&mapFixedNoreplce == 0 {
		if r, ok := pageRange(addr, length); ok && !owned(r) {
			return 0, notOwned("mmap(MAP_FIXED) over", r)
		}
	}
	ret := platform.MakeSyscall(nr, *a, false)
	if r, ok := pageRange(ret, length); ok && !isErrno(ret) {
		own(r, true)
	}
	return ret, ""
}

func decideMunmap(nr uintptr, a *[6]uint64) (uint64, string) {
	r, ok := pageRange(a[0], a[1])
	if ok && !owned(r) {
		return 0, notOwned("munmap of", r)
	}
	ret := platform.MakeSyscall(nr, *a, false)
	if ok && ret == 0 {
		own(r, false)
	}
	return ret, ""
}

// decideMprotect decides mprotect and pkey_mprotect (the same first three
// arguments).
func decideMprotect(nr uintptr, a *[6]uint64) (uint64, string) {
	if a[2]&protWrite != 0 && a[2]&protExec != 0 {
		return 0, wxRefusal
	}
	return decideOwnedOnly("mprotect of")(nr, a)
}

// decideOwnedOnly decides a call whose first two arguments are a range
// that must be the code's own memory (madvise, mseal; mprotect after its
// W^X check); what names the call in a refusal.
func decideOwnedOnly(what string) func(nr uintptr, a *[6]uint64) (uint64, string) {
	return func(nr uintptr, a *[6]uint64) (uint64, string) {
		if r, ok := pageRange(a[0], a[1]); ok && !owned(r) {
			return 0, notOwned(what, r)
		}
		return platform.MakeSyscall(nr, *a, false), ""
	}
}

// decideMremap decides mremap. An old length that rounds up to 0 (0
// itself, or one within a page of 2^64) asks the kernel to map the shared
// pages at the old address a second time, leaving them where they are:
// the page there must be the code's as well.
func decideMremap(nr uintptr, a *[6]uint64) (uint64, string) {
	oldAddr, oldLen, newLen, flags, newAddr := a[0], a[1], a[2], a[3], a[4]
	duplicate := pageUp(oldLen) == 0
	old, ok := pageRange(oldAddr, oldLen)
	if duplicate {
		old, ok = pageRange(oldAddr, 1)
	}
	if ok && !owned(old) {
		return 0, notOwned("mremap of", old)
	}
	if flags&mremapFixed != 0 {
		if r, ok := pageRange(newAddr, newLen); ok && !owned(r) && !overlaps(r, old) {
			return 0, notOwned("mremap(MREMAP_FIXED) onto", r)
		}
	}
	ret := platform.MakeSyscall(nr, *a, false)
	if isErrno(ret) {
		return ret, ""
	}
	if ok && !duplicate && flags&mremapDontunmap == 0 {
		own(old, false)
	}
	if r, ok := pageRange(ret, newLen); ok {
		own(r, true)
	}
	return ret, ""
}

func overlaps(a, b memRange) bool { return a.lo < b.hi && b.lo < a.hi }

// isErrno reports whether a system call's raw result is -errno.
func isErrno(ret uint64) bool { return ret > ^uint64(4095) }

// decideOpen makes an open, openat or openat2 for the code (it may block,
// on a FIFO say: the runtime runs other goroutines meanwhile), then looks
// at what it opened: this process's memory file (/proc/PID/mem,
// /proc/PID/task/TID/mem, by whatever path) is closed again and the open
// refused.
func decideOpen(nr uintptr, a *[6]uint64) (uint64, string) {
	ret := platform.MakeSyscall(nr, [6]uint64{a[0], a[1], a[2], a[3]}, true)
	if isErrno(ret) {
		return ret, ""
	}
	fd := int(ret)
	if target, err := platform.FDPath(fd); err == nil && isOwnMemFile(target, os.Getpid()) {
		platform.CloseFD(fd)
		return 0, fmt.Sprintf("it opened %s, this process's memory, through which the code could write jitrun's own memory", target)
	}
	return ret, ""
}

// isOwnMemFile reports whether path (as /proc/self/fd shows an open file)
// is the memory file of process pid or one of its threads.
func isOwnMemFile(path string, pid int) bool {
	rest, ok := strings.CutPrefix(path, fmt.Sprintf("/proc/%d/", pid))
	if !ok {
		return false
	}
	if rest == "mem" {
		return true
	}
	task, ok := strings.CutPrefix(rest, "task/")
	if !ok {
		return false
	}
	_, file, ok := strings.Cut(task, "/")
	return ok && file == "mem"
}
