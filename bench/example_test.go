package bench_test

import (
	"context"
	"fmt"
	"log"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/bench"
)

// Measure the latency of a 64-bit multiply: each IMULQ depends on the one
// before it, so a copy costs its latency.
func Example() {
	k, err := bench.ParseKernel("imul", "imul.s", []byte("IMULQ BX, AX"), nil, asm.SyntaxGo)
	if err != nil {
		log.Fatal(err)
	}
	rep, err := bench.Measure(context.Background(), nil, k)
	if err != nil {
		log.Fatal(err)
	}
	r := rep.Kernels[0]
	fmt.Printf("%s: %.0f cycles\n", r.Name, r.Cycles)
	// Output: imul: 3 cycles
}

// Compare two kernels measured interleaved: one ADD chain, and two ADDs in
// a row on the same chain.
func ExampleMeasure_compare() {
	one, err := bench.ParseKernel("one", "one.s", []byte("ADDQ BX, AX"), nil, asm.SyntaxGo)
	if err != nil {
		log.Fatal(err)
	}
	two, err := bench.ParseKernel("two", "two.s", []byte("ADDQ BX, AX; ADDQ BX, AX"), nil, asm.SyntaxGo)
	if err != nil {
		log.Fatal(err)
	}
	rep, err := bench.Measure(context.Background(), nil, one, two)
	if err != nil {
		log.Fatal(err)
	}
	c := rep.Comparisons[0]
	fmt.Printf("%s vs %s: %.1f times the cycles, significant: %v\n", c.Name, c.Base, c.Ratio, c.Significant)
	// Output: two vs one: 2.0 times the cycles, significant: true
}

// Chase a pointer through the scratch buffer: the init code makes the
// buffer's first word point at itself, so each load depends on the last.
func ExampleKernel_init() {
	k, err := bench.ParseKernel("load", "load.s",
		[]byte("MOVQ (AX), AX"),
		[]byte("MOVQ DI, (DI); MOVQ DI, AX"), asm.SyntaxGo)
	if err != nil {
		log.Fatal(err)
	}
	rep, err := bench.Measure(context.Background(), &bench.Options{BufferSize: 64}, k)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rep.Kernels[0].Cycles > 2) // the L1 load-to-use latency: 4 or 5 cycles
	// Output: true
}
