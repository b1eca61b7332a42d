package trampoline

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"unsafe"
)

//go:generate go run gen_bind.go

// Param is the set of Go types a bound function may take and return: every
// integer and float type, bool, and unsafe.Pointer (and types defined on
// them). Integers, bools and pointers travel in RDI, RSI, RDX, RCX, R8, R9
// and come back in RAX; floats travel in XMM0–XMM7 and come back in XMM0,
// as the System V AMD64 ABI says. Integers narrower than 64 bits are
// sign- or zero-extended to 64 bits on the way in and truncated on the way
// out; a bool result is true when AL is not zero.
type Param interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 |
		~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr |
		~bool | ~float32 | ~float64 | unsafe.Pointer
}

// maxParams is the most parameters a Bind function takes.
const maxParams = 8

type argKind uint8

const (
	kindInt8 argKind = iota + 1
	kindUint8
	kindInt16
	kindUint16
	kindInt32
	kindUint32
	kindWord // 64-bit integers, int, uint, uintptr, unsafe.Pointer
	kindBool
	kindFloat32
	kindFloat64
)

func (k argKind) float() bool { return k == kindFloat32 || k == kindFloat64 }

// binding is what a bound function closes over: the address and, for each
// parameter, where it goes. It is computed once, at bind time.
type binding struct {
	addr     uintptr
	in       [maxParams]argKind // each parameter's kind
	dst      [maxParams]uint8   // each parameter's index in argWords
	out      argKind
	outWide  bool    // the result is 64 bits wide: the word at outOff in Result
	outOff   uintptr // RAX's or X0's offset in Result
	floats   bool    // some parameter is a float
	pointers bool    // some parameter is an unsafe.Pointer, kept alive until the code returns
	nint     uint8   // integer parameters: the registers enter loads
}

// argWords are the register words of a call of a bound function with a
// float parameter: RDI, RSI, RDX, RCX, R8, R9 in 0–5, XMM0–XMM7 in 8–15.
type argWords [16]uint64

func kindOf(t reflect.Type) (argKind, bool) {
	switch t.Kind() {
	case reflect.Int8:
		return kindInt8, true
	case reflect.Uint8:
		return kindUint8, true
	case reflect.Int16:
		return kindInt16, true
	case reflect.Uint16:
		return kindUint16, true
	case reflect.Int32:
		return kindInt32, true
	case reflect.Uint32:
		return kindUint32, true
	case reflect.Int, reflect.Int64, reflect.Uint, reflect.Uint64, reflect.Uintptr, reflect.UnsafePointer:
		return kindWord, true
	case reflect.Bool:
		return kindBool, true
	case reflect.Float32:
		return kindFloat32, true
	case reflect.Float64:
		return kindFloat64, true
	}
	return 0, false
}

