package asm

//go:generate go run ./internal/intelgen

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/jitrun/jitrun/asm/internal/att"
	"github.com/jitrun/jitrun/asm/internal/gosyntax"
	"github.com/jitrun/jitrun/asm/internal/intel"
	"github.com/jitrun/jitrun/asm/internal/ir"
	"github.com/jitrun/jitrun/asm/internal/x86enc"
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
	// SyntaxATT is the AT&T syntax of the GNU assembler (movq %rdi, %rax),
	// which gcc -S writes and disasm prints (see the package doc, AT&T
	// syntax).
	SyntaxATT
)

func (s Syntax) String() string {
	switch s {
	case SyntaxAuto:
		return "auto"
	case SyntaxGo:
		return "go"
	case SyntaxIntel:
		return "intel"
	case SyntaxATT:
		return "att"
	}
	return fmt.Sprintf("Syntax(%d)", uint8(s))
}

// Syntaxes returns the syntaxes by name, in the order help texts show them
// (SyntaxAuto, which is no syntax of its own, aside).
func Syntaxes() []Syntax { return []Syntax{SyntaxGo, SyntaxIntel, SyntaxATT} }

// ParseSyntax parses a syntax name as a --syntax flag takes it: "go" (or
// "plan9"), "intel" (or "nasm"), "att" (or "gnu", "at&t"), and "auto" (or
// empty).
func ParseSyntax(name string) (Syntax, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "go", "plan9":
		return SyntaxGo, nil
	case "intel", "nasm":
		return SyntaxIntel, nil
	case "att", "gnu", "at&t":
		return SyntaxATT, nil
	case "auto", "":
		return SyntaxAuto, nil
	}
	return SyntaxAuto, fmt.Errorf("unknown syntax %q: want go, intel, att or auto", name)
}

// DetectSyntax guesses the syntax of a source: Intel when the file name ends
// in .asm or .nasm; AT&T when a line is `.att_syntax` or writes a register
// as AT&T does (%rax, %xmm0); Intel when the first line that is neither blank nor a
// comment is `.intel_syntax` (with any arguments), `BITS 64` or `[BITS 64]`,
// or starts (after labels) with an Intel mnemonic or NASM directive written
// in lower case (mov, xor, section: Go syntax writes its mnemonics in upper
// case); Go otherwise.
func DetectSyntax(file string, src []byte) Syntax {
	src = bytes.TrimPrefix(src, byteOrderMark)
	lower := strings.ToLower(file)
	if strings.HasSuffix(lower, ".asm") || strings.HasSuffix(lower, ".nasm") {
		return SyntaxIntel
	}
	if _, ok := attLine(src); ok {
		return SyntaxATT
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
		case len(f) >= 2 && f[0] == "bits" && strings.TrimRight(f[1], "];") == "64":
			return SyntaxIntel
		case startsWithIntelWord(strings.TrimSpace(s)):
			return SyntaxIntel
		}
		return SyntaxGo
	}
	return SyntaxGo
}

// newline is the line separator, as a slice for bytes.Count.
var newline = []byte{'\n'}

// byteOrderMark is U+FEFF in UTF-8, which a source may start with.
var byteOrderMark = []byte("\uFEFF")

// startsWithIntelWord reports whether a line starts, after labels
// (name:), with a lower-case Intel mnemonic, prefix or NASM directive.
func startsWithIntelWord(line string) bool {
	for {
		n := 0
		for n < len(line) && (line[n] >= 'a' && line[n] <= 'z' || line[n] >= '0' && line[n] <= '9' || line[n] == '_' || line[n] == '.' && n == 0) {
			n++
		}
		w, rest := line[:n], strings.TrimSpace(line[n:])
		if w == "" {
			return false
		}
		if strings.HasPrefix(rest, ":") && !strings.HasPrefix(rest, "::") {
			line = strings.TrimSpace(rest[1:]) // a label
			continue
		}
		return intel.IsStatementWord(w)
	}
}

func isPreprocessorWord(w string) bool {
	switch w {
	case "include", "define", "undef", "ifdef", "ifndef", "else", "endif", "line":
		return true
	}
	return false
}

// MaxSourceSize is the largest source Assemble, AssembleSource, Parse and
// the Options methods read: 64 MiB. A larger one is an error that says so;
// the assembler needs several times a source's size in memory.
const MaxSourceSize = 64 << 20

// Options say how a text front end reads a source. The zero Options
// detect the syntax from the file name and the text.
type Options struct {
	// Syntax is the syntax of the source; SyntaxAuto picks it with
	// DetectSyntax.
	Syntax Syntax
	// Semicolons makes ';' separate statements in Intel syntax, as it
	// does in GNU as, instead of starting a comment ('#' still starts
	// one): "mov eax, 7; add eax, edi; ret" is three instructions on one
	// line, and positions keep their columns in it. It is meant for
	// one-line sources, such as jitrun's -e, where a newline is awkward to
	// type. Go syntax always separates statements with ';'.
	Semicolons bool
}

