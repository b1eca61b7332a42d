//go:build linux

package platform

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// bytesAt views n bytes of mapped memory at addr.
func bytesAt(addr uintptr, n int) []byte {
	return unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&addr))), n)
}

func TestMmapLifecycle(t *testing.T) {
	ps := PageSize()
	addr, err := Mmap(0, 2*ps, ProtRead|ProtWrite, 0, -1, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer Munmap(addr, 2*ps)
	b := bytesAt(addr, 2*ps)
	b[0], b[ps] = 0xc3, 0x90
	if err := Mprotect(addr, ps, ProtRead|ProtExec); err != nil {
		t.Fatal(err)
	}
	maps, err := ReadSelfMaps()
	if err != nil {
		t.Fatal(err)
	}
	// The first page is r-x now (a line of its own: its neighbours are
	// rw- or unmapped, so the kernel cannot merge it with them).
	line := fmt.Sprintf("%x-%x r-xp ", addr, addr+uintptr(ps))
	if !bytes.Contains(maps, []byte(line)) {
		t.Errorf("no line starting %q in %s", line, SelfMapsPath)
	}
	// A fixed mapping over a taken range without replace: EEXIST.
	if _, err := Mmap(addr, ps, ProtRead, MapFixedNoReplace, -1, 0); !errors.Is(err, syscall.EEXIST) {
		t.Errorf("MAP_FIXED_NOREPLACE over a mapping: %v, want EEXIST", err)
	}
	grown, err := Mremap(addr+uintptr(ps), ps, 2*ps, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := bytesAt(grown, 1)[0]; got != 0x90 {
		t.Errorf("after mremap the page holds %#x, want 0x90", got)
	}
	if err := Munmap(grown, 2*ps); err != nil {
		t.Fatal(err)
	}
}

func TestErrnoAndSignalNames(t *testing.T) {
	if got := ErrnoName(syscall.EACCES); got != "EACCES" {
		t.Errorf("ErrnoName(EACCES) = %q", got)
	}
	if got := SignalName(syscall.SIGSEGV); got != "SIGSEGV" {
		t.Errorf("SignalName(SIGSEGV) = %q", got)
	}
	if err := Munmap(1, PageSize()); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("munmap of an unaligned address: %v, want EINVAL", err)
	}
}

func TestMemfdCreateExec(t *testing.T) {
	fd, err := MemfdCreateExec("platform-test")
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	if err := syscall.Ftruncate(fd, int64(PageSize())); err != nil {
		t.Fatal(err)
	}
	addr, err := Mmap(0, PageSize(), ProtRead|ProtExec, MapShared, fd, 0)
	if err != nil {
		t.Fatalf("an executable view of the memory file: %v", err)
	}
	Munmap(addr, PageSize())
}

func TestAuxv(t *testing.T) {
	const atPagesz = 6 // AT_PAGESZ
	if v, ok := Auxv(atPagesz); !ok || int(v) != PageSize() {
		t.Errorf("Auxv(AT_PAGESZ) = %d, %v; want %d", v, ok, PageSize())
	}
	if _, ok := Auxv(1 << 30); ok {
		t.Error("Auxv of a tag no kernel sets reported a value")
	}
}

func TestPersonalityAndMDWE(t *testing.T) {
	p, err := Personality()
	if err != nil {
		t.Fatal(err)
	}
	if p&ReadImpliesExec != 0 {
		t.Errorf("the test process runs with READ_IMPLIES_EXEC (%#x)", p)
	}
	// PR_GET_MDWE is Linux 6.3+; where known, the test process has it off.
	if v, err := GetMDWE(); err == nil && v != 0 {
		t.Errorf("PR_GET_MDWE = %#x in the test process, want 0", v)
	} else if err != nil && !errors.Is(err, syscall.EINVAL) {
		t.Errorf("PR_GET_MDWE: %v", err)
	}
}

func TestUname(t *testing.T) {
	rel, machine, err := Uname()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
	if rel == "" || want != "" && machine != want {
		t.Errorf("Uname() = %q, %q; want a release and %q", rel, machine, want)
	}
}

func TestPinThread(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	affinity := func() unix.CPUSet {
		t.Helper()
		var set unix.CPUSet
		if err := unix.SchedGetaffinity(0, &set); err != nil {
			t.Fatal(err)
		}
		return set
	}
	before := affinity()
	cpu, restore, err := PinThread()
	if err != nil {
		t.Fatal(err)
	}
	if pinned := affinity(); cpu < 0 || pinned.Count() != 1 || !pinned.IsSet(cpu) {
		t.Errorf("pinned to CPU %d: the thread's CPU set has %d CPUs (CPU %d in it: %v)", cpu, pinned.Count(), cpu, cpu >= 0 && pinned.IsSet(cpu))
	}
	if err := restore(); err != nil {
		t.Fatal(err)
	}
	if after := affinity(); after != before {
		t.Errorf("restore left the thread on %d CPUs, it had %d", after.Count(), before.Count())
	}
}

func TestThreadCPUTime(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	t0, err := ThreadCPUTime()
	if err != nil {
		t.Fatal(err)
	}
	// Spin until the thread's CPU time moves: it must, and only forward.
	for i := 0; ; i++ {
		t1, err := ThreadCPUTime()
		if err != nil {
			t.Fatal(err)
		}
		if t1 < t0 {
			t.Fatalf("thread CPU time went back from %v to %v", t0, t1)
		}
		if t1 > t0 {
			return
		}
		if i > 1e7 {
			t.Fatalf("thread CPU time stuck at %v", t0)
		}
	}
}

// TestProcessCPUTime checks that the process's CPU time moves forward
// while a thread spins, and that it covers at least that thread's time.
func TestProcessCPUTime(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	p0, err := ProcessCPUTime()
	if err != nil {
		t.Fatal(err)
	}
	t0, err := ThreadCPUTime()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		t1, err1 := ThreadCPUTime()
		p1, err2 := ProcessCPUTime()
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if p1 < p0 {
			t.Fatalf("process CPU time went back from %v to %v", p0, p1)
		}
		if t1-t0 > time.Millisecond {
			if p1-p0 < t1-t0 {
				t.Fatalf("process CPU time moved %v, less than this thread's %v", p1-p0, t1-t0)
			}
			return
		}
		if i > 1e7 {
			t.Fatalf("thread CPU time stuck at %v", t0)
		}
	}
}

