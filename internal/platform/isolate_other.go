//go:build !linux

package platform

// The resource limits of SetRlimit: Linux's numbers, for the signatures.
const (
	RlimitCPU    = 0
	RlimitAS     = 9
	RlimitFSize  = 1
	RlimitNoFile = 7
	RlimitCore   = 4
)

// SetRlimit fails with ErrUnsupported.
func SetRlimit(resource int, soft, hard uint64) error { return ErrUnsupported }

// Rlimit fails with ErrUnsupported.
func Rlimit(resource int) (soft, hard uint64, err error) { return 0, 0, ErrUnsupported }

// SetNoNewPrivs fails with ErrUnsupported.
func SetNoNewPrivs() error { return ErrUnsupported }

// NoNewPrivs fails with ErrUnsupported.
func NoNewPrivs() (bool, error) { return false, ErrUnsupported }

// KillProcessGroup fails with ErrUnsupported.
func KillProcessGroup(pgid int) error { return ErrUnsupported }

// WaitExited fails with ErrUnsupported.
func WaitExited(pid int) error { return ErrUnsupported }

// OpenFDs fails with ErrUnsupported.
func OpenFDs() (int, error) { return 0, ErrUnsupported }

// ZombieChildren fails with ErrUnsupported.
func ZombieChildren() ([]int, error) { return nil, ErrUnsupported }

// CloseInherited fails with ErrUnsupported.
func CloseInherited(from int) error { return ErrUnsupported }
