package probe

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/internal/hostcpu"
	"github.com/jitrun/jitrun/internal/platform"
)

// Host is the machine's posture: what the CPU offers and what the kernel is
// set to enforce, read from CPUID, /proc, /sys and system calls. A field that
// could not be read holds -1 (numbers) or "" (strings), with the reason in
// Errors.
type Host struct {
	OS, Arch string // runtime.GOOS, runtime.GOARCH
	Vendor   string // CPUID vendor: "GenuineIntel", "AuthenticAMD"
	CPU      string // CPUID brand: "Intel(R) Xeon(R) Processor"
	Family   int    // display family, as /proc/cpuinfo's cpu family (-1 unknown)
	Model    int    // display model, as /proc/cpuinfo's model (-1 unknown)
	// Flags says, for each of CPUFlags, whether /proc/cpuinfo lists it:
	// the kernel's view, which includes what it enabled (ospke).
	Flags    map[string]bool
	Kernel   string // uname release: "6.18.44"
	PageSize int
	// RandomizeVASpace is /proc/sys/kernel/randomize_va_space: 0 off, 1
	// stack, mmap and vDSO, 2 also the heap (brk).
	RandomizeVASpace int
	// LSMs lists the active Linux security modules
	// (/sys/kernel/security/lsm), nil when that cannot be read.
	LSMs []string
	// Seccomp is the Seccomp: line of /proc/self/status: 0 off, 1 strict,
	// 2 filter.
	Seccomp int
	// MDWE is prctl(PR_GET_MDWE) for this process: 0 off, bit 0 refuse
	// exec gain, bit 1 not inherited by children. -1 when the kernel does
	// not know it (before Linux 6.3).
	MDWE int
	// Personality is personality(0xffffffff) for this process.
	Personality uint32
	// Vsyscall is the protection of the [vsyscall] page in
	// /proc/self/maps: "--x" (xonly: calls are emulated, reads fault),
	// "r-x" (emulate), or "" when there is none (vsyscall=none).
	Vsyscall string
	// Errors lists what could not be read, one line each.
	Errors []string
}

// CPUFlags are the /proc/cpuinfo flags a Host records: NX (execute
// disable), protection keys (pku, and ospke when the OS enabled them),
// supervisor-mode execution and access prevention, user-mode instruction
// prevention, and shadow stacks.
func CPUFlags() []string {
	return []string{"nx", "pku", "ospke", "smep", "smap", "umip", "user_shstk", "shstk"}
}

// Has reports whether the CPU lists flag.
func (h *Host) Has(flag string) bool { return h.Flags[flag] }

// ReadHost reads the posture of this machine and process. It never fails:
// what cannot be read is listed in Errors.
func ReadHost() Host {
	h := Host{OS: runtime.GOOS, Arch: runtime.GOARCH, Family: -1, Model: -1, Flags: map[string]bool{},
		RandomizeVASpace: -1, Seccomp: -1, MDWE: -1, PageSize: execmem.PageSize()}
	if !supported {
		h.Errors = append(h.Errors, errUnsupported.Error())
		return h
	}
	fail := func(format string, args ...any) { h.Errors = append(h.Errors, fmt.Sprintf(format, args...)) }

	if f, err := hostcpu.Read(); err != nil {
		fail("cpu: %v", err)
	} else {
		h.Vendor, h.CPU, h.Family, h.Model = f.Vendor, f.Brand, f.Family, f.Model
	}
	if flags, err := hostcpu.KernelFlags(); err != nil {
		fail("cpu: %v", err)
	} else {
		for _, f := range CPUFlags() {
			h.Flags[f] = flags[f]
		}
	}
	if rel, _, err := platform.Uname(); err != nil {
		fail("uname: %v", err)
	} else {
		h.Kernel = rel
	}
	if v, err := readIntFile("/proc/sys/kernel/randomize_va_space"); err != nil {
		fail("randomize_va_space: %v", err)
	} else {
		h.RandomizeVASpace = v
	}
	if data, err := os.ReadFile("/sys/kernel/security/lsm"); err != nil {
		fail("lsm: %v (securityfs not mounted?)", err)
	} else {
		h.LSMs = splitList(strings.TrimSpace(string(data)))
	}
	if data, err := os.ReadFile("/proc/self/status"); err != nil {
		fail("seccomp: %v", err)
	} else if v, ok := statusField(string(data), "Seccomp"); !ok {
		fail("seccomp: /proc/self/status has no Seccomp: line")
	} else {
		h.Seccomp = v
	}
	if v, err := platform.GetMDWE(); err != nil {
		fail("mdwe: prctl(PR_GET_MDWE): %v (needs Linux 6.3+)", err)
	} else {
		h.MDWE = v
	}
	if v, err := platform.Personality(); err != nil {
		fail("personality: %v", err)
	} else {
		h.Personality = v
	}
	if regions, err := execmem.Maps(); err != nil {
		fail("vsyscall: %v", err)
	} else {
		for _, r := range regions {
			if r.Path == "[vsyscall]" {
				h.Vsyscall = r.Prot.String()
			}
		}
	}
	return h
}

