package main

import (
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/disasm"
)

// cmdDisasm is `jitrun disasm FILE | --hex BYTES [--base ADDR]
// [--syntax go|intel|att] [--mark ADDR] [--json | --asm]`.
func cmdDisasm(e *env, args []string) int {
	fs := newFlagSet(e, "disasm", "FILE | --hex 'BYTES' [--base ADDR] [--syntax go|intel|att] [--mark ADDR] [--json | --asm]",
		"Disasm lists x86-64 machine code: the raw bytes of FILE (- reads standard input), or the\n"+
			"bytes given with --hex. Each line shows the address, the offset from the nearest label,\n"+
			"the bytes and the instruction. Branch targets get labels (loc_ADDR), so that the text\n"+
			"reads back: --asm prints only the labels and instructions, as assembler source.\n"+
			"Bytes that are not an instruction show as byte directives, with the reason beside them.\n"+
			"Bad input (a missing file, bad hex, a bad flag) exits with status 2.")
	hexBytes := fs.String("hex", "", "machine code in `hex`: '48 c7 c0 2a 00 00 00 c3', '48c7c02a', '0x48,0xc7' or '\\x48\\xc7'")
	base := fs.String("base", "0", "`address` of the first byte (0x401000, or decimal)")
	syntax := fs.String("syntax", "go", "instruction `syntax`: go, intel or att (AT&T; gnu works too)")
	mark := fs.String("mark", "", "mark the instruction at `address` with => (decoding restarts there)")
	asJSON := fs.Bool("json", false, "print the rows as JSON: {\"syntax\", \"base\", \"size\", \"rows\": [{\"addr\", \"offset\", \"bytes\", \"text\", ...}]}")
	asAsm := fs.Bool("asm", false, "print only labels and instructions: source an assembler of the syntax reads back")
	pos, status, ok := parseFlags(e, fs, args)
	if !ok {
		return status
	}
	fail := e.usageError("disasm")
	s, err := parseListingSyntax(*syntax)
	if err != nil {
		return fail("--syntax: %v", err)
	}
	if *asJSON && *asAsm {
		return fail("--json and --asm are two outputs: give one")
	}
	opts := disasm.Options{Syntax: s}
	if opts.Base, err = parseAddress(*base); err != nil {
		return fail("--base: %v", err)
	}

	var code []byte
	hexGiven := flagGiven(fs, "hex")
	switch {
	case hexGiven && len(pos) > 0:
		return fail("give a FILE or --hex, not both (got FILE %q)", pos[0])
	case hexGiven:
		if code, err = parseHex(*hexBytes); err != nil {
			return fail("--hex: %v", err)
		}
	case len(pos) == 0:
		return fail("need a FILE of machine code or --hex 'BYTES' (see 'jitrun disasm -h')")
	case len(pos) > 1:
		return fail("want one FILE, got %d arguments: %s", len(pos), strings.Join(pos, " "))
	case pos[0] == "-":
		if e.stdin == nil {
			return fail("no standard input")
		}
		if code, err = io.ReadAll(e.stdin); err != nil {
			fmt.Fprintf(e.stderr, "jitrun disasm: reading standard input: %v\n", err)
			return exitError
		}
		if len(code) == 0 {
			return fail("standard input is empty: nothing to disassemble")
		}
	default:
		if code, err = os.ReadFile(pos[0]); err != nil {
			return fail("%v", err)
		}
		if len(code) == 0 {
			return fail("%s is empty: nothing to disassemble", pos[0])
		}
	}
	if last := opts.Base + uint64(len(code)) - 1; last < opts.Base {
		return fail("--base %#x: %d bytes from there pass the top of the address space", opts.Base, len(code))
	}
	if flagGiven(fs, "mark") {
		if opts.Mark, err = parseAddress(*mark); err != nil {
			return fail("--mark: %v", err)
		}
		if opts.Mark-opts.Base >= uint64(len(code)) {
			return fail("--mark %#x is outside the code (%#x-%#x)", opts.Mark, opts.Base, opts.Base+uint64(len(code))-1)
		}
		opts.HasMark = true
	}

	rows := disasm.Decode(code, opts)
	switch {
	case *asJSON:
		err = writeRowsJSON(e.stdout, s, opts.Base, len(code), rows)
	case *asAsm:
		err = disasm.WriteAsm(e.stdout, rows)
	default:
		err = disasm.Write(e.stdout, rows, s)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "jitrun disasm: %v\n", err)
		return exitError
	}
	return exitOK
}

// flagGiven reports whether the flag was on the command line, even with an
// empty value.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
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

func writeRowsJSON(w io.Writer, s asm.Syntax, base uint64, size int, rows []disasm.Row) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(listingJSON(s, base, size, rows))
}
