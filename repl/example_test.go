package repl_test

import (
	"context"
	"fmt"

	"github.com/jitrun/jitrun/repl"
)

// A session runs each line against the state the last one left, and
// says what changed; a fault puts the state from before the line back.
func Example() {
	s, err := repl.New(repl.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	for _, line := range []string{"mov rax, 40", "add rax, 2", "mov rax, [0]"} {
		out, err := s.Feed(context.Background(), line)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%-12s %v", line, out.Kind)
		for _, c := range out.Changes {
			if c.Kind == repl.GPR {
				fmt.Printf("  %s %d -> %d", c.Name, c.Old, c.New)
			}
		}
		if out.Kind == repl.Faulted {
			fmt.Printf("  %s: %s", out.Fault.SignalName(), out.Why)
		}
		fmt.Println()
	}
	fmt.Println("rax is", s.Regs().GPR[0])
	// Output:
	// mov rax, 40  ran  rax 0 -> 40
	// add rax, 2   ran  rax 40 -> 42
	// mov rax, [0] fault  SIGSEGV: read from an unmapped address
	// rax is 42
}
