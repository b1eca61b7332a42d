package memarg

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The caps: one buffer, and all of a call's buffers together.
const (
	MaxBuffer = 1 << 30
	MaxTotal  = 1 << 30
)

// Forms lists the spellings Parse accepts, for error messages.
const Forms = "str:TEXT (NUL-terminated), buf:N (N zero bytes: 64, 0x40, 4k, 1M), file:PATH (the file's bytes), " +
	"or TYPE:V,V,… with TYPE one of i8 u8 i16 u16 i32 u32 i64 u64 f32 f64 (i64:1,-2,3, f64:1.5,2)"

// Kind says what a memory argument holds.
type Kind uint8

const (
	KindStr   Kind = iota + 1 // str:TEXT, the text and a NUL
	KindBuf                   // buf:N, N zero bytes
	KindArray                 // TYPE:V,V,…, the values little-endian
	KindFile                  // file:PATH, the file's bytes (read by Map)
)

func (k Kind) String() string {
	switch k {
	case KindStr:
		return "str"
	case KindBuf:
		return "buf"
	case KindArray:
		return "array"
	case KindFile:
		return "file"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Elem is the element type of an array argument.
type Elem uint8

const (
	I8 Elem = iota + 1
	U8
	I16
	U16
	I32
	U32
	I64
	U64
	F32
	F64
)

var elemNames = map[string]Elem{"i8": I8, "u8": U8, "i16": I16, "u16": U16, "i32": I32, "u32": U32, "i64": I64, "u64": U64, "f32": F32, "f64": F64}

// String returns the type's name: i8 … u64, f32, f64.
func (e Elem) String() string {
	for name, el := range elemNames {
		if el == e {
			return name
		}
	}
	return "Elem(" + strconv.Itoa(int(e)) + ")"
}

// Size is the element's size in bytes.
func (e Elem) Size() int {
	switch e {
	case I8, U8:
		return 1
	case I16, U16:
		return 2
	case I32, U32, F32:
		return 4
	}
	return 8
}

func (e Elem) float() bool  { return e == F32 || e == F64 }
func (e Elem) signed() bool { return e == I8 || e == I16 || e == I32 || e == I64 }

// Spec is one parsed memory argument.
type Spec struct {
	Arg  string // as written
	Kind Kind
	Elem Elem   // KindArray
	Data []byte // the bytes the buffer starts with (KindStr, KindArray); nil otherwise
	Size int    // bytes of the buffer; for KindFile, 0 until Map reads the file
	Path string // KindFile
}

// Parse reads a memory argument. isMem reports whether arg is one at all:
// a word with a ':' in it; anything else (42, -1, 0x10, 1.5) is not, and
// Parse returns a zero Spec and no error. The forms (see Forms):
//
//   - str:TEXT — the bytes of TEXT as written, then a NUL.
//   - buf:N — N zero bytes; N in decimal or 0x hex, with an optional
//     k, M or G suffix (KiB, MiB, GiB): buf:64, buf:0x100, buf:4k.
//   - file:PATH — the bytes of the file, read by Map.
//   - TYPE:V,V,… — the values, little-endian, one after the other. TYPE is
//     i8, u8, i16, u16, i32, u32, i64, u64 (integers in any Go base: 42,
//     -0x2a, 0b101, 1_000; each must fit the type) or f32, f64 (1.5,
//     -2e3, 0x1p-2, inf, nan; an f32 element must be within its range).
//
// A buffer over MaxBuffer is refused. Errors are one line that starts with
// the argument and, for an element, names it by number and text.
func Parse(arg string) (spec Spec, isMem bool, err error) {
	kind, rest, ok := strings.Cut(arg, ":")
	if !ok {
		return Spec{}, false, nil
	}
	spec = Spec{Arg: arg}
	switch kind {
	case "str":
		if len(rest)+1 > MaxBuffer {
			return spec, true, fmt.Errorf("%.20s…: %s is over the cap of %s for one buffer", arg, sizeWords(len(rest)+1), sizeWords(MaxBuffer))
		}
		spec.Kind, spec.Data = KindStr, append([]byte(rest), 0)
		spec.Size = len(spec.Data)
	case "buf":
		n, err := parseSize(rest)
		if err != nil {
			return spec, true, fmt.Errorf("%s: %v", arg, err)
		}
		spec.Kind, spec.Size = KindBuf, n
	case "file":
		if rest == "" {
			return spec, true, fmt.Errorf("%s: no path: write file:PATH", arg)
		}
		spec.Kind, spec.Path = KindFile, rest
	default:
		e, ok := elemNames[kind]
		if !ok {
			return spec, true, fmt.Errorf("%s: unknown memory argument type %q: the forms are %s", arg, kind, Forms)
		}
		spec.Kind, spec.Elem = KindArray, e
		if spec.Data, err = parseElems(rest, e); err != nil {
			return spec, true, fmt.Errorf("%s: %v", arg, err)
		}
		spec.Size = len(spec.Data)
	}
	return spec, true, nil
}

// parseSize reads buf's N.
func parseSize(s string) (int, error) {
	num, shift := s, 0
	if n := len(s); n > 0 {
		switch s[n-1] {
		case 'k', 'K':
			num, shift = s[:n-1], 10
		case 'm', 'M':
			num, shift = s[:n-1], 20
		case 'g', 'G':
			num, shift = s[:n-1], 30
		}
	}
	v, err := strconv.ParseUint(num, 0, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("%q is not a size: write buf:N (64, 0x40, 4k, 1M)", s)
	}
	if err != nil || v > MaxBuffer>>shift {
		what := s
		if err == nil && v <= math.MaxInt>>shift {
			what = sizeWords(int(v << shift))
		}
		return 0, fmt.Errorf("%s is over the cap of %s for one buffer", what, sizeWords(MaxBuffer))
	}
	return int(v << shift), nil
}

// sizeWords writes a size in bytes, KiB, MiB or GiB when it is a whole
// number of them.
func sizeWords(n int) string {
	for _, u := range []struct {
		shift uint
		name  string
	}{{30, "GiB"}, {20, "MiB"}, {10, "KiB"}} {
		if n >= 1<<u.shift && n%(1<<u.shift) == 0 {
			return fmt.Sprintf("%d %s", n>>u.shift, u.name)
		}
	}
	if n == 1 {
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}

// parseElems reads the comma-separated values of an array argument.
func parseElems(list string, e Elem) ([]byte, error) {
	if list == "" {
		return nil, fmt.Errorf("no elements: write %s:V,V,…", e)
	}
	size := e.Size()
	count := strings.Count(list, ",") + 1 // before splitting: a string header per element is 16 bytes
	if count*size > MaxBuffer {
		return nil, fmt.Errorf("%d elements of %s are over the cap of %s for one buffer", count, e, sizeWords(MaxBuffer))
	}
	data := make([]byte, 0, count*size)
	for i, w := range strings.Split(list, ",") {
		if w == "" {
			return nil, fmt.Errorf("element %d is empty", i+1)
		}
		bits, err := parseElem(w, e)
		if err != nil {
			return nil, fmt.Errorf("element %d, %s, %v", i+1, w, err)
		}
		data = binary.LittleEndian.AppendUint64(data, bits)[:len(data)+size]
	}
	return data, nil
}

// parseElem reads one value of type e and returns its bits.
func parseElem(w string, e Elem) (uint64, error) {
	bits := uint(8 * e.Size())
	if e.float() {
		f, err := strconv.ParseFloat(w, int(bits))
		switch {
		case errors.Is(err, strconv.ErrRange):
			return 0, fmt.Errorf("does not fit in %s", e)
		case err != nil:
			return 0, errors.New("is not a number (1.5, -2e3, 0x1p-2, inf, nan)")
		case e == F32:
			return uint64(math.Float32bits(float32(f))), nil
		}
		return math.Float64bits(f), nil
	}
	notFit := fmt.Errorf("does not fit in %s", e)
	if v, err := strconv.ParseInt(w, 0, 64); err == nil {
		lo, hi := int64(0), int64(math.MaxInt64)
		if e.signed() {
			lo, hi = -1<<(bits-1), 1<<(bits-1)-1
		} else if bits < 64 {
			hi = 1<<bits - 1
		}
		if v < lo || v > hi {
			return 0, notFit
		}
		return uint64(v), nil
	}
	v, err := strconv.ParseUint(w, 0, 64)
	switch {
	case err == nil && !e.signed() && (bits == 64 || v < 1<<bits):
		return v, nil
	case err == nil, errors.Is(err, strconv.ErrRange):
		return 0, notFit
	case strings.HasPrefix(w, "-"):
		if _, err := strconv.ParseInt(w, 0, 64); errors.Is(err, strconv.ErrRange) {
			return 0, notFit
		}
	}
	return 0, errors.New("is not an integer (42, -0x2a, 0b101)")
}
