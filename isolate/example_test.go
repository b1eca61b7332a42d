//go:build linux

package isolate_test

import (
	"context"
	"fmt"

	"github.com/jitrun/jitrun/isolate"
)

// A web server runs the code of a request: jitrun's run --json in a child
// under the Web policy, the source in the child's private directory.
// (This test binary stands in for jitrun: its TestMain calls
// isolate.Child and then prints its first argument.)
func ExampleRun() {
	res, err := isolate.Run(context.Background(), isolate.Job{
		Args:   []string{"print", `{"rax": 42}`, "0", "--json"},
		Files:  map[string][]byte{"prog.s": []byte("MOVQ $42, AX\nRET\n")},
		Policy: isolate.Web,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("status %d, died %q: %s\n", res.Status, res.Died, res.Stdout)
	// Output: status 0, died "": {"rax": 42}
}
