package hostcpu

import (
	"fmt"
	"strings"

	"github.com/jitrun/jitrun/internal/platform"
)

// KernelFlags returns the flags of the first processor in /proc/cpuinfo:
// the CPU's features as the kernel sees them, after what it masks (a
// feature disabled on its command line is absent) and with what it adds
// (ospke: protection keys enabled; user_shstk: user shadow stacks
// supported).
func KernelFlags() (map[string]bool, error) {
	data, err := platform.ReadCPUInfo()
	if err != nil {
		return nil, fmt.Errorf("hostcpu: %w", err)
	}
	flags, ok := ParseCPUInfoFlags(data)
	if !ok {
		return nil, fmt.Errorf("hostcpu: %s has no flags line", platform.CPUInfoPath)
	}
	return flags, nil
}

// ParseCPUInfoFlags reads the flags line of the first processor's block of
// /proc/cpuinfo ("key<TAB>: value" lines up to the first blank line after
// a key). ok is false when that block has no flags line.
func ParseCPUInfoFlags(data []byte) (flags map[string]bool, ok bool) {
	seen := false
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" {
			if seen {
				break // the end of the first processor
			}
			continue
		}
		key, value, found := strings.Cut(line, ":")
		if !found {
			continue
		}
		seen = true
		if strings.TrimSpace(key) == "flags" {
			flags = map[string]bool{}
			for _, f := range strings.Fields(value) {
				flags[f] = true
			}
			return flags, true
		}
	}
	return nil, false
}
