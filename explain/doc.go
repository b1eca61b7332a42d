// Package explain turns what a call of machine code ended with into the
// words jitrun shows: the CLI's reports, probe, and later the REPL and the
// web page all say a fault the same way.
//
// The model: trampoline keeps the raw facts of a fault (signal, si_code,
// exception vector, error code, addresses, registers) and names its class
// from one table (trampoline.Describe). This package adds what the
// trampoline cannot know — the instruction at the fault, decoded by disasm
// (a privileged HLT, a misaligned MOVAPS, a non-canonical address in a
// memory operand), the names of the code's symbols and labels, the
// program's sections (.text, .rodata, .data: a write to read-only data
// names the symbol and says to declare it in .data), the memory map
// (/proc/self/maps: what lies at an address) and the call's stack (a
// RET that popped a bad return address, RSP off its entry value) — in a
// Context, and says it in one line. It decodes, reads /proc/self/maps at
// most once per Context, and never prints.
package explain
