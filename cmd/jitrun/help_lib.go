package main

import (
	"fmt"
	"io"

	"github.com/jitrun/jitrun/asm"
)

// `jitrun help lib`: the routines of jitrun's I/O library (asm.Library),
// which code may call without defining them.

// libTopic is the name `jitrun help` takes for the library.
const libTopic = "lib"

// writeLibHelp lists the library's routines and their register contracts.
func writeLibHelp(w io.Writer) error {
	_, err := io.WriteString(w, libHelpText())
	return err
}

func libHelpText() string {
	s := "jitrun's I/O library: routines the code may call, in either syntax (call print_int,\n" +
		"CALL print_int(SB)), to write to standard output and read standard input without\n" +
		"defining them. The assembler links in each routine the code calls and does not define\n" +
		"(a label or TEXT block of the same name is the code's own, and stays), with the routines\n" +
		"it calls, after the code: run --disasm and asm --format listing show them as symbols of\n" +
		"their own. Code that calls none gets no byte of the library. Each routine is assembly\n" +
		"over the write and read system calls, which --syscalls guard (the default) runs; in\n" +
		"Intel syntax, extern may name them.\n\n" +
		"They follow the System V calling convention: arguments in rdi and rsi, the result in\n" +
		"rax (and rdx); each keeps rbx, rbp, r12-r15 and rsp, and may change only the registers\n" +
		"it lists (all caller-saved: keep what must survive a call in rbx or r12-r15, saved\n" +
		"first). Call them with the stack as CALL leaves it; they need no particular alignment.\n\n"
	for _, r := range asm.Library() {
		s += fmt.Sprintf("  %s(%s)\n      %s\n", r.Name, r.Args, r.Summary)
		if r.Result != "" {
			s += fmt.Sprintf("      returns %s\n", r.Result)
		}
		s += fmt.Sprintf("      clobbers %s\n", r.Clobbers)
	}
	return s + "\n" +
		"read_int skips blanks (space, tab, newline, CR), reads an optional sign and the digits,\n" +
		"and the blank after them; 12x, 1.5, a lone - and values outside int64 are bad input.\n" +
		"read_line stores at most rsi-1 bytes and a zero byte; the rest of a longer line is read\n" +
		"and dropped, and a last line without a newline still counts. Both read one byte per\n" +
		"system call, so they never take input they do not use.\n\n" +
		"Example (Intel syntax; docs/lib.md has more):\n\n" +
		"  mov rdi, -42\n" +
		"  call print_int       ; -42\n" +
		"  call print_newline\n" +
		"  ret\n"
}
