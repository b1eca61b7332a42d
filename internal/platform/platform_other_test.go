//go:build !linux

package platform

import (
	"errors"
	"testing"
)

func TestUnsupported(t *testing.T) {
	if _, err := Mmap(0, 4096, ProtRead, 0, -1, 0); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Mmap: %v, want ErrUnsupported", err)
	}
}
