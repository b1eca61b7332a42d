package memview

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jitrun/jitrun/trampoline"
)

// Symbol is a named range of memory: a symbol of the code at the address
// it was loaded at. A Size of 0 (a label) covers its address only.
type Symbol struct {
	Name string
	Addr uint64
	Size int
}

// Context is what views are rendered against: the registers of the moment
// and the code's symbols.
type Context struct {
	// Regs are the registers after a return, at a fault or at a
	// breakpoint; nil when there are none (a register view then fails).
	Regs *trampoline.Regs
	// Symbols name the code's memory, for symbol views and row labels.
	Symbols []Symbol
	// Read copies the memory at addr into buf and returns how many bytes
	// it could read, stopping at the first it could not. Nil reads this
	// process's memory with a read that cannot fault (process_vm_readv)
	// and says of an unreadable address whether it is mapped, from
	// /proc/self/maps; a Read of the caller's own calls it "unreadable".
	Read func(addr uint64, buf []byte) int
}

// Shown is a rendered view: Text prints it; it marshals to JSON as
//
//	{"spec", "what", "addr", "len", "unit", "format",
//	 "rows": [{"addr", "label", "values": [...]} | {"addr", "unreadable", "bytes"}]}
//
// with addresses as "0x…" strings and each value as Text shows it.
type Shown struct {
	Spec   string `json:"spec"`
	What   string `json:"what"` // "register rsp = 0x…", "symbol counter", "address"
	Addr   string `json:"addr"`
	Len    int    `json:"len"`
	Unit   int    `json:"unit"`
	Format string `json:"format"` // "x", "d", "u", "f", "s" or "c"
	Rows   []Row  `json:"rows"`
}

// Row is a row of a Shown: the values of whole units that could be read,
// or a run of bytes that could not.
type Row struct {
	Addr       string   `json:"addr"`
	Label      string   `json:"label,omitempty"` // symbol+0xOFF when a symbol covers Addr
	Values     []string `json:"values,omitempty"`
	Unreadable string   `json:"unreadable,omitempty"` // "not mapped", "not readable (---p)", "unreadable"
	Bytes      int      `json:"bytes,omitempty"`      // how many bytes could not be read
}

// formatWords name the formats in Text's header.
var formatWords = map[byte]string{'x': "hex", 'd': "signed", 'u': "unsigned", 'f': "float", 'c': "char", 's': "string"}

