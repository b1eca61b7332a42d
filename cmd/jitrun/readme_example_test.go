//go:build linux && amd64

package main

// Example_library is the Go program README.md and docs/library.md show,
// with its body as main (TestREADMELibrary keeps them the same): edit it
// here and copy it there.

import (
	"errors"
	"fmt"
	"log"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/trampoline"
)

func Example_library() {
	prog, err := asm.Assemble("MOVQ DI, AX\nADDQ SI, AX\nRET")
	if err != nil {
		log.Fatal(err) // every problem, as FILE:LINE:COL: message
	}
	code, err := execmem.Load(prog.Code) // mapped read+write, filled, then sealed read+exec
	if err != nil {
		log.Fatal(err)
	}
	defer code.Close()

	res, err := trampoline.Call(code.Addr(), 40, 2) // RDI = 40, RSI = 2
	fmt.Println(res.RAX, err)

	// A typed binding: an ordinary Go function, no allocation per call.
	add, err := trampoline.Bind2[int64, int64, int64](code.Addr())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(add(-50, 8))

	// A fault is an error, not a crash.
	ud2, err := execmem.Load([]byte{0x0f, 0x0b})
	if err != nil {
		log.Fatal(err)
	}
	defer ud2.Close()
	_, err = trampoline.Call(ud2.Addr())
	var f *trampoline.Fault
	fmt.Println(errors.As(err, &f), f.SignalName(), f.TrapName())
	// Output:
	// 42 <nil>
	// -42
	// true SIGILL #UD
}
