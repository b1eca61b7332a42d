package hostcpu_test

import (
	"fmt"

	"github.com/jitrun/jitrun/internal/hostcpu"
)

// How the trampoline sizes its FPU save area from the facts.
func ExampleRead() {
	f, err := hostcpu.Read()
	if err != nil {
		fmt.Println(err)
		return
	}
	// XSAVE where the OS enabled it, with the area its features need;
	// FXSAVE's 512 bytes otherwise.
	size := f.FPUStateSize()
	fmt.Println(f.UseXSAVE() == (size > hostcpu.FXSAVESize), size >= hostcpu.FXSAVESize)
	// Output: true true
}
