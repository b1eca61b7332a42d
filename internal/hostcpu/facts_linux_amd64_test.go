package hostcpu

import (
	"strconv"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/internal/platform"
)

// cpuinfoField returns the value of key in the first processor's block of
// /proc/cpuinfo.
func cpuinfoField(t *testing.T, key string) string {
	t.Helper()
	data, err := platform.ReadCPUInfo()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("%s has no %q", platform.CPUInfoPath, key)
	return ""
}

// TestReadAgainstKernel holds Read to what the kernel read from the same
// CPU at boot: vendor, family and model, and the flags it derives from
// CPUID and from what it enabled.
func TestReadAgainstKernel(t *testing.T) {
	f, err := Read()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%#v", f)
	if got := cpuinfoField(t, "vendor_id"); f.Vendor != got {
		t.Errorf("vendor %q, /proc/cpuinfo %q", f.Vendor, got)
	}
	for _, c := range []struct {
		key string
		v   int
	}{{"cpu family", f.Family}, {"model", f.Model}, {"stepping", f.Stepping}} {
		if got, _ := strconv.Atoi(cpuinfoField(t, c.key)); got != c.v {
			t.Errorf("%s %d, /proc/cpuinfo %d", c.key, c.v, got)
		}
	}
	flags, err := KernelFlags()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		flag string
		have bool
	}{
		// The kernel lists fsgsbase only once it enabled it for user
		// mode, as AT_HWCAP2 says.
		{"fsgsbase", f.KernelFSGSBASE},
		{"hypervisor", f.Hypervisor},
		{"avx", f.AVX},
		{"avx2", f.AVX2},
		{"avx512f", f.AVX512F},
		{"gfni", f.GFNI},
	} {
		if flags[c.flag] != c.have {
			t.Errorf("/proc/cpuinfo flag %s: %v, Facts say %v", c.flag, flags[c.flag], c.have)
		}
	}
	// The kernel sets nonstop_tsc from the same CPUID bit (and may set it
	// on other grounds: only this direction holds).
	if f.InvariantTSC && !flags["nonstop_tsc"] {
		t.Error("CPUID says the TSC is invariant; /proc/cpuinfo has no nonstop_tsc")
	}
	if f.KernelFSGSBASE && !f.FSGSBASE {
		t.Error("the kernel enabled FSGSBASE on a CPU without it")
	}
}

// TestReadFPU checks the XSAVE facts against CPUID and XGETBV and the
// architecture's minimums.
func TestReadFPU(t *testing.T) {
	f, err := Read()
	if err != nil {
		t.Fatal(err)
	}
	// OSXSAVE, AVX, AVX2 and AVX512F come from x/sys/cpu: derive them
	// again from CPUID and XCR0 (the CPU has the feature, and the OS saves
	// its registers).
	_, _, ecx1, _ := cpuid(1, 0)
	_, ebx7, _, _ := cpuid(7, 0)
	osxsave := ecx1&(1<<27) != 0
	var xcr0 uint64
	if osxsave {
		lo, hi := xgetbv(0)
		xcr0 = uint64(hi)<<32 | uint64(lo)
	}
	ymm, zmm := xcr0&6 == 6, xcr0&0xe6 == 0xe6
	want := [4]bool{osxsave, ecx1&(1<<28) != 0 && ymm, ebx7&(1<<5) != 0 && ymm, ebx7&(1<<16) != 0 && zmm}
	if got := [4]bool{f.OSXSAVE, f.AVX, f.AVX2, f.AVX512F}; got != want || f.XCR0 != xcr0 {
		t.Errorf("OSXSAVE, AVX, AVX2, AVX512F %v, XCR0 %#x; CPUID and XGETBV say %v, %#x", got, f.XCR0, want, xcr0)
	}
	if !f.OSXSAVE {
		if f.XCR0 != 0 || f.XSAVESize != 0 || f.UseXSAVE() || f.FPUStateSize() != FXSAVESize {
			t.Errorf("without OSXSAVE: XCR0 %#x, size %d, UseXSAVE %v", f.XCR0, f.XSAVESize, f.UseXSAVE())
		}
		return
	}
	// x87 and SSE state are always enabled; AVX needs YMM (bit 2),
	// AVX-512 also opmask and ZMM (bits 5–7).
	if f.XCR0&3 != 3 || f.AVX && f.XCR0&6 != 6 || f.AVX512F && f.XCR0&0xe0 != 0xe0 {
		t.Errorf("XCR0 %#x with AVX %v AVX-512F %v", f.XCR0, f.AVX, f.AVX512F)
	}
	min := 576
	if f.AVX {
		min += 256 // the YMM upper halves
	}
	if f.AVX512F {
		min += 64 + 512 + 1024 // opmasks, ZMM upper halves, ZMM16–31
	}
	if f.XSAVESize < min || !f.UseXSAVE() || f.FPUStateSize() != f.XSAVESize {
		t.Errorf("XSAVE area %d bytes (want at least %d), UseXSAVE %v", f.XSAVESize, min, f.UseXSAVE())
	}
}

