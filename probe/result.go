package probe

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
	"time"

	"github.com/jitrun/jitrun/internal/platform"
	"github.com/jitrun/jitrun/trampoline"
)

// Outcome is what one step of a probe did.
type Outcome uint8

const (
	NotTried Outcome = iota // the step was not taken (the zero value)
	Allowed                 // the access or the operation succeeded: "allowed"
	Faulted                 // the access raised a signal: "fault"
	Refused                 // the kernel refused the operation with an errno: "refused"
	Skipped                 // not performed, and why (no PKU, …): "skipped"
	Failed                  // the probe could not be carried out (a child crashed, …): "error"
)

var outcomeNames = [...]string{NotTried: "", Allowed: "allowed", Faulted: "fault", Refused: "refused", Skipped: "skipped", Failed: "error"}

// String returns the outcome as the table and the JSON show it: "allowed",
// "fault", "refused", "skipped", "error", or "" for NotTried.
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("Outcome(%d)", uint8(o))
}

// ParseOutcome is the inverse of String.
func ParseOutcome(s string) (Outcome, error) {
	for i, n := range outcomeNames {
		if n == s {
			return Outcome(i), nil
		}
	}
	return 0, fmt.Errorf("probe: unknown outcome %q (want allowed, fault, refused, skipped or error)", s)
}

// FaultInfo is the evidence of a fault: the signal and its si_code, the
// faulting address, the PC, and what the CPU reported (exception vector and
// error code). It is trampoline.Fault without the registers.
type FaultInfo struct {
	Signal    syscall.Signal
	Code      int     // si_code
	Addr      uintptr // si_addr (0 for SI_KERNEL faults such as #GP)
	PC        uintptr
	ErrorCode uint64 // the CPU's error code; for a page fault see PageFault
	Trap      int    // exception vector: 14 #PF, 13 #GP, 17 #AC, …
	// AtCall is set when the CPU refused the call itself (PC is then
	// the target): see trampoline.Fault.AtCall.
	AtCall bool
}

func faultInfo(f *trampoline.Fault) *FaultInfo {
	return &FaultInfo{Signal: f.Signal, Code: f.Code, Addr: f.Addr, PC: f.PC, ErrorCode: f.ErrorCode, Trap: f.Trap,
		AtCall: f.AtCall}
}

// SignalName returns "SIGSEGV", "SIGBUS", ….
func (f *FaultInfo) SignalName() string { return trampoline.SignalName(f.Signal) }

// CodeName returns the si_code's name: "SEGV_ACCERR", "SI_KERNEL", ….
func (f *FaultInfo) CodeName() string { return trampoline.CodeName(f.Signal, f.Code) }

// TrapName returns the exception's mnemonic: "#PF", "#GP", ….
func (f *FaultInfo) TrapName() string { return trampoline.TrapName(f.Trap) }

// PageFault returns the decoded error code of a page fault (trap 14).
func (f *FaultInfo) PageFault() (trampoline.PageFaultCode, bool) {
	return trampoline.PageFaultCode(f.ErrorCode), f.Trap == 14
}

// InstructionFetch reports whether the fault is a page fault on an
// instruction fetch (error-code bit 4: the NX/XD bit at work).
func (f *FaultInfo) InstructionFetch() bool {
	pf, ok := f.PageFault()
	return ok && pf.InstructionFetch()
}

// Description says in words what went wrong ("instruction fetch from a
// non-executable page (NX) at 0x…").
func (f *FaultInfo) Description() string {
	if f.AtCall {
		return (&trampoline.Fault{Signal: f.Signal, Trap: f.Trap, AtCall: true, Entry: f.PC}).Description()
	}
	return trampoline.Describe(f.Signal, f.Code, f.Trap, f.ErrorCode, f.Addr)
}

// Short is the one-cell summary the table shows: "SIGSEGV SEGV_ACCERR #PF
// 0x15" (the error code only for page faults).
func (f *FaultInfo) Short() string {
	s := f.SignalName() + " " + f.CodeName() + " " + f.TrapName()
	if f.Trap == 14 {
		s += fmt.Sprintf(" %#x", f.ErrorCode)
	}
	return s
}

// Long is the full evidence in one line: signal, si_code, exception, the
// decoded error code of a page fault, the address and the PC.
func (f *FaultInfo) Long() string {
	var b strings.Builder
	b.WriteString(f.SignalName() + " " + f.CodeName() + " " + f.TrapName())
	if pf, ok := f.PageFault(); ok {
		b.WriteString(" error " + pf.String())
	}
	fmt.Fprintf(&b, " addr %#x pc %#x", f.Addr, f.PC)
	return b.String()
}

// Observation is what one step did: its outcome and the evidence.
type Observation struct {
	Outcome Outcome
	// Fault is the signal, when Outcome is Faulted; also when an
	// instruction fetch succeeded but the bytes there then faulted
	// (Outcome Allowed: jitrun mmap runs whatever a page holds).
	Fault *FaultInfo
	// Errno names the kernel's refusal ("EACCES"), when Outcome is Refused.
	Errno string
	// Detail says what was seen, in words: "read 0xc3", "returned", the
	// reason a step was skipped or failed, what a refusal means.
	Detail string
	// Message is the text of the error behind a refusal or a failure:
	// "mprotect 0x7f…+0x1000 r-x: permission denied (EACCES); …".
	Message string
}

