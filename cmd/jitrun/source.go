package main

import (
	"errors"
	"flag"
	"fmt"

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

// register adds -e and --syntax to fset.
func (s *sourceInput) register(fset *flag.FlagSet) {
	fset.StringVar(&s.expr, "e", "", "assemble `SRC` given on the command line instead of a FILE (named "+exprName+" in errors). Separate statements with ';' or newlines, in either syntax: in -e, ';' does not start an Intel comment ('#' does)")
	fset.StringVar(&s.syntax, "syntax", "auto", "source `syntax`: go, intel, att (or gnu), or auto (Intel for .asm/.nasm files and sources starting with .intel_syntax, BITS 64 or a lower-case instruction; AT&T for sources that name a %register or say .att_syntax)")
}

// loadedSource is an assembled input.
type loadedSource struct {
	Name   string // file name, "<stdin>" or "<expr>"
	Src    []byte
	Syntax asm.Syntax // as used (never SyntaxAuto)
	Prog   *asm.Program
}

// load reads the input the command line names (the first positional
// argument is FILE unless -e was given) and assembles it. It returns the
// remaining positional arguments. Assembly errors come back as the
// asm.ErrorList (one positioned line each); every other problem is one
// line with its exit status.
func (s *sourceInput) load(e *env, cl *commandLine, args []string) (*loadedSource, []string, error) {
	syntax, err := asm.ParseSyntax(s.syntax)
	if err != nil {
		return nil, nil, inputError("--syntax: %v", err)
	}
	src := &loadedSource{}
	rest := args
	switch {
	case cl.given("e"):
		src.Name, src.Src = exprName, []byte(s.expr)
		if len(src.Src) > maxSource {
			return nil, nil, (input{path: exprName, what: "source", limit: maxSource}).tooLarge()
		}
	case len(args) == 0:
		return nil, nil, inputError("need a FILE or -e SRC (see '%s -h')", cl.fset.Name())
	default:
		in := input{path: args[0], what: "source", limit: maxSource}
		src.Name, rest = in.name(), args[1:]
		if src.Src, err = in.read(e); err != nil {
			return nil, nil, err
		}
	}
	if syntax == asm.SyntaxAuto {
		syntax = asm.DetectSyntax(src.Name, src.Src)
	}
	src.Syntax = syntax
	// A one-line -e source separates its statements with ';' in Intel
	// syntax too (as GNU as does); in files ';' starts a NASM comment.
	opts := asm.Options{Syntax: syntax, Semicolons: cl.given("e")}
	if src.Prog, err = opts.Assemble(src.Name, src.Src); err != nil {
		return nil, nil, asmError(src.Name, err)
	}
	if len(src.Prog.Code) == 0 {
		return nil, nil, inputError("%s: empty input: no instructions", src.Name)
	}
	return src, rest, nil
}

// asmError is the error of assembling file: the asm.ErrorList as it is
// (printed one positioned line each), another error after the file name.
func asmError(file string, err error) error {
	var list asm.ErrorList
	if errors.As(err, &list) {
		return err
	}
	return &exitError{status: exitInput, err: fmt.Errorf("%s: %v", file, err), bare: true}
}
