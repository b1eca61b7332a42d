package main

import (
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/explain"
)

const asmUsage = "FILE|-e SRC [--format hex|bin|listing|json|go] [--syntax go|intel|att|auto] [-o FILE]"

const asmHelp = "Asm assembles x86-64 source (Go syntax, Intel syntax or AT&T syntax) and prints the machine code.\n" +
	"FILE - reads standard input. Errors are printed as FILE:LINE:COL: message.\n\n" +
	"Formats:\n" +
	"  hex      the whole program (code, then data) as one line of hex\n" +
	"  bin      the raw bytes (refused on a terminal: give -o FILE, redirect, or --force)\n" +
	"  listing  offset, bytes and source text of each line, with symbols and labels\n" +
	"  json     {\"code\", \"lines\", \"symbols\", \"labels\"}\n" +
	"  go       a Go []byte literal, one source line per row (jitrun run --hex reads it back)"

// asmFlags are the flags of `jitrun asm`.
type asmFlags struct {
	in     sourceInput
	format string
	out    string
	force  bool
}

// readsInput marks a command whose -h states the input limits.
func (f *asmFlags) readsInput() {}

func (f *asmFlags) register(fset *flag.FlagSet) {
	f.in.register(fset)
	fset.StringVar(&f.format, "format", "hex", "output `format`: hex, bin, listing, json or go")
	fset.StringVar(&f.out, "o", "", "write the output to `FILE` instead of standard output (- is standard output)")
	fset.BoolVar(&f.force, "force", false, "write --format bin to standard output even when it is a terminal")
}

// cmdAsm is `jitrun asm FILE|-e SRC [--format hex|bin|listing|json|go]`.
func cmdAsm(e *env, cl *commandLine, f *asmFlags) error {
	switch f.format {
	case "hex", "bin", "listing", "json", "go":
	default:
		return inputError("unknown --format %q: want hex, bin, listing, json or go", f.format)
	}
	toFile := cl.given("o") && f.out != "-" // -o - is standard output, as - is standard input
	if f.format == "bin" && !toFile && !f.force && isTerminal(e.stdout) {
		return inputError("--format bin writes raw bytes, and standard output is a terminal: give -o FILE, redirect it (> out.bin), or --force")
	}
	src, rest, err := f.in.load(e, cl, cl.pos)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return inputError("unexpected arguments after the source: %s", strings.Join(rest, " "))
	}
	if toFile {
		return writeFile(f.out, func(w io.Writer) error { return writeProgram(w, src.Prog, f.format) })
	}
	if err := writeProgram(e.stdout, src.Prog, f.format); err != nil {
		return systemError("%v", err)
	}
	return nil
}

// writeProgram prints p in format.
func writeProgram(w io.Writer, p *asm.Program, format string) error {
	var err error
	switch format {
	case "hex":
		line := make([]byte, hex.EncodedLen(len(p.Code))+1) // one write, no buffer that grows
		hex.Encode(line, p.Code)
		line[len(line)-1] = '\n'
		_, err = w.Write(line)
	case "bin":
		_, err = w.Write(p.Code)
	case "listing":
		err = writeListing(w, p)
	case "json":
		err = writeProgramJSON(w, p)
	case "go":
		err = writeGoLiteral(w, p)
	}
	return err
}

// writeFile creates name and writes it with write. A file jitrun may not
// create is bad input; a write that fails is a system error.
func writeFile(name string, write func(io.Writer) error) error {
	f, err := os.Create(name)
	if err != nil {
		return fileError(err)
	}
	if err := write(f); err != nil {
		f.Close()
		return systemError("%v", err)
	}
	if err := f.Close(); err != nil {
		return systemError("%v", err)
	}
	return nil
}

// chunk is a run of Program.Code with what it is: a source line, or bytes no
// line produced (padding, zero-filled data).
type chunk struct {
	off, len int
	line     *asm.Line
	what     string // for bytes without a line
}

// chunks covers all of p.Code, in order, with lines and the gaps between them.
func chunks(p *asm.Program) []chunk {
	var out []chunk
	off := 0
	gap := func(end int) {
		for off < end {
			next := end
			what := "padding"
			if s, ok := p.SymbolAt(off); ok && s.Kind != asm.SymText {
				what = "data"
				next = min(end, s.Offset+s.Size)
			} else {
				for _, s := range p.Symbols {
					if s.Kind != asm.SymText && s.Offset > off && s.Offset < next {
						next = s.Offset
					}
				}
			}
			out = append(out, chunk{off: off, len: next - off, what: what})
			off = next
		}
	}
	for i := range p.Lines {
		l := &p.Lines[i]
		gap(l.Offset)
		out = append(out, chunk{off: l.Offset, len: l.Len, line: l})
		off = l.Offset + l.Len
	}
	gap(len(p.Code))
	return out
}

