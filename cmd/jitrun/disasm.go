package main

import (
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/disasm"
)

const disasmUsage = "FILE | --hex 'BYTES' [--base ADDR] [--syntax go|intel|att] [--mark ADDR] [--json | --asm]"

const disasmHelp = "Disasm lists x86-64 machine code: the raw bytes of FILE (- reads standard input), or the\n" +
	"bytes given with --hex. Each line shows the address, the offset from the nearest label,\n" +
	"the bytes and the instruction. Branch targets get labels (loc_ADDR), so that the text\n" +
	"reads back: --asm prints only the labels and instructions, as assembler source.\n" +
	"Bytes that are not an instruction show as byte directives, with the reason beside them.\n" +
	"An ELF file or a text file (assembly source, a hex dump) is refused with a hint: disasm\n" +
	"reads raw machine code; --force decodes such a file's bytes anyway."

// disasmFlags are the flags of `jitrun disasm`.
type disasmFlags struct {
	hex, base, syntax, mark string
	json, asm, force        bool
}

// readsInput marks a command whose -h states the input limits.
func (f *disasmFlags) readsInput() {}

func (f *disasmFlags) register(fset *flag.FlagSet) {
	fset.StringVar(&f.hex, "hex", "", "machine code in `hex`: '48 c7 c0 2a 00 00 00 c3', '48c7c02a', '0x48,0xc7' or '\\x48\\xc7'")
	fset.StringVar(&f.base, "base", "0", "`address` of the first byte (0x401000, or decimal)")
	fset.StringVar(&f.syntax, "syntax", "go", "instruction `syntax`: go, intel or att (AT&T; gnu works too)")
	fset.StringVar(&f.mark, "mark", "", "mark the instruction at `address` with => (decoding restarts there)")
	fset.BoolVar(&f.json, "json", false, "print the rows as JSON: {\"syntax\", \"base\", \"size\", \"rows\": [{\"addr\", \"offset\", \"bytes\", \"text\", ...}]}")
	fset.BoolVar(&f.asm, "asm", false, "print only labels and instructions: source an assembler of the syntax reads back")
	fset.BoolVar(&f.force, "force", false, "decode FILE even when it looks like an ELF file or text")
}

// cmdDisasm is `jitrun disasm FILE | --hex BYTES [--base ADDR]
// [--syntax go|intel|att] [--mark ADDR] [--json | --asm]`.
func cmdDisasm(e *env, cl *commandLine, f *disasmFlags) error {
	opts, err := f.options()
	if err != nil {
		return err
	}
	code, err := f.code(e, cl)
	if err != nil {
		return err
	}
	if last := opts.Base + uint64(len(code)) - 1; last < opts.Base {
		return inputError("--base %#x: %d bytes from there pass the top of the address space", opts.Base, len(code))
	}
	if cl.given("mark") {
		if opts.Mark, err = parseAddress(f.mark); err != nil {
			return inputError("--mark: %v", err)
		}
		if opts.Mark-opts.Base >= uint64(len(code)) {
			return inputError("--mark %#x is outside the code (%#x-%#x)", opts.Mark, opts.Base, opts.Base+uint64(len(code))-1)
		}
		opts.HasMark = true
	}
	rows := disasm.Decode(code, opts)
	switch {
	case f.json:
		err = writeJSON(e.stdout, listingJSON(opts.Syntax, opts.Base, len(code), rows))
	case f.asm:
		// AT&T text does not always say which encoding it was: pin those
		// rows to their bytes, so that the source assembles back to them.
		err = disasm.WriteAsm(e.stdout, disasm.PinEncodings(rows, opts.Syntax))
	default:
		err = disasm.Write(e.stdout, rows, opts.Syntax)
	}
	if err != nil {
		return systemError("%v", err)
	}
	return nil
}

// options reads --syntax and --base.
func (f *disasmFlags) options() (disasm.Options, error) {
	var opts disasm.Options
	var err error
	if opts.Syntax, err = parseListingSyntax(f.syntax); err != nil {
		return opts, inputError("--syntax: %v", err)
	}
	if f.json && f.asm {
		return opts, inputError("--json and --asm are two outputs: give one")
	}
	if opts.Base, err = parseAddress(f.base); err != nil {
		return opts, inputError("--base: %v", err)
	}
	return opts, nil
}

