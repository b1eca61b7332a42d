package probe

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jitrun/jitrun/execmem"
)

// sampleReport is a report made by hand, for golden output.
func sampleReport() *Report {
	nx := &FaultInfo{Signal: syscall.SIGSEGV, Code: 2, Addr: 0x7f0000001000, PC: 0x7f0000001000, ErrorCode: 0x15, Trap: 14}
	wr := &FaultInfo{Signal: syscall.SIGSEGV, Code: 2, Addr: 0x7f0000002100, PC: 0x7f00000a0004, ErrorCode: 0x7, Trap: 14}
	gp := &FaultInfo{Signal: syscall.SIGSEGV, Code: 0x80, PC: 0x7f00000a0015, Trap: 13}
	return &Report{
		Host: Host{OS: "linux", Arch: "amd64", Vendor: "GenuineIntel", CPU: "Test CPU", Family: 6, Model: 167,
			Flags: map[string]bool{"nx": true, "smep": true}, Kernel: "6.18.0", PageSize: 4096, RandomizeVASpace: 2,
			LSMs: []string{"lockdown", "capability"}, Seccomp: 0, MDWE: 0, Vsyscall: "--x"},
		Probes: []Result{
			{Name: "matrix.mprotect.rw-", Requested: "rw- → rw-", Steps: []Step{
				{StepRead, allowed("read 0x00")}, {StepWrite, allowed("wrote 0x5a")}, {StepExec, Observation{Outcome: Faulted, Fault: nx}},
			}, Maps: "7f0000001000-7f0000002000 rw-p 00000000 00:00 0", Elapsed: 40 * time.Microsecond},
			{Name: "matrix.mprotect.r-x", Requested: "rw- → r-x", Steps: []Step{
				{StepRead, allowed("read 0x00")}, {StepWrite, Observation{Outcome: Faulted, Fault: wr}}, {StepExec, allowed("returned, rax 0x0")},
			}, Elapsed: 30 * time.Microsecond},
			{Name: "exec.anon", Requested: "rw-", Steps: []Step{{StepExec, Observation{Outcome: Faulted, Fault: nx}}}, Result: Faulted, Elapsed: 9 * time.Microsecond},
			{Name: "viol.noncanonical.exec", Requested: "0x8000000000000000", Steps: []Step{{StepExec, Observation{Outcome: Faulted, Fault: gp}}},
				Result: Faulted, Note: "the #GP is raised on the CALL, before the jump (as Intel CPUs do)", Elapsed: 12 * time.Microsecond},
			{Name: "place.hint", Requested: "hint", Steps: []Step{{"mmap", allowed("moved: asked for 0x7f0000003000 (taken), got 0x7f0000002000")}}, Result: Allowed},
			{Name: "place.noreplace", Requested: "noreplace", Steps: []Step{{"mmap", Observation{Outcome: Refused, Errno: "EEXIST",
				Detail: "MAP_FIXED_NOREPLACE at 0x7f0000003000, which is mapped", Message: "mmap 0x7f0000003000+0x1000 rw-: file exists (EEXIST)"}}}, Result: Refused},
			{Name: "pkey.exec_only", Requested: "--x", Steps: []Step{{StepRead, skipped("CPU has no PKU")}}, Result: Skipped},
			{Name: "mdwe.mmap_wx", Requested: "rwx", Steps: []Step{{"mmap", Observation{Outcome: Refused, Errno: "EACCES", Detail: "no new writable+executable mappings"}}},
				Result: Refused, Child: true, Elapsed: 16 * time.Microsecond},
			{Name: "mseal.seal", Requested: "rw-", Steps: []Step{{"child", failed("the child process killed by SIGSEGV")}}, Result: Failed, Child: true},
		},
		Children: []ChildRun{{Group: "mdwe", Elapsed: 3 * time.Millisecond, Exit: "exit 0"},
			{Group: "mseal", Elapsed: 2 * time.Millisecond, Exit: "killed by SIGSEGV", Stderr: "SIGSEGV: segmentation violation\nPC=0x0"}},
		Elapsed: 7 * time.Millisecond,
	}
}

