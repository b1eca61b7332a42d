package x86enc

import (
	"math"
	"testing"

	"github.com/jitrun/jitrun/asm/internal/ir"
	"github.com/twitchyliquid64/golang-asm/obj"
	"github.com/twitchyliquid64/golang-asm/obj/x86"
)

// TestOperandClasses requires operandClasses.of to give each kind of
// operand prog makes the class golang-asm gives it (probeClass), or 0:
// every register, constants on each side of each bound of oclass's
// ranges, memory operands with each kind of base, index and symbol.
func TestOperandClasses(t *testing.T) {
	tb := tables()
	addrs := []obj.Addr{{}}
	ir.Regs(func(_ string, r ir.Reg) {
		addrs = append(addrs, obj.Addr{Type: obj.TYPE_REG, Reg: int16(r)})
	})
	for _, v := range []int64{math.MinInt64, math.MinInt64 + 1, -1 << 32, math.MinInt32 - 1, math.MinInt32, math.MinInt32 + 1,
		-129, -128, -127, -2, -1, 0, 1, 2, 3, 4, 126, 127, 128, 129, 254, 255, 256, 1000,
		math.MaxInt32 - 1, math.MaxInt32, math.MaxInt32 + 1, math.MaxUint32 - 1, math.MaxUint32, math.MaxUint32 + 1, math.MaxInt64} {
		addrs = append(addrs, obj.Addr{Type: obj.TYPE_CONST, Offset: v})
	}
	sym := &obj.LSym{Name: "x"}
	for _, index := range []int16{x86.REG_NONE, x86.REG_AX, x86.REG_R15, x86.REG_SP, x86.REG_X0, x86.REG_X8, x86.REG_X16, x86.REG_Y0, x86.REG_Y16, x86.REG_Z0, x86.REG_Z8} {
		for _, base := range []int16{x86.REG_NONE, x86.REG_AX, x86.REG_R13} {
			scale := int16(0)
			if index != x86.REG_NONE {
				scale = 4
			}
			addrs = append(addrs, obj.Addr{Type: obj.TYPE_MEM, Reg: base, Index: index, Scale: scale, Offset: 8})
		}
		addrs = append(addrs, obj.Addr{Type: obj.TYPE_MEM, Name: obj.NAME_EXTERN, Sym: sym, Index: index})
	}
	addrs = append(addrs,
		obj.Addr{Type: obj.TYPE_MEM, Name: obj.NAME_EXTERN, Sym: sym, Offset: 4},
		obj.Addr{Type: obj.TYPE_MEM, Name: obj.NAME_STATIC, Sym: sym},
		obj.Addr{Type: obj.TYPE_MEM, Name: obj.NAME_EXTERN, Sym: sym, Reg: x86.REG_AX},
		obj.Addr{Type: obj.TYPE_REGLIST, Offset: x86.EncodeRegisterRange(x86.REG_X0, x86.REG_X3)},
	)
	known := 0
	encoderMu.Lock()
	defer encoderMu.Unlock()
	for _, a := range addrs {
		got := tb.classes.of(&a)
		if got == 0 {
			continue
		}
		known++
		if want := probeClass(tb, a, a.Type == obj.TYPE_NONE); got != want {
			t.Errorf("class of %+v = %d; golang-asm gives %d", a, got, want)
		}
	}
	if known < len(addrs)/2 {
		t.Errorf("operandClasses knows %d of %d operands", known, len(addrs))
	}
}
