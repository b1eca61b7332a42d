// Package repl is the engine of jitrun repl: a machine whose state lives
// on between lines of code typed one at a time, in Go or Intel syntax.
//
// The model: a Session holds a trampoline.Machine — every general
// register, RFLAGS, the vector and x87 state — with a stack of its own
// (StackSize bytes) and a scratch data area (ScratchSize bytes, mapped at
// ScratchHint when that is free) whose address RDI holds at the start.
// Each line (Feed; a block of lines opened by a label and ended by an
// empty line) is assembled with an INT3 after it, loaded in W^X memory
// and run with trampoline.RunMachine from the state the last line left,
// under a timeout and with an FS block of its own. When the code reaches
// that INT3 the state is kept and the Outcome lists the registers that
// changed; an INT3 of its own is a breakpoint, which keeps the state too.
// A fault, a timeout, code that leaves RSP off the stack or that runs
// on past its end (a Load without RET) puts back the whole state from
// before the line: registers, the FPU state (saved with XSAVE in the
// machine itself), the stack and the scratch area. The
// last MaxUndo states are kept for Undo; Reset returns to the first.
// Set gives a register a value, Load runs a file's code as a function
// against the state, Entries lists what was typed, and Source writes it
// as a file jitrun run runs to the same registers.
//
// Addresses of the stack and the scratch area change from run to run:
// AddrName names them (stack+0x7ff8, scratch+0x10) so that what shows
// them can read the same every time.
//
// The package never prints: it returns values that the CLI formats. It
// installs no system-call filter; jitrun repl does (trampoline.GuardSyscalls)
// so that code cannot end the process.
package repl
