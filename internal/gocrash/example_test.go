package gocrash_test

import (
	"fmt"

	"github.com/jitrun/jitrun/internal/gocrash"
)

func ExampleSummary() {
	report := "runtime: bad pointer in frame\nfatal error: found bad pointer in Go heap\n\ngoroutine 1 [running]:\nmain.main()\n"
	fmt.Println(gocrash.Summary([]byte(report)))
	// Output: fatal error: found bad pointer in Go heap
}
