package asm

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// dataSym is a GLOBL symbol or a float constant.
type dataSym struct {
	ref  ir.SymRef
	def  *ir.GloblDef // nil for a float constant
	kind SymbolKind
	size int
	// bytes are a float constant's bytes. A GLOBL symbol is zeros but for
	// what its DATA write, straight into Program.Code (emit).
	bytes []byte
	// oversize marks a GLOBL refused for MaxProgramSize: it is not laid
	// out, and what refers to it is not reported again.
	oversize bool
	// align is the alignment GLOBL asked for, 0 for the default.
	align int
	// filled is the end of the last DATA accepted, to reject overlaps.
	filled int64
	off    int
	pos    ir.Pos // where it was declared (or first used, for a float constant)
}

// dataWrite is a DATA statement the encoder accepted, and its symbol.
type dataWrite struct {
	sym *dataSym
	def *ir.DataDef
}

// dataDef checks one DATA statement against its symbol and keeps it for
// emit to write.
func (e *encoder) dataDef(s *ir.DataDef) {
	ref := ir.SymRef{Name: s.Name, Static: s.Static}
	d, ok := e.datas[ref]
	if !ok {
		other := ir.SymRef{Name: s.Name, Static: !s.Static}
		if _, ok := e.datas[other]; ok {
			e.errorf(s.Pos, "DATA for %s, which no GLOBL declares (GLOBL declares %s)", ref, other)
		} else {
			e.errorf(s.Pos, "DATA for %s, which no GLOBL declares", ref)
		}
		return
	}
	if d.oversize || d.def != nil && ir.IsBroken(d.def) {
		return // its size is unknown or refused: its line was reported
	}
	size := int64(d.size)
	if s.Width <= 0 || s.Off < 0 || s.Off > size || s.Width > size-s.Off {
		e.errorf(s.Pos, "DATA %s+%d/%d is outside the %d bytes GLOBL declares", ref, s.Off, s.Width, size)
		return
	}
	if s.Off < d.filled {
		e.errorf(s.Pos, "DATA %s+%d/%d overlaps an earlier DATA for the same symbol (write offsets in increasing order)", ref, s.Off, s.Width)
		return
	}
	if msg := checkValue(s.Width, s.Value); msg != "" {
		e.errorf(s.Pos, "DATA %s: %s", ref, msg)
		return
	}
	d.filled = s.Off + s.Width
	e.dataWrites = append(e.dataWrites, dataWrite{sym: d, def: s})
}

// checkValue says why a DATA value cannot fill width bytes, or "" when it
// can.
func checkValue(width int64, v ir.Operand) string {
	switch v.Kind {
	case ir.ImmOperand:
		switch width {
		case 1, 2, 4, 8:
		default:
			return fmt.Sprintf("an integer needs width 1, 2, 4 or 8, not %d", width)
		}
		if bits := 8 * width; bits < 64 && (v.Imm < -1<<(bits-1) || v.Imm > 1<<bits-1) {
			return fmt.Sprintf("%s does not fit in %d bytes", ir.FmtImm(v.Imm), width)
		}
	case ir.FloatOperand:
		if width != 4 && width != 8 {
			return fmt.Sprintf("a float needs width 4 or 8, not %d", width)
		}
	case ir.StringOperand:
		if int64(len(v.String)) > width {
			return fmt.Sprintf("string of %d bytes does not fit in width %d", len(v.String), width)
		}
	case ir.LabelDiffOperand:
		if width != 4 && width != 8 {
			return fmt.Sprintf("a label difference needs width 4 or 8, not %d", width)
		}
	case ir.AddrOperand, ir.MemOperand:
		return "an address in data needs a linker (jitrun code is position independent); compute it at run time with LEAQ"
	default:
		return "the value must be a constant: $integer, $float or $\"string\""
	}
	return ""
}

// putValue writes a DATA value that checkValue accepted into dst, its
// width.
func putValue(dst []byte, v ir.Operand) {
	switch v.Kind {
	case ir.ImmOperand:
		var buf [8]byte
		binary.LittleEndian.PutUint64(buf[:], uint64(v.Imm))
		copy(dst, buf[:len(dst)])
	case ir.FloatOperand:
		if len(dst) == 4 {
			binary.LittleEndian.PutUint32(dst, math.Float32bits(float32(v.Float)))
		} else {
			binary.LittleEndian.PutUint64(dst, math.Float64bits(v.Float))
		}
	case ir.StringOperand:
		copy(dst, v.String)
	}
}
