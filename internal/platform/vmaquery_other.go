//go:build !linux

package platform

import "os"

// OpenSelfMaps fails with ErrUnsupported.
func OpenSelfMaps() (*os.File, error) { return nil, ErrUnsupported }

// QueryVMA fails with ErrUnsupported.
func QueryVMA(maps *os.File, addr uintptr) (VMA, bool, error) { return VMA{}, false, ErrUnsupported }