// code reads the machine code: --hex, or the one FILE (- for standard
// input), which must be raw code, not an ELF file or text (unless
// --force).
func (f *disasmFlags) code(e *env, cl *commandLine) ([]byte, error) {
	switch {
	case cl.given("hex") && len(cl.pos) > 0:
		return nil, inputError("give a FILE or --hex, not both (got FILE %q)", cl.pos[0])
	case cl.given("hex"):
		code, err := parseHex(f.hex, maxCode)
		if err != nil {
			return nil, inputError("--hex: %v", err)
		}
		return code, nil
	case len(cl.pos) == 0:
		return nil, inputError("need a FILE of machine code or --hex 'BYTES' (see 'jitrun disasm -h')")
	case len(cl.pos) > 1:
		return nil, inputError("want one FILE, got %d arguments: %s", len(cl.pos), strings.Join(cl.pos, " "))
	}
	in := input{path: cl.pos[0], what: "machine code", limit: maxCode}
	code, err := in.read(e)
	switch {
	case err != nil:
		return nil, err
	case len(code) == 0:
		return nil, inputError("%s: empty input: no machine code", in.name())
	case f.force:
		return code, nil
	}
	return code, notRawCode(in.name(), code)
}

// notRawCode says, as bad input, what else than raw machine code the
// bytes are when they are an ELF file or text; nil otherwise.
func notRawCode(name string, code []byte) error {
	switch {
	case bytes.HasPrefix(code, []byte("\x7fELF")):
		return inputError("%s is an ELF file, not raw machine code: list it with objdump -d, or extract its code with "+
			"objcopy -O binary --only-section=.text %s code.bin (--force decodes its bytes anyway)", name, name)
	case looksLikeText(code):
		return inputError("%s is text, not machine code: assemble source with 'jitrun asm %s', read hex with "+
			"'jitrun disasm --hex \"$(cat %s)\"' (--force decodes its bytes anyway)", name, name, name)
	}
	return nil
}

// looksLikeText reports whether code reads as text: valid UTF-8 of
// printable characters, tabs and line ends, with at least one line end.
// Machine code almost never does (its zero bytes, ModRM and immediate
// bytes fall outside printable ASCII).
func looksLikeText(code []byte) bool {
	if !utf8.Valid(code) || !bytes.ContainsAny(code, "\n") {
		return false
	}
	for _, c := range code {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return false
		}
	}
	return true
}

// parseAddress reads an address: 0x hex (0x401000), decimal, 0o octal or
// 0b binary, with optional underscores.
func parseAddress(s string) (uint64, error) {
	v, err := strconv.ParseUint(strings.TrimSpace(s), 0, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, fmt.Errorf("%q is above 0xffffffffffffffff", s)
		}
		return 0, fmt.Errorf("%q is not an address: write 0x401000 or 4198400", s)
	}
	return v, nil
}

// jsonListing is the --json document of disasm, and the listing in the
// JSON of other subcommands. Addresses are "0x…" strings (JSON numbers
// lose precision above 2^53), bytes one hex string.
type jsonListing struct {
	Syntax string    `json:"syntax"`
	Base   string    `json:"base"`
	Size   int       `json:"size"`
	Rows   []jsonRow `json:"rows"`
}

// jsonRow is one disasm.Row. Target is null when the row refers to no
// address; Pos and Source are there when a source line produced the row;
// Outside is there (true, with offset -1) on a row for a pc outside the
// code (disasm.Outside).
type jsonRow struct {
	Addr         string   `json:"addr"`
	Offset       int      `json:"offset"`
	Bytes        string   `json:"bytes"`
	Text         string   `json:"text"`
	Symbol       string   `json:"symbol"`
	SymbolOffset int      `json:"symbol_offset"`
	Labels       []string `json:"labels"`
	Data         bool     `json:"data"`
	Bad          bool     `json:"bad"`
	Note         string   `json:"note"`
	Marked       bool     `json:"marked"`
	Outside      bool     `json:"outside,omitempty"`
	Target       *string  `json:"target"`
	Pos          string   `json:"pos,omitempty"`
	Source       string   `json:"source,omitempty"`
}

// listingJSON converts rows to their JSON form.
func listingJSON(s asm.Syntax, base uint64, size int, rows []disasm.Row) jsonListing {
	doc := jsonListing{Syntax: s.String(), Base: fmt.Sprintf("%#x", base), Size: size, Rows: []jsonRow{}}
	for _, r := range rows {
		j := jsonRow{
			Addr: fmt.Sprintf("%#x", r.Addr), Offset: r.Offset, Bytes: hex.EncodeToString(r.Bytes), Text: r.Text,
			Symbol: r.Symbol, SymbolOffset: r.SymOffset, Labels: append([]string{}, r.Labels...),
			Data: r.Data, Bad: r.Bad, Note: r.Note, Marked: r.Marked, Outside: r.Outside, Source: r.Source,
		}
		if r.HasTarget {
			t := fmt.Sprintf("%#x", r.Target)
			j.Target = &t
		}
		if r.Pos.Line > 0 {
			j.Pos = r.Pos.String()
		}
		doc.Rows = append(doc.Rows, j)
	}
	return doc
}
