package hostcpu

import (
	"github.com/jitrun/jitrun/internal/platform"
	"golang.org/x/sys/cpu"
)

// cpuid runs CPUID with EAX and ECX set (cpuid_amd64.s).
func cpuid(eaxIn, ecxIn uint32) (eax, ebx, ecx, edx uint32)

// xgetbv reads extended control register ecxIn (XCR0 for 0); only with
// OSXSAVE.
func xgetbv(ecxIn uint32) (eax, edx uint32)

// readFacts asks CPUID, x/sys/cpu and the auxiliary vector.
func readFacts() (Facts, error) {
	var f Facts
	maxLeaf, b, c, d := cpuid(0, 0)
	f.Vendor = regString(b, d, c)
	if maxLeaf >= 1 {
		eax1, _, ecx1, _ := cpuid(1, 0)
		f.Family, f.Model, f.Stepping = signature(eax1)
		f.Hypervisor = ecx1&(1<<31) != 0
	}
	f.AVX, f.AVX2, f.AVX512F = cpu.X86.HasAVX, cpu.X86.HasAVX2, cpu.X86.HasAVX512F
	f.OSXSAVE = cpu.X86.HasOSXSAVE
	if f.OSXSAVE {
		lo, hi := xgetbv(0)
		f.XCR0 = uint64(hi)<<32 | uint64(lo)
		if maxLeaf >= 0xd {
			_, ebx, _, _ := cpuid(0xd, 0)
			f.XSAVESize = int(ebx)
			for i := 2; i < len(f.XSAVEComponents); i++ {
				if f.XCR0&(1<<i) != 0 {
					size, offset, _, _ := cpuid(0xd, uint32(i))
					f.XSAVEComponents[i] = XSAVEComponent{Offset: int(offset), Size: int(size)}
				}
			}
			if f.XCR0&(1<<9) != 0 {
				_, offset, _, _ := cpuid(0xd, 9)
				f.PKRUOffset = int(offset)
			}
		}
	}
	if maxLeaf >= 7 {
		_, ebx7, ecx7, _ := cpuid(7, 0)
		f.FSGSBASE = ebx7&(1<<0) != 0
		f.GFNI = ecx7&(1<<8) != 0
	}
	if hwcap2, ok := platform.Auxv(platform.AtHWCAP2); ok {
		f.KernelFSGSBASE = hwcap2&platform.HWCAP2FSGSBASE != 0
	}
	readExtended(&f)
	return f, nil
}

// readExtended reads the extended leaves (0x8000_0000 and up).
func readExtended(f *Facts) {
	maxExt, _, _, _ := cpuid(0x80000000, 0)
	if maxExt >= 0x80000004 {
		var regs []uint32
		for leaf := uint32(0x80000002); leaf <= 0x80000004; leaf++ {
			a, b, c, d := cpuid(leaf, 0)
			regs = append(regs, a, b, c, d)
		}
		f.Brand = regString(regs...)
	}
	if maxExt >= 0x80000007 {
		_, _, _, edx := cpuid(0x80000007, 0)
		f.InvariantTSC = edx&(1<<8) != 0
	}
	if maxExt >= 0x80000008 {
		_, ebx, _, _ := cpuid(0x80000008, 0)
		f.RDPRU = ebx&(1<<4) != 0
	}
}
