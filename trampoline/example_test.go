//go:build linux && amd64

package trampoline_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

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

func ExampleRun() {
	// addsd xmm0, xmm1; ret: a float function, double f(double, double).
	add, err := execmem.Load([]byte{0xf2, 0x0f, 0x58, 0xc1, 0xc3})
	if err != nil {
		panic(err)
	}
	defer add.Close()
	args := trampoline.Args{Float: [8]uint64{math.Float64bits(1.5), math.Float64bits(2.25)}}
	var regs trampoline.Regs
	r, err := trampoline.Run(context.Background(), add.Addr(), &args, &trampoline.Options{Regs: &regs})
	fmt.Println(r.Float64(), err, regs.XMM[1].Float64())

	// jmp .+0: a loop that never ends, stopped by its timeout where it is.
	loop, err := execmem.Load([]byte{0xeb, 0xfe})
	if err != nil {
		panic(err)
	}
	defer loop.Close()
	_, err = trampoline.Run(context.Background(), loop.Addr(), nil, &trampoline.Options{Timeout: 20 * time.Millisecond, Code: loop})
	var it *trampoline.Interrupted
	fmt.Println(errors.Is(err, context.DeadlineExceeded), errors.As(err, &it) && it.PC == loop.Addr())
	// Output:
	// 3.75 <nil> 2.25
	// true true
}

func ExampleCallContext() {
	// jmp .+0
	loop, err := execmem.Load([]byte{0xeb, 0xfe})
	if err != nil {
		panic(err)
	}
	defer loop.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = trampoline.CallContext(ctx, loop.Addr())
	fmt.Println(err != nil, errors.Is(err, context.DeadlineExceeded))

	// A context that is already done does not run the code at all.
	_, err = trampoline.CallContext(ctx, loop.Addr())
	fmt.Println(err)
	// Output:
	// true true
	// trampoline: call not started: context deadline exceeded
}

func ExampleCaller() {
	// mov rax, rdi; add rax, rsi; ret
	add, err := execmem.Load([]byte{0x48, 0x89, 0xf8, 0x48, 0x01, 0xf0, 0xc3})
	if err != nil {
		panic(err)
	}
	defer add.Close()
	// One Caller per goroutine: its stack is its own until Close.
	c, err := trampoline.NewCaller(0)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	var sum uint64
	for i := uint64(1); i <= 100; i++ {
		r, err := c.Call(add.Addr(), sum, i)
		if err != nil {
			panic(err)
		}
		sum = r.RAX
	}
	fmt.Println(sum)
	// Output:
	// 5050
}