func TestWriteTextGolden(t *testing.T) {
	var b strings.Builder
	if err := sampleReport().WriteText(&b, false); err != nil {
		t.Fatal(err)
	}
	want := `host
  cpu                 Test CPU (GenuineIntel, family 6 model 167)
  cpu flags           nx smep; absent: pku ospke smap umip user_shstk shstk
  kernel              6.18.0
  page size           4096
  randomize_va_space  2 (stack, mmap, vDSO and heap)
  lsm                 lockdown,capability
  seccomp             0 (off)
  mdwe                0x0 (off)
  personality         0x0
  vsyscall            --x (xonly: calls are emulated, reads fault)

matrix: each protection requested by mmap (a private view of a memory file holding a RET), or reached by mprotect from rw-
  PROBE                   REQUESTED           READ     WRITE    EXEC     RESULT          EVIDENCE
  matrix.mprotect.rw-     rw- → rw-           allowed  allowed  fault    -               exec: SIGSEGV SEGV_ACCERR #PF 0x15
  matrix.mprotect.r-x     rw- → r-x           allowed  fault    allowed  -               write: SIGSEGV SEGV_ACCERR #PF 0x7

exec: run a RET placed in each kind of memory
  PROBE                   REQUESTED           READ     WRITE    EXEC     RESULT          EVIDENCE
  exec.anon               rw-                 -        -        fault    fault           exec: SIGSEGV SEGV_ACCERR #PF 0x15

viol: violations and their signatures
  PROBE                   REQUESTED           READ     WRITE    EXEC     RESULT          EVIDENCE
  viol.noncanonical.exec  0x8000000000000000  -        -        fault    fault           exec: SIGSEGV SI_KERNEL #GP | the #GP is raised on the CALL, before the jump (as Intel CPUs do)

place: where mmap puts a mapping
  PROBE                   REQUESTED           READ     WRITE    EXEC     RESULT          EVIDENCE
  place.hint              hint                -        -        -        allowed         mmap: moved: asked for 0x7f0000003000 (taken), got 0x7f0000002000
  place.noreplace         noreplace           -        -        -        refused EEXIST  mmap: MAP_FIXED_NOREPLACE at 0x7f0000003000, which is mapped

pkey: protection keys and execute-only memory
  PROBE                   REQUESTED           READ     WRITE    EXEC     RESULT          EVIDENCE
  pkey.exec_only          --x                 skipped  -        -        skipped         read: CPU has no PKU

mdwe: memory-deny-write-execute (prctl PR_SET_MDWE), in a child process
  PROBE                   REQUESTED           READ     WRITE    EXEC     RESULT          EVIDENCE
  mdwe.mmap_wx            rwx                 -        -        -        refused EACCES  mmap: no new writable+executable mappings

mseal: sealed mappings (mseal), in a child process
  PROBE                   REQUESTED           READ     WRITE    EXEC     RESULT          EVIDENCE
  mseal.seal              rw-                 -        -        -        error           child: the child process killed by SIGSEGV

summary:
  NX enforced (executing rw- memory faults, error code 0x15)
  mprotect may add X
  anonymous memory is not executable
  a taken hint is moved, MAP_FIXED_NOREPLACE refuses a taken range (EEXIST)

9 probes in 7ms; slowest matrix.mprotect.rw- 40µs; child processes: mdwe 3ms, mseal 2ms (killed by SIGSEGV)
`
	if got := b.String(); got != want {
		t.Errorf("WriteText:\n%s\nwant:\n%s\ndiff at %d", got, want, firstDiff(got, want))
	}
}

func TestWriteTextVerbose(t *testing.T) {
	var b strings.Builder
	if err := sampleReport().WriteText(&b, true); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{
		`  matrix.mprotect.rw-     rw- → rw-           allowed  allowed  fault    -               exec: SIGSEGV SEGV_ACCERR #PF 0x15
      read:         allowed; read 0x00
      write:        allowed; wrote 0x5a
      exec:         fault; SIGSEGV SEGV_ACCERR #PF error 0x15 (present, read, user, instruction fetch) addr 0x7f0000001000 pc 0x7f0000001000; instruction fetch from a non-executable page (NX) at 0x7f0000001000
      maps:         7f0000001000-7f0000002000 rw-p 00000000 00:00 0
      time:         40µs
`,
		`      mmap:         refused EEXIST; MAP_FIXED_NOREPLACE at 0x7f0000003000, which is mapped; mmap 0x7f0000003000+0x1000 rw-: file exists (EEXIST)
`,
		`      time:         16µs (in the child process)
`,
		`  child mseal: killed by SIGSEGV in 2ms
    stderr: SIGSEGV: segmentation violation
            PC=0x0
`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("verbose output lacks\n%s\nin\n%s", want, got)
		}
	}
}

func TestMmapWriteText(t *testing.T) {
	res := &MmapResult{
		Request: MmapRequest{Size: 4096, Prot: execmem.ProtRead, Addr: 0x10000000, Placement: execmem.PlaceHint,
			Touches: []Touch{{Read, 0x10}, {Write, 0x10}, {Read, 0x1000}}},
		Mmap: allowed("at the hint"), Addr: 0x10000000, Len: 4096, Maps: "10000000-10001000 r--p 00000000 00:00 0",
		Touches: []TouchResult{
			{Touch: Touch{Read, 0x10}, Addr: 0x10000010, Observation: allowed("read 0x00")},
			{Touch: Touch{Write, 0x10}, Addr: 0x10000010, Observation: Observation{Outcome: Faulted,
				Fault: &FaultInfo{Signal: syscall.SIGSEGV, Code: 2, Addr: 0x10000010, PC: 0x7f0000000004, ErrorCode: 7, Trap: 14}}},
			{Touch: Touch{Read, 0x1000}, Addr: 0x10001000, Outside: true, Observation: Observation{Outcome: Faulted,
				Fault: &FaultInfo{Signal: syscall.SIGSEGV, Code: 1, Addr: 0x10001000, PC: 0x7f0000000000, ErrorCode: 4, Trap: 14}}},
		},
	}
	var b strings.Builder
	if err := res.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := `request   4096 bytes r--, private anonymous, hint 0x10000000
mmap      allowed: at the hint
mapped    0x10000000-0x10001000 (4096 bytes)
maps      10000000-10001000 r--p 00000000 00:00 0
touch     read@0x10    0x10000010  allowed: read 0x00
touch     write@0x10   0x10000010  fault: SIGSEGV SEGV_ACCERR #PF error 0x7 (present, write, user) addr 0x10000010 pc 0x7f0000000004; write to a page without write permission at 0x10000010
touch     read@0x1000  0x10001000  fault: SIGSEGV SEGV_MAPERR #PF error 0x4 (not present, read, user) addr 0x10001000 pc 0x7f0000000000; read from an unmapped address at 0x10001000 (past the end of the mapping)
`
	if got := b.String(); got != want {
		t.Errorf("WriteText:\n%s\nwant:\n%s", got, want)
	}
}

func firstDiff(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