// Cell is the outcome as a table cell: "allowed", "fault", "refused
// EACCES", "skipped", "error", or "-" for a step not taken.
func (o Observation) Cell() string {
	switch o.Outcome {
	case NotTried:
		return "-"
	case Refused:
		if o.Errno != "" {
			return "refused " + o.Errno
		}
	}
	return o.Outcome.String()
}

// Evidence is the observation's evidence in one line, "" when there is
// nothing beyond the outcome. Short (long false) is a fault's signal,
// si_code, exception and error code, and the Detail; long adds the decoded
// error code, the address, the PC and the fault in words, and the Message.
func (o Observation) Evidence(long bool) string {
	var parts []string
	if o.Detail != "" && o.Fault != nil && o.Outcome == Allowed {
		// "the fetch worked; the bytes there ran and then faulted", then how.
		parts = append(parts, o.Detail)
	}
	if f := o.Fault; f != nil {
		if long {
			parts = append(parts, f.Long(), f.Description())
		} else {
			parts = append(parts, f.Short())
		}
	}
	if o.Detail != "" && (o.Fault == nil || o.Outcome != Allowed) {
		parts = append(parts, o.Detail)
	}
	if long && o.Message != "" {
		parts = append(parts, o.Message)
	}
	return strings.Join(parts, "; ")
}

// allowed, skipped and failed make observations.
func allowed(detail string) Observation { return Observation{Outcome: Allowed, Detail: detail} }
func skipped(why string) Observation    { return Observation{Outcome: Skipped, Detail: why} }
func failed(why string) Observation     { return Observation{Outcome: Failed, Detail: why} }

// refusal turns a failed system call into an observation: Refused with the
// errno's name when the kernel gave one, else Failed (a validation error
// before any system call, an unsupported platform). detail says what the
// refusal means, or is "".
func refusal(err error, detail string) Observation {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return Observation{Outcome: Refused, Errno: errnoString(errno), Detail: detail, Message: errMessage(err)}
	}
	return Observation{Outcome: Failed, Detail: detail, Message: errMessage(err)}
}

// errMessage is the error's text without the package prefix of execmem.
func errMessage(err error) string {
	return strings.TrimPrefix(err.Error(), "execmem: ")
}

// errnoString names an errno: "EACCES", or "errno N" when unnamed.
func errnoString(e syscall.Errno) string {
	if n := platform.ErrnoName(e); n != "" {
		return n
	}
	return fmt.Sprintf("errno %d", uintptr(e))
}

// Step is one step of a probe: an access ("read", "write", "exec") or a
// system call ("mmap", "mprotect", "prctl", "mseal", …), and what it did.
type Step struct {
	Name string
	Observation
}

// The access steps, in the order the table shows them.
const (
	StepRead  = "read"
	StepWrite = "write"
	StepExec  = "exec"
)

// Result is the record of one probe.
type Result struct {
	Name string // "matrix.mprotect.r-x"
	// Requested is what the probe asked for, briefly: a protection
	// ("r-x"), a change ("rw- → rwx"), a placement ("noreplace").
	Requested string
	// Steps are the steps taken, in order, each with its evidence. A
	// step's name appears at most once.
	Steps []Step
	// Result is the probe's verdict: the outcome of the operation it is
	// about (for an access probe, that access; for a refusal probe, the
	// system call). NotTried for protection-matrix rows, whose verdict is
	// their three accesses.
	Result Outcome
	// Note adds, in words, what the steps do not say ("the #GP is raised
	// on the CALL"); the table shows it with the evidence.
	Note string
	// Maps is the /proc/self/maps line of the memory the probe touched,
	// as it was during the accesses.
	Maps string
	// Elapsed is how long the probe took (in the child, for a child probe).
	Elapsed time.Duration
	// Child is set when the probe ran in a child process.
	Child bool
}

// Section returns the part of the name before the first dot: "matrix",
// "exec", "viol", ….
func (r *Result) Section() string {
	s, _, _ := strings.Cut(r.Name, ".")
	return s
}

// Step returns the observation of the named step.
func (r *Result) Step(name string) (Observation, bool) {
	for _, s := range r.Steps {
		if s.Name == name {
			return s.Observation, true
		}
	}
	return Observation{}, false
}

// Outcome returns the outcome of the named step (NotTried when the probe
// did not take it).
func (r *Result) Outcome(step string) Outcome {
	o, _ := r.Step(step)
	return o.Outcome
}

// Verdict is the probe's result as one cell: the Result outcome, with the
// errno for a refusal.
func (r *Result) Verdict() string {
	if r.Result == NotTried {
		return "-"
	}
	for _, s := range r.Steps {
		if s.Outcome == Refused && r.Result == Refused {
			return s.Cell()
		}
	}
	return r.Result.String()
}

// add appends a step and returns its observation.
func (r *Result) add(name string, o Observation) Observation {
	r.Steps = append(r.Steps, Step{Name: name, Observation: o})
	return o
}

// finish sets the verdict to the outcome of the step named by verdict.
func (r *Result) finish(verdict string) {
	r.Result = r.Outcome(verdict)
}

// finishLast sets the verdict to the outcome of the last step taken, if
// any.
func (r *Result) finishLast() {
	if len(r.Steps) > 0 {
		r.Result = r.Steps[len(r.Steps)-1].Outcome
	}
}

// addNote appends a clause to the note.
func (r *Result) addNote(s string) {
	if r.Note != "" {
		r.Note += "; "
	}
	r.Note += s
}