// writeListing prints offset, bytes, line number and text for every line,
// symbol headers and labels, and every byte no line produced: a run of
// more than a row of one byte value (the INT3 padding up to the data's
// page, zeros of a .bss) as one row that says how many.
func writeListing(w io.Writer, p *asm.Program) error {
	const perRow = 10
	var b strings.Builder
	for _, c := range chunks(p) {
		for _, s := range p.Symbols {
			if s.Offset == c.off && c.len > 0 || s.Offset == c.off && s.Size == 0 {
				switch s.Kind {
				case asm.SymText:
					fmt.Fprintf(&b, "TEXT %s(SB) size=%d\n", explain.SymbolName(s), s.Size)
				default:
					fmt.Fprintf(&b, "GLOBL %s(SB) %s size=%d\n", explain.SymbolName(s), s.Kind, s.Size)
				}
			}
		}
		for _, l := range p.Labels {
			if l.Offset == c.off && c.len > 0 {
				fmt.Fprintf(&b, "%s:\n", l.Name)
			}
		}
		code := p.Code[c.off : c.off+c.len]
		if c.line == nil && len(code) > perRow && bytes.Count(code, code[:1]) == len(code) {
			// Padding up to a page, a large .bss: one row says how many.
			hexs := strings.TrimSpace(fmt.Sprintf("% x", code[:perRow]))
			fmt.Fprintf(&b, "%04x  %-*s       (%s: %d bytes of %#02x, %04x-%04x)\n", c.off, 3*perRow, hexs, c.what, len(code), code[0], c.off, c.off+len(code)-1)
			continue
		}
		for row := 0; row*perRow < len(code) || row == 0 && len(code) == 0; row++ {
			part := code[row*perRow : min(len(code), (row+1)*perRow)]
			hexs := strings.TrimSpace(fmt.Sprintf("% x", part))
			fmt.Fprintf(&b, "%04x  %-*s", c.off+row*perRow, 3*perRow, hexs)
			if row == 0 {
				if c.line != nil {
					fmt.Fprintf(&b, "%5d  %s", c.line.Pos.Line, c.line.Text)
					if c.line.Pos.File != p.File {
						fmt.Fprintf(&b, "  (%s)", c.line.Pos.File) // the I/O library's source
					}
				} else {
					fmt.Fprintf(&b, "       (%s)", c.what)
				}
			}
			b.WriteByte('\n')
		}
	}
	// Labels at the very end of the code (no bytes after them).
	for _, l := range p.Labels {
		if l.Offset == len(p.Code) {
			fmt.Fprintf(&b, "%s:\n", l.Name)
		}
	}
	out := b.String()
	lines := strings.Split(out, "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	_, err := io.WriteString(w, strings.Join(lines, "\n"))
	return err
}

// jsonProgram is the --format json document.
type jsonProgram struct {
	File    string                `json:"file"`
	Code    string                `json:"code"`
	Lines   []jsonLine            `json:"lines"`
	Symbols map[string]jsonSymbol `json:"symbols"`
	Labels  map[string]int        `json:"labels"`
}

type jsonLine struct {
	File   string `json:"file,omitempty"` // set for a line of another file: the I/O library's (iolib/print.s)
	Line   int    `json:"line"`
	Offset int    `json:"offset"`
	Bytes  string `json:"bytes"`
	Text   string `json:"text"`
}

type jsonSymbol struct {
	Offset int    `json:"offset"`
	Size   int    `json:"size"`
	Kind   string `json:"kind"`
}

// writeProgramJSON prints the program as JSON. Labels are keyed by name,
// or by FUNC.name when several TEXT blocks define the same label.
func writeProgramJSON(w io.Writer, p *asm.Program) error {
	doc := jsonProgram{
		File:    p.File,
		Code:    hex.EncodeToString(p.Code),
		Lines:   []jsonLine{},
		Symbols: map[string]jsonSymbol{},
		Labels:  map[string]int{},
	}
	for _, l := range p.Lines {
		jl := jsonLine{Line: l.Pos.Line, Offset: l.Offset, Bytes: hex.EncodeToString(p.Code[l.Offset : l.Offset+l.Len]), Text: l.Text}
		if l.Pos.File != p.File {
			jl.File = l.Pos.File
		}
		doc.Lines = append(doc.Lines, jl)
	}
	for _, s := range p.Symbols {
		doc.Symbols[explain.SymbolName(s)] = jsonSymbol{Offset: s.Offset, Size: s.Size, Kind: s.Kind.String()}
	}
	count := map[string]int{}
	for _, l := range p.Labels {
		count[l.Name]++
	}
	for _, l := range p.Labels {
		key := l.Name
		if count[l.Name] > 1 {
			key = l.Func + "." + l.Name
		}
		doc.Labels[key] = l.Offset
	}
	return writeJSON(w, doc)
}

// writeGoLiteral prints the program as a Go []byte literal with the source
// text of each line as a comment.
func writeGoLiteral(w io.Writer, p *asm.Program) error {
	var b strings.Builder
	fmt.Fprintf(&b, "// Assembled by jitrun from %s.\n[]byte{\n", p.File)
	names := map[int][]string{}
	for _, s := range p.Symbols {
		names[s.Offset] = append(names[s.Offset], explain.SymbolName(s)+"(SB)")
	}
	for _, l := range p.Labels {
		names[l.Offset] = append(names[l.Offset], l.Name+":")
	}
	for _, c := range chunks(p) {
		if n := names[c.off]; len(n) > 0 && c.len > 0 {
			sort.Strings(n)
			fmt.Fprintf(&b, "\t// %s\n", strings.Join(n, " "))
		}
		code := p.Code[c.off : c.off+c.len]
		for row := 0; row*8 < len(code); row++ {
			part := code[row*8 : min(len(code), (row+1)*8)]
			b.WriteByte('\t')
			for i, x := range part {
				if i > 0 {
					b.WriteByte(' ')
				}
				fmt.Fprintf(&b, "0x%02x,", x)
			}
			if row == 0 {
				if c.line != nil {
					where := strconv.Itoa(c.line.Pos.Line)
					if c.line.Pos.File != p.File {
						where = c.line.Pos.File + ":" + where // the I/O library's source
					}
					fmt.Fprintf(&b, " // %s: %s", where, c.line.Text)
				} else {
					fmt.Fprintf(&b, " // (%s)", c.what)
				}
			}
			b.WriteByte('\n')
		}
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}
