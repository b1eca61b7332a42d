// Package att is the AT&T-syntax front end of the assembler: the GNU as
// dialect that gcc -S writes and objdump prints (movq %rdi, %rax), turned
// into the statement IR (package ir).
//
// A source is read statement by statement (lex.go makes the tokens of a
// line; ';' separates statements, '#' and /* */ are comments). A statement
// is labels (name:, or a number for the local labels 1b/1f refer to), then
// a directive (directive.go, data.go: sections, data, alignment, symbols,
// and the many gcc writes that mean nothing here) or an instruction. An
// instruction's operands (operand.go) are read in AT&T order, sources
// first, which is Go's order too; reversed they are Intel's, and the
// mnemonic, with or without its size suffix (b w l q, x y z, the x87 s l
// t ll), is matched (inst.go) against the Intel front end's generated
// form table (intel.FormTable, compiled by go generate into
// data_forms_gen.go: forms.go), which gives the Go instruction. The AT&T
// names that are not Intel's (movzbl, movslq, cltq, cqto, movsl …) are
// translated first (mnemonics.go); constant
// expressions are expr.go's. Register-to-register VEX moves are written
// as GNU as encodes them (vexmove.go). Labels in data sections become
// GLOBL symbols with their DATA (data.go); a label difference (.long
// .L3-.L4, gcc's jump tables) is a DATA the encoder fills once it has
// laid out the code. An instruction's spelling, which the encoder's
// messages quote, is made only when one needs it, by reading the
// instruction again (respell.go). Two shortcuts change nothing of what
// comes out: a plain line (a mnemonic and %reg, $number,
// number(%base,%index,scale) operands, nothing else) is read straight
// from its text without tokens (fastpath.go), and a kind of instruction
// (a mnemonic and operand signature) is matched against the form table
// once: the forms' usual kinds when go generate runs (data_sigs_gen.go),
// the others once per source, which the parser remembers
// (matchcache.go).
package att
