//go:build linux && amd64

package trace_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/trace"
)

func ExampleRun() {
	p, err := asm.Assemble(`TEXT sum(SB), NOSPLIT|NOFRAME, $0
	XORL AX, AX
loop:
	ADDQ DI, AX
	DECQ DI
	JNE loop
	RET
`)
	if err != nil {
		panic(err)
	}
	code, err := execmem.Load(p.Code)
	if err != nil {
		panic(err)
	}
	defer code.Close()

	opt := &trace.Options{Code: code, Bytes: p.Code, Program: p}
	opt.Args.Int[0] = 100 // sum(100): 300 steps
	fold := &trace.Folder{Out: func(line string) { fmt.Println(line) }, Indent: "    "}
	sum, err := trace.Run(context.Background(), opt, func(s *trace.Step) bool {
		if s.Text != "RET" { // its changes hold addresses
			line := fmt.Sprintf("#%-3d %-9s %-11s %s", s.N, s.Place, s.Text, s.Changes())
			fold.Add(s, strings.TrimSpace(line))
		}
		return true
	})
	fold.Flush()
	fmt.Println(sum.Stop, sum.Steps, "steps, rax =", sum.Result.RAX, err)
	// Output:
	// #1   sum+0x0   XORL AX, AX
	// #2   loop+0x0  ADDQ DI, AX rax 0 -> 100  PF 1 -> 0  ZF 1 -> 0
	// #3   loop+0x3  DECQ DI     rdi 100 -> 99  PF 0 -> 1
	// #4   loop+0x6  JNE loop
	// #5   loop+0x0  ADDQ DI, AX rax 100 -> 199  PF 1 -> 0
	// #6   loop+0x3  DECQ DI     rdi 99 -> 98
	// #7   loop+0x6  JNE loop
	//     loop+0x0..+0x6 × 98 more iterations
	// return 302 steps, rax = 5050 <nil>
}
