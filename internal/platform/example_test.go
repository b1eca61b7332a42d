//go:build linux

package platform_test

import (
	"fmt"

	"github.com/jitrun/jitrun/internal/platform"
)

// Map a page read+write, seal the W^X flip with Mprotect, unmap it.
func ExampleMmap() {
	ps := platform.PageSize()
	addr, err := platform.Mmap(0, ps, platform.ProtRead|platform.ProtWrite, 0, -1, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	err = platform.Mprotect(addr, ps, platform.ProtRead|platform.ProtExec)
	fmt.Println("mprotect r-x:", err)
	fmt.Println("munmap:", platform.Munmap(addr, ps))
	// Output:
	// mprotect r-x: <nil>
	// munmap: <nil>
}
