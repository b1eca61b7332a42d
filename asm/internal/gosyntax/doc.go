// Package gosyntax is the Go-syntax front end of the assembler: the text
// `go tool asm` reads for amd64, turned into the statement IR (package
// ir). Three stages run over a source, one file each: the lexer
// (lex.go) makes tokens as go tool asm's text/scanner configuration sees
// them; the preprocessor (preproc.go) runs #define, #ifdef and #include of
// the built-in headers and splits lines into statements; the parser
// (parse.go) reads each statement's operands and directives into ir
// statements. ParseFunc hands over every statement it could read, as it
// reads it, and returns every problem it found, so that the encoder behind
// it can look for more. One shortcut (fastpath.go) reads a plain line —
// labels and instructions with operands such as AX, $42, 8(SP)(CX*4) and
// name+8(SB), with no macro, expression or directive — straight from the
// source's bytes into the statements the three stages would make, and
// leaves every other line, and every line with something to report, to
// them; the lexer reads those through windows copied from the source
// (window.go), so that the source is never copied whole.
package gosyntax
