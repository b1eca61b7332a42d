//go:build linux

package testsupport

import (
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/jitrun/jitrun/internal/platform"
)

// TestWatchSeesWX maps a page W+X for a moment: the watcher must report
// it unless the range was allowed.
func TestWatchSeesWX(t *testing.T) {
	ps := platform.PageSize()
	rwx := platform.ProtRead | platform.ProtWrite | platform.ProtExec
	for _, allow := range []bool{false, true} {
		w := StartWXWatch(time.Millisecond)
		var addr uintptr
		mapIt := func() (uintptr, uintptr) {
			a, err := platform.Mmap(0, ps, rwx, 0, -1, 0)
			if err != nil {
				t.Fatal(err)
			}
			addr = a
			return a, a + uintptr(ps)
		}
		if allow {
			defer w.Allow(mapIt)()
		} else {
			mapIt()
		}
		// Stop samples once more, with the page still mapped.
		bad, samples := w.Stop()
		platform.Munmap(addr, ps)
		if samples < 1 || (bad != "") == allow || !allow && !strings.Contains(bad, " rwxp ") {
			t.Errorf("allowed %v: %d samples, violation %q", allow, samples, bad)
		}
	}
}

func TestMapsFields(t *testing.T) {
	for _, tc := range []struct {
		line       string
		start, end uintptr
		perms      string
		ok         bool
	}{
		{"7f00-7f01 rwxp 00000000 00:00 0", 0x7f00, 0x7f01, "rwxp", true},
		{"00400000-00452000 r-xp 00000000 08:02 173521      /usr/bin/dbus-daemon", 0x400000, 0x452000, "r-xp", true},
		{"7f00-7f01", 0, 0, "", false},
		{"7f00 rwxp", 0, 0, "", false},
		{"zz-7f01 rwxp 0 0 0", 0, 0, "", false},
		{"7f00-7f01 rwx 0 0 0", 0, 0, "", false},
	} {
		t.Run(tc.line, func(t *testing.T) {
			s, e, p, ok := mapsFields([]byte(tc.line))
			if ok != tc.ok || s != tc.start || e != tc.end || string(p) != tc.perms {
				t.Errorf("mapsFields = %#x, %#x, %q, %v", s, e, p, ok)
			}
		})
	}
}

func TestFirstViolation(t *testing.T) {
	w := &WXWatch{allowed: map[uintptr]uintptr{0x1000: 0x3000}}
	for _, tc := range []struct{ name, maps, bad, err string }{
		{"clean", "1000-2000 r-xp 0 00:00 0\n2000-3000 rw-p 0 00:00 0\n", "", ""},
		{"allowed", "1000-2000 rwxp 0 00:00 0\n", "", ""},
		{"outside the allowed range", "1000-2000 r-xp 0 00:00 0\n2000-4000 rwxp 0 00:00 0\n", "2000-4000 rwxp 0 00:00 0", ""},
		{"malformed", "1000-2000 r-xp 0 00:00 0\nnonsense\n", "", "/proc/self/maps:2: malformed line"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad, err := w.firstViolation([]byte(tc.maps))
			if bad != tc.bad || (err == nil) != (tc.err == "") || err != nil && !strings.HasPrefix(err.Error(), tc.err) {
				t.Errorf("firstViolation = %q, %v; want %q, %q", bad, err, tc.bad, tc.err)
			}
		})
	}
}

// TestWatchPause checks that no sample is taken while the watch is
// paused, and that sampling goes on after resume.
func TestWatchPause(t *testing.T) {
	w := StartWXWatch(time.Millisecond)
	defer w.Stop()
	count := func() int {
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.samples
	}
	resume := w.Pause()
	before := count()
	time.Sleep(20 * time.Millisecond) // some 20 periods
	if n := count(); n != before {
		t.Errorf("%d samples taken while paused", n-before)
	}
	resume()
	for deadline := time.Now().Add(10 * time.Second); count() <= before+1; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no sample within 10 s of resume")
		}
	}
}

// TestWatchWithoutPeriod checks a watcher of period 0: one sample at the
// start and one at Stop, which still sees a W+X page mapped in between.
func TestWatchWithoutPeriod(t *testing.T) {
	ps := platform.PageSize()
	w := StartWXWatch(0)
	time.Sleep(20 * time.Millisecond)
	addr, err := platform.Mmap(0, ps, platform.ProtRead|platform.ProtWrite|platform.ProtExec, 0, -1, 0)
	if err != nil {
		t.Fatal(err)
	}
	bad, samples := w.Stop()
	platform.Munmap(addr, ps)
	if samples != 2 || !strings.Contains(bad, " rwxp ") {
		t.Errorf("%d samples (want 2), violation %q", samples, bad)
	}
}

// TestSuitePeriod checks that a suite samples every period unless the
// command line asks for benchmarks.
func TestSuitePeriod(t *testing.T) {
	f := flag.Lookup("test.bench")
	if f == nil {
		t.Fatal("no -test.bench flag")
	}
	old := f.Value.String()
	defer f.Value.Set(old)
	for _, tc := range []struct {
		bench string
		want  time.Duration
	}{{"", 5 * time.Millisecond}, {".", 0}, {"Load", 0}} {
		if err := f.Value.Set(tc.bench); err != nil {
			t.Fatal(err)
		}
		if got := SuitePeriod(5 * time.Millisecond); got != tc.want {
			t.Errorf("-test.bench=%q: SuitePeriod = %v, want %v", tc.bench, got, tc.want)
		}
	}
}
