//go:build linux && amd64

package explain_test

import (
	"errors"
	"fmt"

	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/explain"
	"github.com/jitrun/jitrun/trampoline"
)

// A fault in words: HLT, which only the kernel may run.
func ExampleContext_Fault() {
	code := []byte{0xf4} // hlt
	blk, err := execmem.Load(code)
	if err != nil {
		panic(err)
	}
	defer blk.Close()
	_, err = trampoline.Call(blk.Addr())
	var f *trampoline.Fault
	if !errors.As(err, &f) {
		panic(err)
	}
	c := &explain.Context{Code: code, Base: uint64(blk.Addr()), Cap: blk.Cap()}
	fmt.Println(c.Fault(f))
	fmt.Println(explain.SignalLine(f))
	fmt.Println("at", c.ShortWhere(c.FaultPC(f)))
	// Output:
	// privileged instruction hlt: only the kernel may halt the CPU (#GP)
	// SIGSEGV, si_code SI_KERNEL: raised by the kernel for a CPU exception
	// at +0x0
}