// Parse runs the front end on src and returns the statements, without
// encoding them. file names the source in positions. The error, if any, is
// an ErrorList of every problem the front end found.
func (o Options) Parse(file string, src []byte) ([]Stmt, error) {
	if err := sizeError(file, src); err != nil {
		return nil, err
	}
	var stmts []Stmt
	errs := o.read(file, src, func(n int, _, _ bool) { stmts = make([]Stmt, 0, n) }, func(st Stmt) bool {
		stmts = append(stmts, st)
		return false
	}, nil)
	if errs.Len() > 0 {
		return nil, o.errorList(file, src, errs)
	}
	return stmts, nil
}

// sizeError is the error for a source larger than MaxSourceSize, which
// Parse and Assemble return before they allocate anything for it; nil for
// a source that is not.
func sizeError(file string, src []byte) error {
	if len(src) <= MaxSourceSize {
		return nil
	}
	return ErrorList{{Pos: Pos{File: file, Line: 1, Col: 1}, Msg: fmt.Sprintf("source is %d bytes, more than the %d (64 MiB) the assembler reads (MaxSourceSize)", len(src), MaxSourceSize)}}
}

// read runs the front end on src (at most MaxSourceSize bytes) and hands
// the statements it could read to emit, in order; it returns the problems
// it found. The front ends hand statements over as they read them, a batch
// at a time (ir.HandOverBatch), so that the encoder can take them and let
// them go: when emit returns true, or letGo (if not nil, called after a
// batch to ask the taker to let go of all it was handed) does, the front
// end may use the memory of every statement handed over so far again.
// start is called once, before the first emit, with how many statements
// to expect: exactly (exact) when the front end knows, or a guess; noText
// says the front end writes no TEXT directive (AT&T and Intel syntax), so
// that the statements are one implicit function from the first. The AT&T
// front end holds back the statements from an instruction naming a label
// not defined yet, to the definition; the Intel front end holds back
// everything from the first line that names what is not defined above it,
// to the end.
func (o Options) read(file string, src []byte, start func(n int, exact, noText bool), emit func(Stmt) bool, letGo func() bool) *ir.Errors {
	// A byte order mark (editors on Windows write one) is not text:
	// columns on the first line count from after it.
	src = bytes.TrimPrefix(src, byteOrderMark)
	syntax := o.Syntax
	if syntax == SyntaxAuto {
		syntax = DetectSyntax(file, src)
	}
	errs := &ir.Errors{}
	switch syntax {
	case SyntaxGo:
		// A guess: a statement is about 24 bytes, sources have comments,
		// and there is rarely more than one statement a line.
		start(min(len(src)/48, bytes.Count(src, newline))+8, false, false)
		return gosyntax.ParseFunc(file, src, emit, letGo)
	case SyntaxIntel:
		// A guess, a statement a line: the Intel front end hands
		// statements over as it reads them, until a line names what is
		// not defined above it (intel.ParseFunc), and writes no TEXT.
		start(bytes.Count(src, newline)+1, false, true)
		return intel.ParseFunc(file, src, intel.Options{Semicolons: o.Semicolons, Library: isLibRoutine, LetGo: letGo}, emit)
	case SyntaxATT:
		// A guess: a statement a line (gcc -S writes few comments), of
		// at least 16 bytes.
		start(min(len(src)/16, bytes.Count(src, newline))+8, false, true)
		return att.ParseFunc(file, src, att.Options{Library: isLibRoutine, LetGo: letGo}, emit)
	default:
		start(0, true, false)
		errs.Add(Pos{File: file, Line: 1, Col: 1}, "unknown syntax %v", syntax)
	}
	return errs
}

// Assemble assembles src into a Program. file names the source in
// positions and in Program.File. The error, if any, is an ErrorList of
// every problem found, by the front end and by the encoder, in the order of
// their positions (at most MaxErrors).
func (o Options) Assemble(file string, src []byte) (*Program, error) {
	if err := sizeError(file, src); err != nil {
		return nil, err
	}
	// start makes e, so emit and letGo reach it through closures (method
	// values would be taken of e while it is still nil).
	var e *encoder
	errs := o.read(file, src, func(n int, exact, noText bool) {
		e = newEncoder(file, n, exact)
		if noText {
			e.streamText()
		}
	}, func(st Stmt) bool { return e.add(st) }, func() bool { return e.letGo() })
	if errs.Full() {
		return nil, o.errorList(file, src, errs)
	}
	p, encErrs := e.finish()
	// The encoder saw only the statements the front end could read, so
	// nothing it reports repeats a front-end error.
	errs.AddAll(encErrs)
	if errs.Len() > 0 {
		return nil, o.errorList(file, src, errs)
	}
	return p, nil
}

// errorList returns the errors of a source, sorted and capped. When the
// source was read as Go syntax because detection said so, and a line with
// an error is written as Intel syntax would write it, the first error
// says so: NASM source in a .s file fails with a hint, not only with the
// Go syntax errors of its lines.
func (o Options) errorList(file string, src []byte, errs *ir.Errors) ErrorList {
	list := errs.List()
	if o.Syntax != SyntaxAuto || DetectSyntax(file, src) != SyntaxGo || !intelWhereFailed(bytes.TrimPrefix(src, byteOrderMark), list) {
		return list
	}
	first := *list[0]
	first.Msg += "; this looks like Intel/NASM syntax: use --syntax intel"
	list[0] = &first
	return list
}

