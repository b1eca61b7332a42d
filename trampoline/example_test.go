//go:build linux && amd64

package trampoline_test

import (
	"errors"
	"fmt"

	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/trampoline"
)

func ExampleCall() {
	// mov rax, rdi; add rax, rsi; ret
	add, err := execmem.Load([]byte{0x48, 0x89, 0xf8, 0x48, 0x01, 0xf0, 0xc3})
	if err != nil {
		panic(err)
	}
	defer add.Close()
	r, err := trampoline.Call(add.Addr(), 40, 2)
	fmt.Println(r.RAX, err)

	// ud2: the fault comes back as an error.
	bad, err := execmem.Load([]byte{0x0f, 0x0b})
	if err != nil {
		panic(err)
	}
	defer bad.Close()
	_, err = trampoline.Call(bad.Addr())
	var f *trampoline.Fault
	if errors.As(err, &f) {
		fmt.Println(f.SignalName(), f.CodeName(), f.TrapName(), f.PC == bad.Addr())
	}
	// Output:
	// 42 <nil>
	// SIGILL ILL_ILLOPN #UD true
}

func ExampleBind2() {
	// mov rax, rdi; add rax, rsi; ret
	blk, err := execmem.Load([]byte{0x48, 0x89, 0xf8, 0x48, 0x01, 0xf0, 0xc3})
	if err != nil {
		panic(err)
	}
	defer blk.Close()
	add, err := trampoline.Bind2[int64, int64, int64](blk.Addr())
	if err != nil {
		panic(err)
	}
	fmt.Println(add(40, 2), add(-50, 8))
	// Output: 42 -42
}
