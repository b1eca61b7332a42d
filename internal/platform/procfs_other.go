//go:build !linux

package platform

// ReadSelfMaps fails with ErrUnsupported.
func ReadSelfMaps() ([]byte, error) { return nil, ErrUnsupported }

// ReadCPUInfo fails with ErrUnsupported.
func ReadCPUInfo() ([]byte, error) { return nil, ErrUnsupported }
