//go:build linux && amd64

package probe_test

import (
	"context"
	"fmt"

	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/probe"
)

// Run two probes: a page made rw- by mprotect, read, written and executed;
// and mmap with MAP_FIXED_NOREPLACE over a mapped page. (A program that
// also runs the probes needing a child process calls probe.MaybeRunChild
// first thing in main.)
func Example() {
	rep, err := probe.Run(context.Background(), probe.Options{Only: []string{"matrix.mprotect.rw-", "place.noreplace"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	rw, _ := rep.Find("matrix.mprotect.rw-")
	fmt.Println(rw.Name, rw.Outcome("read"), rw.Outcome("write"), rw.Outcome("exec"))
	x, _ := rw.Step("exec")
	fmt.Println(x.Fault.SignalName(), x.Fault.CodeName(), x.Fault.TrapName(), x.Fault.InstructionFetch())
	nr, _ := rep.Find("place.noreplace")
	fmt.Println(nr.Name, nr.Verdict())
	// Output:
	// matrix.mprotect.rw- allowed allowed fault
	// SIGSEGV SEGV_ACCERR #PF true
	// place.noreplace refused EEXIST
}

// One mmap made by hand, then a read and a write: the write to an r--
// page faults with a present write error code.
func ExampleMmap() {
	res, err := probe.Mmap(context.Background(), probe.MmapRequest{
		Size: 4096, Prot: execmem.ProtRead,
		Touches: []probe.Touch{{Access: probe.Read, Offset: 0x10}, {Access: probe.Write, Offset: 0x10}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range res.Touches {
		fmt.Println(t.Touch, t.Cell(), t.Evidence(false))
	}
	// Output:
	// read@0x10 allowed read 0x00
	// write@0x10 fault SIGSEGV SEGV_ACCERR #PF 0x7
}
