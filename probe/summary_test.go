package probe

import (
	"strings"
	"syscall"
	"testing"
)

// TestSummaryOtherWay holds Summary's clauses for a machine that refuses
// or faults where this project's machines allow: every fact's other
// branch, worded exactly.
func TestSummaryOtherWay(t *testing.T) {
	refused := func(errno string) Observation { return Observation{Outcome: Refused, Errno: errno} }
	faultedRead := Observation{Outcome: Faulted, Fault: &FaultInfo{Signal: syscall.SIGSEGV, Code: 4, ErrorCode: 0x25, Trap: 14}}
	rep := &Report{Host: Host{Flags: map[string]bool{"pku": true}}, Probes: []Result{
		{Name: "matrix.mmap.rw-", Steps: []Step{{StepExec, allowed("returned")}}},
		{Name: "matrix.mmap.-w-", Steps: []Step{{StepRead, Observation{Outcome: Faulted}}}},
		{Name: "matrix.mmap.--x", Steps: []Step{{StepRead, Observation{Outcome: Faulted}}}},
		{Name: "matrix.mmap.rwx", Steps: []Step{{"mmap", refused("EACCES")}}, Result: Refused},
		{Name: "matrix.mprotect.r-x", Steps: []Step{{"mprotect", refused("EACCES")}}, Result: Refused},
		{Name: "exec.heap", Result: Allowed},
		{Name: "mprotect.exec.heap", Steps: []Step{{"mprotect", refused("EACCES")}}, Result: Refused},
		{Name: "text.write", Steps: []Step{{"mprotect", refused("EACCES")}}, Result: Refused},
		{Name: "place.fixed", Result: Allowed},
		{Name: "pkey.alloc", Steps: []Step{{"pkey_alloc", allowed("key 1")}}, Result: Allowed},
		{Name: "pkey.exec_only", Steps: []Step{{StepRead, faultedRead}}, Result: Faulted},
		{Name: "mdwe.set", Steps: []Step{{"prctl", refused("EINVAL")}}, Result: Refused},
		{Name: "mseal.seal", Steps: []Step{{"mseal", refused("ENOSYS")}}, Result: Refused},
		{Name: "personality.read_implies_exec", Result: Faulted},
	}}
	want := []string{
		"NX not enforced: rw- memory executes",
		"W does not imply R (write-only pages exist)",
		"X does not imply R (execute-only memory)",
		"W+X refused (refused EACCES)",
		"mprotect may not add X (refused EACCES)",
		"the heap is executable",
		"mprotect cannot make the heap executable",
		"the program's text cannot be made writable",
		"MAP_FIXED replaces silently",
		"protection keys available",
		"PROT_EXEC alone is execute-only (reads fault with SEGV_PKUERR)",
		"no MDWE (prctl PR_SET_MDWE refused EINVAL)",
		"no mseal (refused ENOSYS)",
		"READ_IMPLIES_EXEC does not make rw- mappings executable",
	}
	if got := rep.Summary(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("summary:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
