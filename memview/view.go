package memview

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jitrun/jitrun/trampoline"
)

// MaxLen is the most bytes one view reads (and MaxSpec the longest
// spelling Parse reads).
const (
	MaxLen  = 4096
	MaxSpec = 256
)

// Forms lists the spellings Parse accepts, for error messages.
const Forms = "WHAT[:LEN][/FMT]: WHAT a symbol, a register (rsp, rdi, SP, DI: the memory it points to) or an address (0x1000), optionally +N or -N bytes; LEN bytes (at most 4096); FMT gdb's letters: a format x (hex), d (signed), u (unsigned), f (float), s (string), c (char) and a unit size b (1 byte), h (2), w (4), g (8)"

// Kind says what a view's WHAT names.
type Kind uint8

const (
	// KindSymbol is a symbol of the code: the view starts at its address
	// and, without LEN, covers its size.
	KindSymbol Kind = iota + 1
	// KindRegister is a general-purpose register or rip: the view starts
	// at the address the register holds.
	KindRegister
	// KindAddress is an address written as a number.
	KindAddress
)

func (k Kind) String() string {
	switch k {
	case KindSymbol:
		return "symbol"
	case KindRegister:
		return "register"
	case KindAddress:
		return "address"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// View is one parsed WHAT[:LEN][/FMT].
type View struct {
	Spec   string // as written
	Kind   Kind
	Name   string         // the symbol (KindSymbol), the register as written (KindRegister)
	Reg    trampoline.Reg // KindRegister, when not RIP
	RIP    bool           // KindRegister: the register is rip (PC)
	Addr   uint64         // KindAddress
	Offset int64          // the +N or -N after WHAT
	Len    int            // bytes; 0 when not written (one unit, the symbol's size, or a string up to its NUL)
	Unit   int            // 1, 2, 4 or 8; 0 when not written (see Render)
	Format byte           // 'x', 'd', 'u', 'f', 's' or 'c'
}

// intelRegs and goRegs name the general-purpose registers: Intel's
// lower-case names and Go assembly's upper-case ones. rip and PC are the
// instruction pointer.
var (
	intelRegs = map[string]trampoline.Reg{
		"rax": trampoline.RAX, "rbx": trampoline.RBX, "rcx": trampoline.RCX, "rdx": trampoline.RDX,
		"rsi": trampoline.RSI, "rdi": trampoline.RDI, "rbp": trampoline.RBP, "rsp": trampoline.RSP,
		"r8": trampoline.R8, "r9": trampoline.R9, "r10": trampoline.R10, "r11": trampoline.R11,
		"r12": trampoline.R12, "r13": trampoline.R13, "r14": trampoline.R14, "r15": trampoline.R15,
	}
	goRegs = map[string]trampoline.Reg{
		"AX": trampoline.RAX, "BX": trampoline.RBX, "CX": trampoline.RCX, "DX": trampoline.RDX,
		"SI": trampoline.RSI, "DI": trampoline.RDI, "BP": trampoline.RBP, "SP": trampoline.RSP,
		"R8": trampoline.R8, "R9": trampoline.R9, "R10": trampoline.R10, "R11": trampoline.R11,
		"R12": trampoline.R12, "R13": trampoline.R13, "R14": trampoline.R14, "R15": trampoline.R15,
	}
)

// unitLetters are gdb's unit sizes.
var unitLetters = map[byte]int{'b': 1, 'h': 2, 'w': 4, 'g': 8}

// Parse reads a view, WHAT[:LEN][/FMT]:
//
//   - WHAT is a register — rax … r15 and rip, or Go's AX … R15 and PC,
//     gdb's $rsp too — meaning the memory at the address it holds; an
//     address (0x7ffc0000, 4096); or a symbol of the code. A register name
//     wins over a symbol of the same name. WHAT may end in +N or -N
//     (rsp+16, table+0x8).
//   - LEN is the number of bytes, 1 to MaxLen, a multiple of the unit
//     (f: of 4 or 8). Left out: one unit, or the whole symbol; with s, the
//     string up to its NUL (at most 256 bytes; a symbol: its size).
//   - FMT is gdb's letters in any order: at most one format, x (hex, the
//     default), d (signed decimal), u (unsigned decimal), f (float: w is
//     float32, g float64), s (a NUL-terminated string), c (characters); and
//     at most one unit, b (1 byte), h (2), w (4), g (8). Without a unit:
//     1 for s and c, else the largest of 8, 4, 2, 1 that divides LEN (or
//     the symbol's size; 8 when neither is known; f: 8 or 4). s and c
//     take no unit other than b.
//
// Examples: rsp:64/gx (64 bytes as 8 hex quadwords), counter/d, rdi:16/b,
// msg/s, 0x401000:8/xb.
func Parse(spec string) (View, error) {
	v := View{Spec: spec, Format: 'x'}
	if len(spec) > MaxSpec {
		return v, fmt.Errorf("%.20q…: longer than %d bytes", spec, MaxSpec)
	}
	what, fmtPart, hasFmt := cut(spec, "/")
	what, lenPart, hasLen := cut(what, ":")
	if what == "" {
		return v, fmt.Errorf("nothing to show: write %s", Forms)
	}
	if hasFmt {
		if err := v.parseFormat(fmtPart); err != nil {
			return v, err
		}
	}
	if hasLen {
		n, err := strconv.ParseUint(lenPart, 0, 64)
		switch {
		case err != nil:
			return v, fmt.Errorf("length %q is not a number of bytes", lenPart)
		case n == 0:
			return v, errors.New("a length of 0 bytes shows nothing")
		case n > MaxLen:
			return v, fmt.Errorf("length %d is over the cap: a view shows at most %d bytes", n, MaxLen)
		}
		v.Len = int(n)
		if unit := v.Unit; unit > 0 && v.Len%unit != 0 {
			return v, fmt.Errorf("length %d is not a whole number of %d-byte units", v.Len, unit)
		}
		if v.Format == 'f' && v.Len%4 != 0 {
			return v, fmt.Errorf("length %d is not a whole number of floats (4 or 8 bytes)", v.Len)
		}
	}
	if err := v.parseWhat(what); err != nil {
		return v, err
	}
	return v, nil
}

// cut splits s at the last sep.
func cut(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

// parseFormat reads FMT's letters into v.Format and v.Unit.
func (v *View) parseFormat(letters string) error {
	if letters == "" {
		return errors.New("an empty format after /: write gdb's letters (x d u f s c, b h w g)")
	}
	var format byte
	for i := 0; i < len(letters); i++ {
		c := letters[i]
		switch {
		case c >= '0' && c <= '9':
			return fmt.Errorf("a count in the format (%s): write the length in bytes after ':' (WHAT:LEN/FMT)", letters)
		case strings.IndexByte("xdufsc", c) >= 0:
			if format != 0 {
				return fmt.Errorf("two formats, %c and %c: use one of x d u f s c", format, c)
			}
			format = c
		case unitLetters[c] > 0:
			if v.Unit != 0 {
				return fmt.Errorf("two unit sizes in %s: use one of b h w g", letters)
			}
			v.Unit = unitLetters[c]
		default:
			return fmt.Errorf("unknown format letter %q: formats x (hex), d (signed), u (unsigned), f (float), s (string), c (char); sizes b (1 byte), h (2), w (4), g (8)", c)
		}
	}
	if format != 0 {
		v.Format = format
	}
	switch {
	case (v.Format == 's' || v.Format == 'c') && v.Unit > 1:
		return fmt.Errorf("%c reads bytes: drop the unit size (or write b)", v.Format)
	case v.Format == 'f' && (v.Unit == 1 || v.Unit == 2):
		return errors.New("f needs a unit of w (float32) or g (float64)")
	}
	return nil
}

// parseWhat reads WHAT: a register, an address or a symbol, and an offset.
func (v *View) parseWhat(what string) error {
	base := what
	if i := strings.LastIndexAny(what, "+-"); i > 0 {
		n, err := strconv.ParseUint(what[i+1:], 0, 63)
		if err != nil {
			return fmt.Errorf("offset %q is not a number of bytes", what[i:])
		}
		base, v.Offset = what[:i], int64(n)
		if what[i] == '-' {
			v.Offset = -v.Offset
		}
	}
	base = strings.TrimPrefix(base, "$") // gdb's $rsp
	if base == "" {
		return errors.New("$ names nothing: write $rsp, rsp or SP")
	}
	if r, ok := intelRegs[base]; ok {
		v.Kind, v.Name, v.Reg = KindRegister, base, r
		return nil
	}
	if r, ok := goRegs[base]; ok {
		v.Kind, v.Name, v.Reg = KindRegister, base, r
		return nil
	}
	if base == "rip" || base == "PC" {
		v.Kind, v.Name, v.RIP = KindRegister, base, true
		return nil
	}
	if strings.HasPrefix(what, "$") {
		return fmt.Errorf("$%s is not a register: rax … r15, rip, or AX … R15, PC", base)
	}
	if c := base[0]; c >= '0' && c <= '9' {
		a, err := strconv.ParseUint(base, 0, 64)
		if err != nil {
			return fmt.Errorf("%q is not an address (0x7ffc0000, 4096)", base)
		}
		v.Kind, v.Addr = KindAddress, a
		return nil
	}
	if strings.ContainsAny(base, " \t\n") || base[0] == '-' || base[0] == '+' {
		return fmt.Errorf("%q is not a symbol, a register or an address", base)
	}
	v.Kind, v.Name = KindSymbol, base
	return nil
}
