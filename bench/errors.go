package bench

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/internal/platform"
	"github.com/jitrun/jitrun/trampoline"
)

// supported: the package needs execmem, trampoline and internal/platform,
// which run on linux/amd64.
const supported = platform.Supported && runtime.GOARCH == "amd64"

var errUnsupported = fmt.Errorf("bench: needs linux/amd64, running on %s/%s: %w",
	runtime.GOOS, runtime.GOARCH, errors.ErrUnsupported)

// KernelError is a kernel that faulted, or that ran past its timeout, while
// it was measured. Err is the *trampoline.Fault or *trampoline.Interrupted;
// errors.As reaches it through Unwrap.
type KernelError struct {
	Kernel string // the kernel's name
	Err    error
	// Pos and Source are the kernel's (or its init code's) source line
	// the code was at, when HasSource is set: its position and its
	// statements. Outside them the code was in the harness (a fault there
	// means the kernel broke RSP or R15, or jumped out of its copy).
	Pos       asm.Pos
	Source    string
	HasSource bool
	// Instruction is the instruction at the PC, in Go syntax ("" when the
	// PC is outside the measuring code).
	Instruction string
	// Offset is the PC's offset in Program.Code, when InCode is set.
	Offset  int
	InCode  bool
	Program *asm.Program // the measuring code
}

// Error describes the problem in one line:
//
//	bench: kernel "load": k.s:2:1: MOVQ (AX), BX: SIGSEGV (SEGV_MAPERR) at pc … : read from an unmapped address at 0x0
func (e *KernelError) Error() string {
	s := fmt.Sprintf("bench: kernel %q: ", e.Kernel)
	if e.HasSource {
		s += e.Pos.String() + ": " + e.Source + ": "
		if strings.Contains(e.Source, ";") && e.Instruction != "" {
			s += "at " + e.Instruction + ": "
		}
	} else if e.Instruction != "" {
		s += "in the measuring harness at " + e.Instruction + ": "
	}
	var it *trampoline.Interrupted
	if errors.As(e.Err, &it) && errors.Is(it.Err, context.DeadlineExceeded) {
		return s + "did not finish within the timeout (" + e.Err.Error() + ")"
	}
	return s + e.Err.Error()
}

// Unwrap returns Err.
func (e *KernelError) Unwrap() error { return e.Err }
