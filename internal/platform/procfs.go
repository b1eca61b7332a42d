package platform

// The /proc files this package reads (Linux).
const (
	SelfMapsPath = "/proc/self/maps"
	CPUInfoPath  = "/proc/cpuinfo"
)
