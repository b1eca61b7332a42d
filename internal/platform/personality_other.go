//go:build !linux

package platform

// Personality fails with ErrUnsupported.
func Personality() (uint32, error) { return 0, ErrUnsupported }

// SetPersonality fails with ErrUnsupported.
func SetPersonality(p uint32) error { return ErrUnsupported }
