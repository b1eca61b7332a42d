package hostcpu

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
)

// Facts are what the CPU offers this process and what the operating
// system enabled of it.
type Facts struct {
	// Vendor is CPUID leaf 0's string: "GenuineIntel", "AuthenticAMD".
	Vendor string
	// Brand is the processor's name (leaves 0x80000002–4), trimmed:
	// "AMD EPYC 9R45 …", "Intel(R) Xeon(R) Processor"; "" when absent.
	Brand string
	// Family, Model and Stepping are the display values of leaf 1: the
	// extended family is added when the base family is 0xF (Zen 5 is
	// 0x1A), the extended model is prefixed for families 6 and 0xF and up.
	Family, Model, Stepping int
	// Hypervisor: CPUID says a hypervisor runs the machine, which may
	// report another family and model than the hardware's.
	Hypervisor bool

	// AVX, AVX2 and AVX512F: the CPU has them and the OS saves their
	// registers (XCR0), from golang.org/x/sys/cpu.
	AVX, AVX2, AVX512F bool
	// GFNI: the Galois-field instructions (leaf 7 ECX[8]), in any
	// encoding (x/sys/cpu reports them only with AVX-512).
	GFNI bool
	// OSXSAVE: the OS enabled XSAVE and XGETBV (leaf 1 ECX[27]).
	OSXSAVE bool
	// XCR0 is the XSAVE feature mask the OS enabled (0 without OSXSAVE).
	XCR0 uint64
	// XSAVESize is the size in bytes of the XSAVE area for the features
	// in XCR0 (leaf 0xD sub-leaf 0 EBX; 0 without OSXSAVE).
	XSAVESize int
	// XSAVEComponents are where XSAVE's standard format puts each state
	// component the OS enabled in XCR0, indexed by component number:
	// 2 the upper halves of YMM0–15, 5 the AVX-512 opmask registers
	// k0–k7, 6 the upper 256 bits of ZMM0–15, 7 ZMM16–31 (leaf 0xD
	// sub-leaf i: EBX the offset, EAX the size). Components 0 and 1 live
	// in the legacy region, and a component the OS did not enable is
	// {0, 0}.
	XSAVEComponents [8]XSAVEComponent
	// PKRUOffset is where XSAVE's standard format puts PKRU, the
	// protection-key rights register (component 9, leaf 0xD sub-leaf 9
	// EBX), when the OS enabled it in XCR0 (OSPKE); 0 otherwise.
	PKRUOffset int

	// FSGSBASE: the CPU has RDFSBASE/WRFSBASE/RDGSBASE/WRGSBASE (leaf 7
	// EBX[0]). They run in user mode only where KernelFSGSBASE is set too.
	FSGSBASE bool
	// KernelFSGSBASE: the kernel enabled FSGSBASE for user mode
	// (AT_HWCAP2 has HWCAP2_FSGSBASE; Linux 5.9+). False when the
	// auxiliary vector cannot be read.
	KernelFSGSBASE bool
	// RDPRU (AMD, leaf 0x80000008 EBX[4]) as CPUID advertises it. Some
	// CPUs run an instruction they do not advertise (this project's Zen 5
	// VM runs RDPRU): whoever depends on it should try it.
	RDPRU bool
	// InvariantTSC: the TSC ticks at a constant rate in every power
	// state (leaf 0x80000007 EDX[8]).
	InvariantTSC bool
}

// XSAVEComponent is where one state component lies in an XSAVE area of
// the standard (non-compacted) format, in bytes from its start.
type XSAVEComponent struct {
	Offset, Size int
}

// Minimum sizes of the FPU save areas: FXSAVE's 512 bytes, and XSAVE's
// legacy area plus its 64-byte header.
const (
	FXSAVESize   = 512
	minXSAVESize = FXSAVESize + 64
)

// UseXSAVE reports whether the FPU state should be saved with XSAVE: the
// OS enabled it and the area for its features is larger than the legacy
// one.
func (f Facts) UseXSAVE() bool { return f.OSXSAVE && f.XSAVESize >= minXSAVESize }

// FPUStateSize is the size in bytes of a buffer for the FPU state: the
// XSAVE area when UseXSAVE, else FXSAVE's 512 bytes. (The buffer must be
// 64-byte aligned for XSAVE, 16 for FXSAVE.)
func (f Facts) FPUStateSize() int {
	if f.UseXSAVE() {
		return f.XSAVESize
	}
	return FXSAVESize
}

// String returns "AuthenticAMD family 0x1a model 0x2 (brand)".
func (f Facts) String() string {
	s := fmt.Sprintf("%s family %#x model %#x", f.Vendor, f.Family, f.Model)
	if f.Brand != "" {
		s += " (" + f.Brand + ")"
	}
	return s
}

// errUnsupported is Read's error where there is no CPUID.
var errUnsupported = fmt.Errorf("hostcpu: CPUID needs amd64, running on %s/%s: %w",
	runtime.GOOS, runtime.GOARCH, errors.ErrUnsupported)

// read runs readFacts once per process: the facts do not change while it
// runs, and CPUID is slow in a VM (a VM exit, about 6 µs each).
var read = sync.OnceValues(readFacts)

// Read returns the facts about this CPU, gathered on the first call.
func Read() (Facts, error) { return read() }

// signature decodes leaf 1 EAX into the display family, model and stepping.
func signature(eax uint32) (family, model, stepping int) {
	family, model, stepping = int(eax>>8&0xf), int(eax>>4&0xf), int(eax&0xf)
	if family == 0xf {
		family += int(eax >> 20 & 0xff)
	}
	if family == 0x6 || family >= 0xf {
		model += int(eax>>16&0xf) << 4
	}
	return family, model, stepping
}

// regString spells registers as CPUID lays out its ASCII strings, with
// trailing NULs and spaces removed.
func regString(regs ...uint32) string {
	b := make([]byte, 0, 4*len(regs))
	for _, r := range regs {
		b = append(b, byte(r), byte(r>>8), byte(r>>16), byte(r>>24))
	}
	return strings.TrimSpace(strings.TrimRight(string(b), "\x00"))
}
