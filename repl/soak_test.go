package repl

import (
	"bytes"
	"context"
	"os"
	"runtime"
	"testing"

	"github.com/jitrun/jitrun/internal/platform"
	"github.com/jitrun/jitrun/trampoline"
)

// TestSoak types soakLines lines, one in ten of them faulting (four kinds
// of fault, each putting the state back), and checks that the session
// keeps neither mappings nor memory from line to line: the count of
// /proc/self/maps entries and the heap in use after a GC are measured
// after the first tenth of the lines (warm: the undo list is full, the
// heap grown) and at the end. A thread the Go runtime starts in between
// brings up to four mappings of its own under the race detector (its
// pthread stack and guard, its malloc arena and reserve: measured), so
// each new thread in /proc/self/task is allowed four.
func TestSoak(t *testing.T) {
	s := newSession(t, Options{})
	ctx := context.Background()
	faults := []string{"mov rax, [0]", "ud2", "div r8", "mov byte ptr [rsp-0x9000], 1"}
	plain := []string{"add rax, 3", "push rax", "pop rbx", "movq xmm1, rax", "vpaddq ymm2, ymm2, ymm1", "mov [rdi], rax", "inc rcx", "xor rdx, rbx", "lea rsi, [rdi+8]"}
	var maps0, threads0 int
	var heap0 uint64
	faulted, typed, adds := 0, 0, 0
	for i := range soakLines {
		var line string
		if i%10 == 9 {
			line = faults[(i/10)%len(faults)]
		} else {
			line = plain[typed%len(plain)]
			if typed%len(plain) == 0 {
				adds++
			}
			typed++
		}
		out, err := s.Feed(ctx, line)
		if err != nil {
			t.Fatalf("line %d %q: %v", i, line, err)
		}
		if out.Kind == Faulted {
			if i%10 != 9 {
				t.Errorf("line %d %q faulted: %s at %s", i, line, out.Why, out.Where)
			}
			faulted++
		} else if out.Kind != Ran {
			t.Fatalf("line %d %q: %v (%s)", i, line, out.Kind, out.Why)
		}
		if i == soakLines/10 {
			maps0, heap0 = mapsCount(t), heapInUse()
			threads0 = threadCount(t)
		}
	}
	if faulted != soakLines/10 {
		t.Errorf("%d lines faulted, want %d", faulted, soakLines/10)
	}
	// What the lines did: rax grew by 3 on each add.
	if got := s.Regs().GPR[trampoline.RAX]; got != uint64(3*adds) {
		t.Errorf("rax %d after %d adds of 3", got, adds)
	}
	maps1, heap1, threads1 := mapsCount(t), heapInUse(), threadCount(t)
	t.Logf("%d lines (%d faulted): %d mappings then %d, %d threads then %d; heap in use %d KiB then %d KiB", soakLines, faulted, maps0, maps1, threads0, threads1, heap0>>10, heap1>>10)
	if limit := maps0 + 4 + 4*max(0, threads1-threads0); maps1 > limit {
		t.Errorf("mappings grew from %d to %d (limit %d: 4, and 4 for each of the %d new threads)", maps0, maps1, limit, max(0, threads1-threads0))
	}
	// The entries kept for .history and .save grow (some 200 bytes a
	// line); the machine's state must not.
	if limit := heap0 + uint64(soakLines)*400 + 4<<20; heap1 > limit {
		t.Errorf("heap in use grew from %d KiB to %d KiB (limit %d KiB)", heap0>>10, heap1>>10, limit>>10)
	}
}

func mapsCount(t *testing.T) int {
	t.Helper()
	data, err := platform.ReadSelfMaps()
	if err != nil {
		t.Skipf("no /proc/self/maps: %v", err)
	}
	return bytes.Count(data, []byte("\n"))
}

// threadCount is how many threads the process has (/proc/self/task).
func threadCount(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Skipf("no /proc/self/task: %v", err)
	}
	return len(entries)
}

func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}
