//go:build linux && amd64

package trampoline_test

import (
	"context"
	"errors"
	"fmt"
	"syscall"

	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/trampoline"
)

func ExampleStepMachine() {
	// loop: add rax, 1; sub rcx, 1; jnz loop; int3
	code, err := execmem.Load([]byte{0x48, 0x83, 0xc0, 0x01, 0x48, 0x83, 0xe9, 0x01, 0x75, 0xf6, 0xcc})
	if err != nil {
		panic(err)
	}
	defer code.Close()
	m, err := trampoline.NewMachine(0)
	if err != nil {
		panic(err)
	}
	defer m.Close()
	m.Regs.RIP = uint64(code.Addr())
	m.Regs.GPR[trampoline.RCX] = 2 // two rounds
	for {
		err := trampoline.StepMachine(context.Background(), m, nil)
		var f *trampoline.Fault
		if errors.As(err, &f) && f.Signal == syscall.SIGTRAP && f.Trap == 3 {
			fmt.Printf("breakpoint, rip +%d, rax %d\n", m.Regs.RIP-uint64(code.Addr()), m.Regs.GPR[trampoline.RAX])
			break
		}
		if err != nil {
			panic(err)
		}
		fmt.Printf("rip +%d rcx %d\n", m.Regs.RIP-uint64(code.Addr()), m.Regs.GPR[trampoline.RCX])
	}
	// Output:
	// rip +4 rcx 2
	// rip +8 rcx 1
	// rip +0 rcx 1
	// rip +4 rcx 1
	// rip +8 rcx 0
	// rip +10 rcx 0
	// breakpoint, rip +11, rax 2
}
