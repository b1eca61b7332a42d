//go:build !amd64

package hostcpu

// readFacts fails: there is no CPUID.
func readFacts() (Facts, error) { return Facts{}, errUnsupported }
