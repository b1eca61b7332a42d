// Package memarg gives machine code arguments that are memory: a string,
// a zeroed buffer, an array of numbers or a file's bytes, each written as
// one word (str:hello, buf:64, i64:1,-2,3, f32:0.5,2, file:data.bin) and
// passed to the code as a pointer.
//
// The model: Parse reads a word into a Spec (it touches nothing, so a
// command line is checked whole before anything is mapped); Map maps all
// of a call's Specs, each in a read+write mapping of its own (execmem.Map)
// with a PROT_NONE guard page right after it, and places the data so that
// its last byte is the last byte before the guard page — as Electric Fence
// does — so that reading or writing one byte past the end faults at once
// instead of touching something else. The start of the data is therefore
// aligned only as its size is: an array of 8-byte elements starts on an
// 8-byte boundary, buf:64 on a 64-byte one, str:hi (3 bytes) on none. A
// zero-byte buffer (buf:0, an empty file) is a pointer to the guard page
// itself. After the call, Buffer.Contents reads each buffer back with a
// read that cannot fault (the code may have unmapped or protected it), and
// Set.Close unmaps them all.
//
// Every buffer is at most MaxBuffer bytes and a call's buffers together at
// most MaxTotal: more is refused before anything is mapped or read.
package memarg
