package execmem

import (
	"os"
	"strings"

	"github.com/jitrun/jitrun/internal/platform"
)

// memfdNameMax is the longest name memfd_create accepts (MFD_NAME_MAX_LEN).
const memfdNameMax = 249

// NewMemfd makes an anonymous memory file of size bytes (zeros), the
// backing of StrategyDualMap: map it twice with Map and MapOptions.File,
// Shared, one view read+write and one read+exec, and no page is ever both.
// The file may be mapped executable: NewMemfd asks for MFD_EXEC on Linux
// 6.3 and later, where the vm.memfd_noexec sysctl may otherwise seal new
// memory files non-executable (and where it is 2, executable ones are
// refused: the error, EACCES, says so). The file is close-on-exec; it
// lives until it is closed and no mapping of it remains. /proc/self/maps
// shows its mappings as "/memfd:NAME (deleted)".
func NewMemfd(name string, size int) (*os.File, error) {
	if !supported {
		return nil, errUnsupported
	}
	switch {
	case name == "":
		return nil, errorf("memfd_create: the name is empty")
	case len(name) > memfdNameMax:
		return nil, errorf("memfd_create %q: the name is %d bytes; at most %d", name[:20]+"…", len(name), memfdNameMax)
	case strings.IndexByte(name, 0) >= 0:
		return nil, errorf("memfd_create %q: the name contains a NUL byte", name)
	case size < 0:
		return nil, errorf("memfd_create %q: size %d is negative", name, size)
	}
	fd, err := platform.MemfdCreateExec(name)
	if err != nil {
		return nil, &Error{Op: "memfd_create", Err: err}
	}
	f := os.NewFile(uintptr(fd), "/memfd:"+name)
	if err := f.Truncate(int64(size)); err != nil {
		f.Close()
		return nil, &Error{Op: "ftruncate", Len: size, Err: err}
	}
	return f, nil
}
