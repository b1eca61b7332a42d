// Package memview shows memory the way gdb's x command does: a view is
// written WHAT[:LEN][/FMT] — a symbol, a register (the memory it points
// to) or an address, a length in bytes, and gdb's format letters — and
// rendered against a Context that holds the registers of the moment (after
// a return, at a fault, at a breakpoint) and the code's symbols.
//
// The model: Parse checks the spelling only (it needs no code and no
// registers, so a command line is refused before anything runs); Check
// resolves a symbol against the code's symbols (an unknown one lists
// them); Render reads the memory — through a read that cannot fault
// (process_vm_readv, internal/platform), one page at a time, so that an
// unmapped or unreadable page in the middle of a view is named ("not
// mapped", "not readable (---p)") and the pages after it are still shown —
// and returns a Shown, which prints as gdb-like rows (Text) and marshals
// to JSON. Each row starts with its address and, where a symbol covers it,
// <symbol+offset>. A view reads at most MaxLen bytes.
package memview