// intelWhereFailed reports whether a line with an error looks like Intel
// syntax (looksIntel). It reads the source up to the last such line only,
// and allocates nothing for the lines without errors.
func intelWhereFailed(src []byte, list ErrorList) bool {
	failed := make(map[int]bool, len(list))
	for _, e := range list {
		failed[e.Pos.Line] = true
	}
	for n := 1; len(src) > 0 && len(failed) > 0; n++ {
		var line []byte
		line, src, _ = bytes.Cut(src, []byte("\n"))
		if failed[n] {
			if looksIntel(string(line)) {
				return true
			}
			delete(failed, n)
		}
	}
	return false
}

// looksIntel reports whether a line, after its labels, starts with what
// only Intel syntax starts a statement with: a mnemonic or a directive of
// the Intel front end in lower case (mov, section, .globl), one that Go
// syntax does not have in upper case (MOV, SECTION, GLOBAL), or a NASM
// preprocessor directive (%define); or whether an operand is a register
// only Intel syntax names (eax, rbx, xmm0).
func looksIntel(line string) bool {
	if i := strings.Index(line, "//"); i >= 0 {
		line = line[:i]
	}
	if i := strings.IndexAny(line, ";#"); i >= 0 {
		line = line[:i]
	}
	isWord := func(r rune) bool {
		return r == '_' || r == '.' || r == '%' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
	}
	// Labels: name: …
	s := strings.TrimSpace(line)
	for {
		n := strings.IndexFunc(s, func(r rune) bool { return !isWord(r) })
		if n <= 0 || s[n] != ':' || strings.HasPrefix(s[n:], "::") {
			break
		}
		s = strings.TrimSpace(s[n+1:])
	}
	words := strings.FieldsFunc(s, func(r rune) bool { return !isWord(r) })
	if len(words) == 0 {
		return false
	}
	first, lower := words[0], strings.ToLower(words[0])
	switch {
	case strings.HasPrefix(first, "%"):
		return true
	case first == lower && (intel.IsStatementWord(lower) || intel.IsDirective(lower)):
		return true
	case first != lower && intel.IsStatementWord(lower) && !isGoMnemonic(first):
		return true
	}
	for _, w := range words[1:] {
		_, goReg := ir.LookupReg(w)
		if _, ok := ir.LookupIntelReg(w); ok && !goReg {
			return true
		}
	}
	return false
}

// isGoMnemonic reports whether w is a Go-syntax mnemonic or directive.
func isGoMnemonic(w string) bool {
	switch w {
	case "TEXT", "GLOBL", "DATA", "PCALIGN", "PCDATA", "FUNCDATA":
		return true
	}
	return x86enc.IsMnemonic(w)
}

// Parse runs the front end for syntax on src and returns the statements,
// without encoding them: Options{Syntax: syntax}.Parse.
func Parse(file string, src []byte, syntax Syntax) ([]Stmt, error) {
	return Options{Syntax: syntax}.Parse(file, src)
}

// AssembleSource assembles src, written in syntax (SyntaxAuto: detected from
// file and src), into a Program: Options{Syntax: syntax}.Assemble. file
// names the source in positions and in Program.File. The error, if any, is
// an ErrorList of every problem found.
func AssembleSource(file string, src []byte, syntax Syntax) (*Program, error) {
	return Options{Syntax: syntax}.Assemble(file, src)
}

// Assemble assembles Go-syntax source text. Positions in errors name the
// source "<input>".
func Assemble(src string) (*Program, error) {
	return AssembleSource("<input>", []byte(src), SyntaxGo)
}

// attLine returns the first line (counted from 1) that only AT&T syntax
// writes: the `.att_syntax` directive, or an operand that names a
// register with a '%' (%rax, %xmm0; not NASM's %define).
func attLine(src []byte) (int, bool) {
	for n := 1; len(src) > 0; n++ {
		var line []byte
		line, src, _ = bytes.Cut(src, []byte("\n"))
		s := strings.TrimSpace(string(line))
		if strings.HasPrefix(s, ".att_syntax") {
			return n, true
		}
		for i := strings.IndexByte(s, '%'); i >= 0; i = strings.IndexByte(s, '%') {
			s = s[i+1:]
			w := 0
			for w < len(s) && (s[w] >= 'a' && s[w] <= 'z' || s[w] >= '0' && s[w] <= '9') {
				w++
			}
			if _, ok := ir.LookupIntelReg(s[:w]); ok && w > 0 {
				return n, true
			}
		}
	}
	return 0, false
}

// IsIntelReserved reports whether name is an Intel-syntax register name or
// operand keyword (ptr, dword, short, …), in any case: a word that cannot
// name a label or symbol in the Intel front end.
func IsIntelReserved(name string) bool { return intel.IsReserved(name) }
