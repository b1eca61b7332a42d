package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/jitrun/jitrun/asm"
)

// exprName is the name positions give a source passed with -e.
const exprName = "<expr>"

// sourceInput is the assembly input shared by run, asm and bench: a FILE
// argument ("-" for standard input) or -e SRC, in a syntax given by
// --syntax or detected.
type sourceInput struct {
	expr   string
	syntax string
}

// register adds -e and --syntax to fs.
func (s *sourceInput) register(fs *flag.FlagSet) {
	fs.StringVar(&s.expr, "e", "", "assemble `SRC` given on the command line instead of a FILE (named "+exprName+" in errors). Separate statements with ';' or newlines, in either syntax: in -e, ';' does not start an Intel comment ('#' does)")
	fs.StringVar(&s.syntax, "syntax", "auto", "source `syntax`: go, intel, or auto (Intel for .asm/.nasm files and sources starting with .intel_syntax, BITS 64 or a lower-case instruction)")
}

// loadedSource is an assembled input.
type loadedSource struct {
	Name   string // file name, "<stdin>" or "<expr>"
	Src    []byte
	Syntax asm.Syntax // as used (never SyntaxAuto)
	Prog   *asm.Program
}

// load reads the input named by the positional arguments (the first one is
// FILE unless -e was given) and assembles it. It returns the remaining
// positional arguments. On failure it reports on e.stderr in one line per
// problem (FILE:LINE:COL: message for assembly errors) and returns ok=false
// with the exit status.
func (s *sourceInput) load(e *env, cmd string, args []string) (src *loadedSource, rest []string, status int, ok bool) {
	syntax, err := asm.ParseSyntax(s.syntax)
	if err != nil {
		fmt.Fprintf(e.stderr, "jitrun %s: --syntax: %v\n", cmd, err)
		return nil, nil, exitUsage, false
	}
	src = &loadedSource{}
	switch {
	case s.expr != "":
		src.Name, src.Src, rest = exprName, []byte(s.expr), args
	case len(args) == 0:
		fmt.Fprintf(e.stderr, "jitrun %s: need a FILE or -e SRC (see 'jitrun %s -h')\n", cmd, cmd)
		return nil, nil, exitUsage, false
	case args[0] == "-":
		src.Name, rest = "<stdin>", args[1:]
		if e.stdin == nil {
			fmt.Fprintf(e.stderr, "jitrun %s: no standard input\n", cmd)
			return nil, nil, exitUsage, false
		}
		if src.Src, err = io.ReadAll(e.stdin); err != nil {
			fmt.Fprintf(e.stderr, "jitrun %s: reading standard input: %v\n", cmd, err)
			return nil, nil, exitError, false
		}
	default:
		src.Name, rest = args[0], args[1:]
		if src.Src, err = os.ReadFile(args[0]); err != nil {
			fmt.Fprintf(e.stderr, "jitrun %s: %v\n", cmd, err)
			if errors.Is(err, fs.ErrNotExist) {
				return nil, nil, exitUsage, false
			}
			return nil, nil, exitError, false
		}
	}
	if syntax == asm.SyntaxAuto {
		syntax = asm.DetectSyntax(src.Name, src.Src)
	}
	src.Syntax = syntax
	// A one-line -e source separates its statements with ';' in Intel
	// syntax too (as GNU as does); in files ';' starts a NASM comment.
	opts := asm.Options{Syntax: syntax, Semicolons: s.expr != ""}
	src.Prog, err = opts.Assemble(src.Name, src.Src)
	if err != nil {
		printAsmError(e, src.Name, err)
		return nil, nil, exitUsage, false
	}
	return src, rest, 0, true
}

// printAsmError prints an assembly error list one problem a line (each
// positioned), or another error after the file name.
func printAsmError(e *env, file string, err error) {
	var list asm.ErrorList
	if errors.As(err, &list) {
		for _, e1 := range list {
			fmt.Fprintln(e.stderr, e1.Error())
		}
		return
	}
	fmt.Fprintf(e.stderr, "%s: %v\n", file, err)
}
