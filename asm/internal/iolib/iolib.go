// Package iolib holds jitrun's small I/O library: routines a program may
// CALL to print numbers and strings and to read them, each written in
// x86-64 assembly over the write and read system calls. The sources are
// Go-syntax assembly (print.s, read.s, write.s), embedded in the binary;
// the asm package parses them and links into a program the routines it
// calls and does not define (asm/lib.go). This package only holds the
// sources and the table that documents each public routine's register
// contract; it knows nothing of parsing.
package iolib

import (
	"embed"
	"io/fs"
)

//go:embed print.s read.s write.s
var sources embed.FS

// File is one library source.
type File struct {
	Name string // as positions name it: iolib/print.s
	Src  []byte
}

// Files returns the library sources, in a fixed order.
func Files() []File {
	var files []File
	for _, name := range []string{"print.s", "read.s", "write.s"} {
		src, err := fs.ReadFile(sources, name)
		if err != nil {
			// The names are embedded above: reading them cannot fail.
			continue
		}
		files = append(files, File{Name: "iolib/" + name, Src: src})
	}
	return files
}

// Routine documents one public routine: what a program may call.
type Routine struct {
	Name     string // the TEXT symbol: print_int
	Summary  string // what it does, one line
	Args     string // the arguments, by register
	Result   string // what comes back, by register; "" for nothing
	Clobbers string // the registers it may change besides the result
}

// Clobber sets of the two kinds of routine (both caller-saved only).
const (
	printClobbers = "rax rcx rdx rsi rdi r11"
	readClobbers  = "rax rcx rdx rsi rdi r8 r9 r10 r11"
)

// Routines returns the public routines, in the order help lists them.
func Routines() []Routine {
	return []Routine{
		{Name: "print_int", Summary: "write rdi as a signed decimal number (-42)", Args: "rdi", Clobbers: printClobbers},
		{Name: "print_uint", Summary: "write rdi as an unsigned decimal number (18446744073709551615)", Args: "rdi", Clobbers: printClobbers},
		{Name: "print_hex", Summary: "write rdi in hexadecimal, 0x and no leading zeros (0xdeadbeef, 0x0)", Args: "rdi", Clobbers: printClobbers},
		{Name: "print_char", Summary: "write the byte in dil ('A' is 65)", Args: "dil", Clobbers: printClobbers},
		{Name: "print_str", Summary: "write the bytes at rdi up to the first zero byte (a C string)", Args: "rdi", Clobbers: printClobbers},
		{Name: "print_newline", Summary: "write a newline", Clobbers: printClobbers},
		{Name: "read_int", Summary: "read a signed decimal integer from standard input, after any blanks", Args: "",
			Result: "rax = the value, rdx = 0; rdx = 1 at the end of the input, 2 for bad input (rax = 0)", Clobbers: readClobbers},
		{Name: "read_line", Summary: "read a line into the buffer at rdi of rsi bytes, without its newline, ending it with a zero byte", Args: "rdi, rsi",
			Result: "rax = the bytes stored, -1 at the end of the input", Clobbers: readClobbers},
	}
}

// IsRoutine reports whether name is a public routine (one of Routines),
// without allocating: the encoder asks it of every name a branch or a
// reference uses.
func IsRoutine(name string) bool {
	switch name {
	case "print_int", "print_uint", "print_hex", "print_char", "print_str", "print_newline", "read_int", "read_line":
		return true
	}
	return false
}