func TestPerfCycles(t *testing.T) {
	p, err := OpenPerfCycles()
	if err != nil {
		// Most VMs have no PMU: the error must say which call failed.
		if !bytes.Contains([]byte(err.Error()), []byte("perf_event")) {
			t.Errorf("OpenPerfCycles error %q does not name perf_event", err)
		}
		t.Skipf("SKIP: no perf_event cycle counter here: %v", err)
	}
	defer p.Close()
	if w := p.Width(); w < 32 || w > 64 {
		t.Errorf("counter width %d bits", w)
	}
}

// BenchmarkThreadCPUTime: bench reads it once per timed region.
func BenchmarkThreadCPUTime(b *testing.B) {
	for b.Loop() {
		if _, err := ThreadCPUTime(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPipeUnread checks that both ends of a pipe say how much it holds.
func TestPipeUnread(t *testing.T) {
	r, w, err := Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer CloseFD(r)
	defer CloseFD(w)
	if _, err := syscall.Write(w, []byte("abc")); err != nil {
		t.Fatal(err)
	}
	for _, fd := range []int{r, w} {
		if n, err := PipeUnread(fd); n != 3 || err != nil {
			t.Errorf("PipeUnread(%d) = %d, %v; want 3", fd, n, err)
		}
	}
	if n, err := ReadFD(r, make([]byte, 8)); n != 3 || err != nil {
		t.Fatalf("ReadFD = %d, %v", n, err)
	}
	if n, err := PipeUnread(w); n != 0 || err != nil {
		t.Errorf("PipeUnread after the read = %d, %v; want 0", n, err)
	}
}

// TestOpenPTY checks that the terminal side of a new pseudo-terminal is a
// terminal, and a pipe is not.
func TestOpenPTY(t *testing.T) {
	master, terminal, err := OpenPTY()
	if err != nil {
		t.Skipf("SKIPPED: no pseudo-terminal here: %v", err)
	}
	defer CloseFD(master)
	defer CloseFD(terminal)
	if !IsTerminal(terminal) {
		t.Error("the terminal side of a pseudo-terminal is not a terminal")
	}
	r, w, err := Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer CloseFD(r)
	defer CloseFD(w)
	if IsTerminal(r) {
		t.Error("a pipe is a terminal")
	}
}