// Text is the view as the text report shows it: a header line naming the
// view, where it starts and what it holds, then one indented row per
// line, gdb's x layout:
//
//	rsp:16/gx  (rsp = 0x7ffc9b3e1fa8; 16 bytes: 2 × 8-byte hex)
//	  0x7ffc9b3e1fa8:  0x0000000000000002  0x0000000000000001
func (s Shown) Text() string {
	var b strings.Builder
	what := "at " + s.Addr
	if strings.HasPrefix(s.What, "register ") || strings.HasPrefix(s.What, "symbol ") {
		what = strings.SplitN(s.What, " ", 2)[1]
		if !strings.Contains(what, " = ") {
			what += " = " + s.Addr
		}
	}
	switch s.Format {
	case "":
		return s.Spec + "  (" + s.What + ")\n" // not a Shown Render made
	case "s":
		fmt.Fprintf(&b, "%s  (%s; %s as strings)\n", s.Spec, what, plural(s.Len, "byte"))
	default:
		fmt.Fprintf(&b, "%s  (%s; %s: %d × %d-byte %s)\n", s.Spec, what, plural(s.Len, "byte"), s.Len/max(s.Unit, 1), s.Unit, formatWords[s.Format[0]])
	}
	width := 0 // values are right-aligned to the widest
	for _, r := range s.Rows {
		for _, v := range r.Values {
			width = max(width, len([]rune(v)))
		}
	}
	for _, r := range s.Rows {
		b.WriteString("  " + r.Addr)
		if r.Label != "" {
			b.WriteString(" <" + r.Label + ">")
		}
		b.WriteString(":")
		if r.Unreadable != "" {
			fmt.Fprintf(&b, "  %s, %s\n", r.Unreadable, plural(r.Bytes, "byte"))
			continue
		}
		for _, v := range r.Values {
			if s.Format == "s" || s.Format == "c" {
				b.WriteString("  " + v)
				continue
			}
			b.WriteString("  " + strings.Repeat(" ", width-len([]rune(v))) + v)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// plural writes "1 byte", "2 bytes".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// Check resolves a symbol view against syms: an unknown symbol is an
// error that lists them. Views of registers and addresses always pass.
func (v View) Check(syms []Symbol) error {
	_, err := v.symbol(syms)
	return err
}

// symbol finds the view's symbol.
func (v View) symbol(syms []Symbol) (Symbol, error) {
	if v.Kind != KindSymbol {
		return Symbol{}, nil
	}
	for _, s := range syms {
		if s.Name == v.Name {
			return s, nil
		}
	}
	if len(syms) == 0 {
		return Symbol{}, fmt.Errorf("unknown symbol %s: the code has no symbols; view a register (rsp, rdi, SP, DI) or an address (0x1000)", v.Name)
	}
	var names []string
	seen := map[string]bool{}
	for _, s := range syms {
		if !seen[s.Name] {
			seen[s.Name] = true
			names = append(names, s.Name)
		}
	}
	if len(names) > 20 {
		names = append(names[:20], "…")
	}
	return Symbol{}, fmt.Errorf("unknown symbol %s; symbols: %s", v.Name, strings.Join(names, ", "))
}

// Render reads the memory the view names in ctx and lays it out. Memory
// that cannot be read is part of the result (rows that say so), never an
// error: the errors are an unknown symbol and a register view without
// registers.
func (v View) Render(ctx Context) (Shown, error) {
	sym, err := v.symbol(ctx.Symbols)
	if err != nil {
		return Shown{}, err
	}
	var start uint64
	what := "address"
	switch v.Kind {
	case KindSymbol:
		start, what = sym.Addr, "symbol "+sym.Name
	case KindRegister:
		if ctx.Regs == nil {
			return Shown{}, fmt.Errorf("no registers here to read %s from", v.Name)
		}
		start = ctx.Regs.GPR[v.Reg]
		if v.RIP {
			start = ctx.Regs.RIP
		}
		what = fmt.Sprintf("register %s = %#x", v.Name, start)
	case KindAddress:
		start = v.Addr
	default:
		return Shown{}, errors.New("memview: a View that Parse did not make")
	}
	start += uint64(v.Offset)
	unit, length, toNUL := v.layout(sym)
	s := Shown{Spec: v.Spec, What: what, Addr: fmt.Sprintf("%#x", start), Unit: unit, Format: string(v.Format)}
	mem := readMemory(ctx, start, length)
	if toNUL {
		mem.cutAfterNUL()
	}
	s.Len = len(mem.data)
	if v.Format == 's' {
		s.Rows = stringRows(mem, ctx.Symbols)
	} else {
		s.Rows = unitRows(mem, unit, v.Format, ctx.Symbols)
	}
	return s, nil
}

// layout is the unit and length of the view, the defaults filled in;
// toNUL is set for a string with no length, which ends at its NUL.
func (v View) layout(sym Symbol) (unit, length int, toNUL bool) {
	unit = v.Unit
	if unit == 0 {
		known := v.Len // what the unit must divide: LEN, else the symbol's size
		if known == 0 && v.Kind == KindSymbol {
			known = sym.Size
		}
		unit = 8
		switch {
		case v.Format == 's' || v.Format == 'c':
			unit = 1
		case v.Format == 'f':
			if known%8 != 0 && known%4 == 0 {
				unit = 4
			}
		case known > 0:
			for known%unit != 0 {
				unit /= 2
			}
		}
	}
	switch {
	case v.Len > 0:
		return unit, v.Len, false
	case v.Kind == KindSymbol && sym.Size > 0:
		// Whole units covering the symbol, within the cap.
		return unit, min(MaxLen, (sym.Size+unit-1)/unit*unit), false
	case v.Format == 's':
		return unit, maxDefaultString, true
	}
	return unit, unit, false
}

// maxDefaultString is how far a string view without a length looks for
// the NUL.
const maxDefaultString = 256

// label is the symbol that covers addr, as name or name+0xOFF.
func label(syms []Symbol, addr uint64) string {
	for _, s := range syms {
		if addr == s.Addr {
			return s.Name
		}
		if addr > s.Addr && addr-s.Addr < uint64(s.Size) {
			return fmt.Sprintf("%s+%#x", s.Name, addr-s.Addr)
		}
	}
	return ""
}

// newRow starts a row at addr.
func newRow(addr uint64, syms []Symbol) Row {
	return Row{Addr: fmt.Sprintf("%#x", addr), Label: label(syms, addr)}
}

// unreadableRow is a run of n bytes at addr that could not be read.
func unreadableRow(addr uint64, n int, why string, syms []Symbol) Row {
	r := newRow(addr, syms)
	r.Unreadable, r.Bytes = why, n
	return r
}

// unitsPerRow is how many units a row holds, as gdb lays them out.
var unitsPerRow = map[int]int{1: 8, 2: 8, 4: 4, 8: 2}

// unitRows lays out whole units, unitsPerRow to a row; a run of units any
// byte of which could not be read is one row that says why.
func unitRows(mem memory, unit int, format byte, syms []Symbol) []Row {
	var rows []Row
	var cur *Row
	n := len(mem.data) / unit
	for i := 0; i < n; {
		off := i * unit
		if why, ok := mem.badIn(off, off+unit); ok {
			j := i + 1
			for j < n {
				if w, bad := mem.badIn(j*unit, j*unit+unit); !bad || w != why {
					break
				}
				j++
			}
			rows = append(rows, unreadableRow(mem.addr+uint64(off), (j-i)*unit, why, syms))
			cur, i = nil, j
			continue
		}
		if cur == nil || len(cur.Values) == unitsPerRow[unit] {
			rows = append(rows, newRow(mem.addr+uint64(off), syms))
			cur = &rows[len(rows)-1]
		}
		cur.Values = append(cur.Values, formatUnit(mem.data[off:off+unit], format))
		i++
	}
	return rows
}

// stringRows lays out NUL-terminated strings, one to a row; a string the
// range ends before its NUL is marked with … after its closing quote.
func stringRows(mem memory, syms []Symbol) []Row {
	var rows []Row
	for off := 0; off < len(mem.data); {
		if why, ok := mem.badIn(off, off+1); ok {
			end := off + 1
			for end < len(mem.data) {
				if w, bad := mem.badIn(end, end+1); !bad || w != why {
					break
				}
				end++
			}
			rows = append(rows, unreadableRow(mem.addr+uint64(off), end-off, why, syms))
			off = end
			continue
		}
		end := off
		for end < len(mem.data) {
			if _, bad := mem.badIn(end, end+1); bad || mem.data[end] == 0 {
				break
			}
			end++
		}
		text := quoteBytes(mem.data[off:end])
		if _, bad := mem.badIn(end, end+1); end == len(mem.data) || bad {
			text += "…"
		} else {
			end++ // the NUL
		}
		r := newRow(mem.addr+uint64(off), syms)
		r.Values = []string{text}
		rows = append(rows, r)
		off = end
	}
	return rows
}
