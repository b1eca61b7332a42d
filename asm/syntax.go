package asm

import (
	"bytes"
	"fmt"
	"strings"
)

// Syntax selects a text front end.
type Syntax uint8

const (
	// SyntaxAuto picks the syntax with DetectSyntax.
	SyntaxAuto Syntax = iota
	// SyntaxGo is the Go (Plan 9) assembler syntax of `go tool asm`.
	SyntaxGo
	// SyntaxIntel is Intel (NASM-style) syntax.
	SyntaxIntel
)

func (s Syntax) String() string {
	switch s {
	case SyntaxAuto:
		return "auto"
	case SyntaxGo:
		return "go"
	case SyntaxIntel:
		return "intel"
	}
	return fmt.Sprintf("Syntax(%d)", uint8(s))
}

// ParseSyntax parses a syntax name as a --syntax flag takes it: "go",
// "intel" or "auto" (or empty, for auto).
func ParseSyntax(name string) (Syntax, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "go", "plan9":
		return SyntaxGo, nil
	case "intel", "nasm":
		return SyntaxIntel, nil
	case "auto", "":
		return SyntaxAuto, nil
	}
	return SyntaxAuto, fmt.Errorf("unknown syntax %q: want go, intel or auto", name)
}

// DetectSyntax guesses the syntax of a source: Intel when the file name ends
// in .asm or .nasm, or when the first line that is neither blank nor a
// comment is `.intel_syntax` (with any arguments), `BITS 64` or `[BITS 64]`;
// Go otherwise.
func DetectSyntax(file string, src []byte) Syntax {
	lower := strings.ToLower(file)
	if strings.HasSuffix(lower, ".asm") || strings.HasSuffix(lower, ".nasm") {
		return SyntaxIntel
	}
	inBlock := false
	for len(src) > 0 {
		var line []byte
		line, src, _ = bytes.Cut(src, []byte("\n"))
		s := strings.TrimSpace(string(line))
		if inBlock {
			end := strings.Index(s, "*/")
			if end < 0 {
				continue
			}
			inBlock = false
			s = strings.TrimSpace(s[end+2:])
		}
		for strings.HasPrefix(s, "/*") {
			end := strings.Index(s[2:], "*/")
			if end < 0 {
				inBlock = true
				s = ""
				break
			}
			s = strings.TrimSpace(s[2+end+2:])
		}
		if s == "" || strings.HasPrefix(s, "//") || strings.HasPrefix(s, ";") {
			continue
		}
		if strings.HasPrefix(s, "#") {
			word := strings.Fields(strings.TrimSpace(s[1:]) + " ")
			if len(word) > 0 && isPreprocessorWord(word[0]) {
				return SyntaxGo
			}
			continue // a comment in GNU as style
		}
		f := strings.Fields(strings.ToLower(strings.Trim(s, "[] \t")))
		switch {
		case strings.HasPrefix(f[0], ".intel_syntax"):
			return SyntaxIntel
		case len(f) >= 2 && f[0] == "bits" && strings.TrimRight(f[1], "]") == "64":
			return SyntaxIntel
		}
		return SyntaxGo
	}
	return SyntaxGo
}

func isPreprocessorWord(w string) bool {
	switch w {
	case "include", "define", "undef", "ifdef", "ifndef", "else", "endif", "line":
		return true
	}
	return false
}

// Parse runs the front end for syntax on src and returns the statements,
// without encoding them. file names the source in positions. The error, if
// any, is an ErrorList.
func Parse(file string, src []byte, syntax Syntax) ([]Stmt, error) {
	if syntax == SyntaxAuto {
		syntax = DetectSyntax(file, src)
	}
	var stmts []Stmt
	var errs ErrorList
	switch syntax {
	case SyntaxGo:
		stmts, errs = parseGo(file, src)
	case SyntaxIntel:
		stmts, errs = parseIntel(file, src)
	default:
		return nil, ErrorList{{Pos: Pos{File: file, Line: 1, Col: 1}, Msg: fmt.Sprintf("unknown syntax %v", syntax)}}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return stmts, nil
}

// AssembleSource assembles src, written in syntax (SyntaxAuto: detected from
// file and src), into a Program. file names the source in positions and in
// Program.File. The error, if any, is an ErrorList of every problem found.
func AssembleSource(file string, src []byte, syntax Syntax) (*Program, error) {
	stmts, err := Parse(file, src, syntax)
	if err != nil {
		return nil, err
	}
	return encode(file, stmts)
}

// Assemble assembles Go-syntax source text. Positions in errors name the
// source "<input>".
func Assemble(src string) (*Program, error) {
	return AssembleSource("<input>", []byte(src), SyntaxGo)
}