// newBinding checks a signature and assigns its parameters to registers.
// out is nil for a function without a result.
func newBinding(addr uintptr, out reflect.Type, in ...reflect.Type) (*binding, error) {
	sig := signature(out, in)
	if !supported {
		return nil, errUnsupported
	}
	if addr == 0 {
		return nil, fmt.Errorf("trampoline: bind %s: the address is 0", sig)
	}
	// The bound function calls straight into the fast path: install the
	// signal handler (and probe the CPU) now, not on its first call.
	if err := setup(); err != nil {
		return nil, err
	}
	b := &binding{addr: addr}
	var nint, nfloat int
	for i, t := range in {
		k, ok := kindOf(t)
		if !ok {
			return nil, fmt.Errorf("trampoline: bind %s: parameter %d has type %s; want an integer, float, bool or unsafe.Pointer", sig, i+1, t)
		}
		if t.Kind() == reflect.UnsafePointer {
			b.pointers = true
		}
		if k.float() {
			b.in[i] = k
			b.dst[i] = uint8(8 + nfloat&7)
			nfloat++
			b.floats = true
		} else {
			b.in[i] = k
			b.dst[i] = uint8(min(nint, 7))
			nint++
		}
	}
	b.nint = uint8(min(nint, len(Args{}.Int)))
	if nint > len(Args{}.Int) {
		return nil, fmt.Errorf("trampoline: bind %s: %d integer or pointer parameters; at most 6 go in registers (RDI, RSI, RDX, RCX, R8, R9)", sig, nint)
	}
	if nfloat > len(Args{}.Float) {
		return nil, fmt.Errorf("trampoline: bind %s: %d float parameters; at most 8 go in registers (XMM0–XMM7)", sig, nfloat)
	}
	if out != nil {
		k, ok := kindOf(out)
		if !ok {
			return nil, fmt.Errorf("trampoline: bind %s: the result has type %s; want an integer, float, bool or unsafe.Pointer", sig, out)
		}
		b.out = k
		switch k {
		case kindWord:
			b.outWide, b.outOff = true, unsafe.Offsetof(Result{}.RAX)
		case kindFloat64:
			b.outWide, b.outOff = true, unsafe.Offsetof(Result{}.X0)
		}
	}
	return b, nil
}

func signature(out reflect.Type, in []reflect.Type) string {
	var s strings.Builder
	s.WriteString("func(")
	for i, t := range in {
		if i > 0 {
			s.WriteString(", ")
		}
		s.WriteString(t.String())
	}
	s.WriteString(")")
	if out != nil {
		s.WriteString(" " + out.String())
	}
	return s.String()
}

// put stores parameter i, v of static type T, into its register word at
// w, which is zero: as it is, a narrower one then sign- or zero-extended
// by its kind (the size is a constant once the generic code is
// instantiated: a 64-bit T is one store).
func put[T Param](b *binding, i int, w *uint64, v T) {
	*(*T)(unsafe.Pointer(w)) = v
	if unsafe.Sizeof(v) < 8 {
		*w = b.in[i].widen(unsafe.Pointer(w))
	}
}

// widen reads a parameter narrower than 64 bits of kind k at p.
func (k argKind) widen(p unsafe.Pointer) uint64 {
	switch k {
	case kindInt8:
		return uint64(int64(*(*int8)(p)))
	case kindUint8, kindBool:
		return uint64(*(*uint8)(p))
	case kindInt16:
		return uint64(int64(*(*int16)(p)))
	case kindUint16:
		return uint64(*(*uint16)(p))
	case kindInt32:
		return uint64(int64(*(*int32)(p)))
	case kindUint32, kindFloat32:
		return uint64(*(*uint32)(p))
	}
	return *(*uint64)(p)
}

// store writes the result registers into the result at p: a 64-bit
// integer or a double inlined, the other kinds by storeKind.
func (b *binding) store(r *Result, p unsafe.Pointer) {
	if b.outWide {
		*(*uint64)(p) = *(*uint64)(unsafe.Add(unsafe.Pointer(r), b.outOff))
		return
	}
	b.storeKind(r, p)
}

// storeKind writes the result registers into the result at p, by its
// kind. (Not inlined, so that store, which calls it for the narrow
// kinds, is.)
//
//go:noinline
func (b *binding) storeKind(r *Result, p unsafe.Pointer) {
	switch b.out {
	case kindInt8, kindUint8:
		*(*uint8)(p) = uint8(r.RAX)
	case kindBool:
		*(*bool)(p) = uint8(r.RAX) != 0
	case kindInt16, kindUint16:
		*(*uint16)(p) = uint16(r.RAX)
	case kindInt32, kindUint32:
		*(*uint32)(p) = uint32(r.RAX)
	case kindWord:
		*(*uint64)(p) = r.RAX
	case kindFloat32:
		*(*float32)(p) = math.Float32frombits(uint32(r.X0))
	case kindFloat64:
		*(*float64)(p) = math.Float64frombits(r.X0)
	}
}
