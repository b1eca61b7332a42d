//go:build linux && amd64

package explain

import (
	"errors"
	"testing"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/trampoline"
)

// sectionsSource has read-only data, writable data and functions that
// misuse each: every function faults.
const sectionsSource = `
section .text
write_ro:	inc qword [rel counter]
		ret
write_ro_gap:	mov byte [rel counter+8], 1   ; past the symbol, still .rodata
		ret
run_ro:		lea rax, [rel counter]
		call rax
		ret
run_data:	lea rax, [rel buf+8]
		call rax
		ret
run_tail:	lea rax, [rel buf+40]   ; past the end of the code, in .data's last page
		call rax
		ret
section .rodata
counter:	dq 41
section .bss
buf:		resq 4
`

// TestSectionWords checks what a fault on a program's data says, with the
// program loaded as its layout asks (read-only data r--, writable data
// rw-): which part and symbol the address is in, and what to do.
func TestSectionWords(t *testing.T) {
	prog, err := asm.AssembleSource("t.asm", []byte(sectionsSource), asm.SyntaxIntel)
	if err != nil {
		t.Fatal(err)
	}
	ro, w := prog.LoadLayout()
	blk, err := execmem.LoadWith(prog.Code, execmem.LoadOptions{Readonly: ro, Writable: w})
	if err != nil {
		t.Fatal(err)
	}
	defer blk.Close()
	for _, tc := range []struct {
		entry  string
		syntax asm.Syntax
		code   uint64 // the page fault's error code
		words  string // Fault
		where  string // Where of the fault's address, up to the memory map's words
	}{
		{"write_ro", asm.SyntaxIntel, 0x7, "write to read-only data (counter); declare it in .data to write it", "in .rodata (counter+0x0), mapped r--p"},
		{"write_ro", asm.SyntaxGo, 0x7, "write to read-only data (counter); declare it in .data (GLOBL without RODATA) to write it", "in .rodata (counter+0x0), mapped r--p"},
		{"write_ro_gap", asm.SyntaxIntel, 0x7, "write to read-only data (.rodata); declare it in .data to write it", "in .rodata (counter+0x8), mapped r--p"},
		{"run_ro", asm.SyntaxIntel, 0x15, "instruction fetch from read-only data (counter), which is never executable (NX)", "in .rodata (counter+0x0), mapped r--p"},
		{"run_data", asm.SyntaxIntel, 0x15, "instruction fetch from writable data (buf), which is never executable (NX)", "in .data (buf+0x8), mapped rw-p"},
		{"run_tail", asm.SyntaxIntel, 0x15, "instruction fetch from writable data (.data), which is never executable (NX)", "past the end of the data, in its last page (8224 bytes of code and data), mapped rw-p"},
	} {
		t.Run(tc.entry+"/"+tc.syntax.String(), func(t *testing.T) {
			off, ok := prog.Lookup(tc.entry)
			if !ok {
				t.Fatalf("no %s", tc.entry)
			}
			_, err := trampoline.Run(t.Context(), blk.Addr()+uintptr(off), &trampoline.Args{}, &trampoline.Options{Code: blk})
			var f *trampoline.Fault
			if !errors.As(err, &f) || f.Signal != sigSEGV || f.Code != 2 || f.ErrorCode != tc.code {
				t.Fatalf("%v, want SIGSEGV SEGV_ACCERR with error code %#x", err, tc.code)
			}
			c := &Context{Code: prog.Code, Base: uint64(blk.Addr()), Cap: blk.Cap(), Program: prog, Syntax: tc.syntax}
			if got := c.Fault(f); got != tc.words {
				t.Errorf("Fault: %q\nwant %q", got, tc.words)
			}
			if got := c.Where(uint64(f.Addr), f); got != tc.where {
				t.Errorf("Where: %q, want %q", got, tc.where)
			}
		})
	}
	// Without the Program, the same fault is a page's.
	_, err = trampoline.Run(t.Context(), blk.Addr(), &trampoline.Args{}, &trampoline.Options{Code: blk})
	var f *trampoline.Fault
	if !errors.As(err, &f) {
		t.Fatal(err)
	}
	c := &Context{Code: prog.Code, Base: uint64(blk.Addr()), Cap: blk.Cap()}
	if got := c.Fault(f); got != "write to a read-only page" {
		t.Errorf("without a Program: %q", got)
	}
	if sec, ok := (&Context{Program: prog}).SectionOf(prog.WritableStart() - 1); !ok || sec != (Section{".rodata", asm.SymRodata}) {
		t.Errorf("SectionOf(the last byte of .rodata's page) = %+v, %v", sec, ok)
	}
}
