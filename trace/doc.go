// Package trace runs machine code one instruction at a time and records
// what each instruction did.
//
// The model is a list of steps. Run sets up a trampoline.Machine for the
// code — the arguments in RDI, RSI, RDX, RCX, R8, R9 and XMM0–XMM7 as
// trampoline.Run passes them, a stack of the machine's own, a return
// address that ends the trace when the code's last RET reaches it — and
// runs it with the trap flag set (trampoline.StepMachine): every
// instruction ends in a debug trap, after which Run compares the registers
// with those before it and reads again the memory the instruction
// addressed. Each instruction becomes a Step: where it is (address,
// offset, symbol+offset, source line), its bytes and text (package
// disasm, with its corrections to the decoder), the general registers,
// RFLAGS bits, vector registers (XMM, YMM or ZMM, at the width they use)
// and opmask registers it changed, old and new values, and the
// memory it touched: each memory operand's effective address computed
// from the registers before the instruction, with up to MaxAccessBytes
// bytes read there before and after it (a read that would fault reads
// nothing, never crashes). Implicit memory is shown for the stack (PUSH,
// PUSHF, POP, POPF, CALL, RET, ENTER, LEAVE: the word written or read),
// XLAT's byte and the string instructions (MOVS, STOS, LODS, SCAS, CMPS:
// the element at RSI or RDI); other implicit memory (XSAVE areas, the
// descriptor tables) is not. A string instruction with a REP prefix is
// one step per iteration, as the CPU traps after each: RIP stays on it
// while RCX counts down.
//
// A function receives each step and may stop the trace. The trace ends
// when the code returns (Stop Returned, with the Result), faults (the
// *trampoline.Fault, the faulting instruction being the last step), runs
// past its time (the *trampoline.Interrupted), reaches Options.MaxSteps
// (Stop MaxSteps, with how often the next instruction had run: the
// loop's iterations), or when the function says so. A SYSCALL is one step
// whose Syscall holds its number, arguments and result. Breakpoints
// (Options.Breaks, offsets into the code, each from its Nth hit) mark the
// step that starts at them; an INT3 the code executes is a breakpoint too,
// after which the trace goes on.
//
// Folder folds repeated loop iterations of a text trace into one line, so
// that a loop of a million iterations reads as a few lines.
//
// Tracing costs a debug trap per instruction: some 20 µs in a VM, tens of
// thousands of steps a second. Every Run has a machine of its own: many
// may run at once.
package trace