// statusField returns the integer value of "Name:\tN" in /proc/self/status.
func statusField(status, name string) (int, bool) {
	for _, line := range strings.Split(status, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && k == name {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			return n, err == nil
		}
	}
	return 0, false
}

func readIntFile(name string) (int, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return 0, err
	}
	v, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a number", name, strings.TrimSpace(string(data)))
	}
	return v, nil
}

// splitList splits "lockdown,capability,yama" into its items.
func splitList(s string) []string {
	out := []string{}
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// Describe returns the host's posture as "name value" pairs for the text
// output, in a fixed order.
func (h *Host) Describe() [][2]string {
	var have, lack []string
	for _, f := range CPUFlags() {
		if h.Flags[f] {
			have = append(have, f)
		} else {
			lack = append(lack, f)
		}
	}
	flags := strings.Join(have, " ")
	if len(lack) > 0 {
		flags += "; absent: " + strings.Join(lack, " ")
	}
	cpu := h.CPU
	if h.Vendor != "" {
		cpu += fmt.Sprintf(" (%s, family %d model %d)", h.Vendor, h.Family, h.Model)
	}
	unknown := func(v int, text string) string {
		if v < 0 {
			return "unknown"
		}
		return text
	}
	lsm := "unknown"
	if h.LSMs != nil {
		lsm = strings.Join(h.LSMs, ",")
		if lsm == "" {
			lsm = "none"
		}
	}
	vsys := "none (vsyscall=none: no page)"
	switch h.Vsyscall {
	case "--x":
		vsys = "--x (xonly: calls are emulated, reads fault)"
	case "r-x":
		vsys = "r-x (emulate: readable, calls emulated)"
	case "":
	default:
		vsys = h.Vsyscall
	}
	return [][2]string{
		{"cpu", cpu},
		{"cpu flags", flags},
		{"kernel", h.Kernel},
		{"page size", strconv.Itoa(h.PageSize)},
		{"randomize_va_space", unknown(h.RandomizeVASpace, strconv.Itoa(h.RandomizeVASpace)+" ("+aslrWords(h.RandomizeVASpace)+")")},
		{"lsm", lsm},
		{"seccomp", unknown(h.Seccomp, strconv.Itoa(h.Seccomp)+" ("+seccompWords(h.Seccomp)+")")},
		{"mdwe", unknown(h.MDWE, fmt.Sprintf("%#x (%s)", h.MDWE, mdweWords(h.MDWE)))},
		{"personality", fmt.Sprintf("%#x", h.Personality)},
		{"vsyscall", vsys},
	}
}

func aslrWords(v int) string {
	switch v {
	case 0:
		return "off"
	case 1:
		return "stack, mmap, vDSO"
	case 2:
		return "stack, mmap, vDSO and heap"
	}
	return "unknown setting"
}

func seccompWords(v int) string {
	switch v {
	case 0:
		return "off"
	case 1:
		return "strict"
	case 2:
		return "filter"
	}
	return "unknown mode"
}

func mdweWords(v int) string {
	switch {
	case v == 0:
		return "off"
	case v&1 != 0 && v&2 != 0:
		return "refuses W+X and exec gain, not inherited"
	case v&1 != 0:
		return "refuses W+X and exec gain"
	}
	return "unknown bits"
}
