//go:build linux

package platform

import "os"

// ReadSelfMaps returns the text of /proc/self/maps: one line per mapping
// of this process (execmem.ParseMaps reads it).
func ReadSelfMaps() ([]byte, error) { return os.ReadFile(SelfMapsPath) }

// ReadCPUInfo returns the text of /proc/cpuinfo: the CPUs as the kernel
// reports them (hostcpu.ParseCPUInfoFlags reads it).
func ReadCPUInfo() ([]byte, error) { return os.ReadFile(CPUInfoPath) }