// TestXSAVEComponents checks the layout of the vector state components:
// their sizes are architectural (256 bytes of YMM upper halves, 64 of
// opmasks, 512 of ZMM upper halves, 1024 of ZMM16–31), each lies past the
// legacy region and header and inside the XSAVE area, none overlaps
// another, and a component the OS did not enable has none.
func TestXSAVEComponents(t *testing.T) {
	f, err := Read()
	if err != nil {
		t.Fatal(err)
	}
	wantSize := map[int]int{2: 256, 5: 64, 6: 512, 7: 1024}
	var spans [][2]int
	for i, c := range f.XSAVEComponents {
		enabled := f.XCR0&(1<<i) != 0 && i >= 2
		switch {
		case !enabled && c != (XSAVEComponent{}):
			t.Errorf("component %d not in XCR0 %#x but at %+v", i, f.XCR0, c)
		case !enabled:
		case wantSize[i] != 0 && c.Size != wantSize[i]:
			t.Errorf("component %d is %d bytes, want %d", i, c.Size, wantSize[i])
		case c.Offset < minXSAVESize || c.Offset+c.Size > f.XSAVESize:
			t.Errorf("component %d at [%d, %d), outside [%d, %d)", i, c.Offset, c.Offset+c.Size, minXSAVESize, f.XSAVESize)
		default:
			for _, s := range spans {
				if c.Offset < s[1] && s[0] < c.Offset+c.Size {
					t.Errorf("component %d at [%d, %d) overlaps [%d, %d)", i, c.Offset, c.Offset+c.Size, s[0], s[1])
				}
			}
			spans = append(spans, [2]int{c.Offset, c.Offset + c.Size})
		}
	}
	if f.AVX512F && len(spans) < 4 {
		t.Errorf("AVX-512F with components %+v: want 2, 5, 6 and 7", f.XSAVEComponents)
	}
	// PKRU: 4 bytes past every other component, inside the area, only
	// where XCR0 enables it (and /proc/cpuinfo says ospke then).
	pkru := f.XCR0&(1<<9) != 0
	switch {
	case !pkru && f.PKRUOffset != 0:
		t.Errorf("PKRU not in XCR0 %#x but at %d", f.XCR0, f.PKRUOffset)
	case pkru && (f.PKRUOffset < minXSAVESize || f.PKRUOffset+4 > f.XSAVESize):
		t.Errorf("PKRU at %d, outside [%d, %d)", f.PKRUOffset, minXSAVESize, f.XSAVESize)
	case pkru:
		for _, s := range spans {
			if f.PKRUOffset < s[1] && s[0] < f.PKRUOffset+4 {
				t.Errorf("PKRU at %d overlaps [%d, %d)", f.PKRUOffset, s[0], s[1])
			}
		}
	}
	if flags, err := KernelFlags(); err == nil && flags["ospke"] != pkru {
		t.Errorf("XCR0 %#x enables PKRU: %v; /proc/cpuinfo lists ospke: %v", f.XCR0, pkru, flags["ospke"])
	}
	t.Logf("XCR0 %#x, components %+v, PKRU at %d", f.XCR0, f.XSAVEComponents, f.PKRUOffset)
}
