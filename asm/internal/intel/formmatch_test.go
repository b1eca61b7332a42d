package intel

import (
	"testing"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// TestFormClassMatches checks the compiled classes, and the same read
// from an operand's signature (fitsCode), against classMatches, the
// definition: every class of the form table, plus odd ones, against
// operands of every kind, register class, memory size, vector index and
// broadcast, and fixed registers and immediates.
func TestFormClassMatches(t *testing.T) {
	intelForms()
	classes := map[string]bool{"=1": true, "=01": true, "=-1": true, "=st0": true, "b32": true, "m7": true, "mm": true, "vm32q": true}
	for _, forms := range intelTable.byMnem {
		for _, f := range forms {
			for _, c := range f.classes() {
				classes[c] = true
			}
		}
	}
	var ops []*intelOperand
	for _, name := range []string{"al", "ah", "ax", "eax", "rax", "r8b", "spl", "xmm0", "ymm1", "zmm31", "k1", "mm0", "st0", "st3", "cs", "fs", "cr0", "dr7", "cl", "dx"} {
		r := lookupReg(name)
		if r.ID == 0 {
			t.Fatalf("no register %s", name)
		}
		ops = append(ops, &intelOperand{kind: iopReg, reg: r})
	}
	for _, v := range []int64{0, 1, 3, -1, 255, 1 << 40} {
		ops = append(ops, &intelOperand{kind: iopImm, imm: v})
	}
	rbx := lookupReg("rbx")
	for _, index := range []string{"", "rcx", "xmm2", "ymm3", "zmm4"} {
		x := lookupReg(index)
		for _, size := range []int{0, 8, 16, 32, 48, 64, 80, 128, 256, 512, 7} {
			for _, bcst := range []int{0, 2, 4, 8, 16, 32, 64, 3} {
				ops = append(ops, &intelOperand{kind: iopMem, base: rbx, index: x, scale: 1, size: size, bcst: bcst})
			}
		}
	}
	ops = append(ops, &intelOperand{kind: iopLabel, label: "l"})
	checked := 0
	for class := range classes {
		c := compileClass(class)
		for _, o := range ops {
			want := classMatches(class, o)
			if got := c.matches(o); got != want {
				t.Errorf("class %s, operand %+v: compiled %v, classMatches %v", class, *o, got, want)
			}
			if sig, ok := opSignature([]*intelOperand{o}); ok && !c.lit {
				if got := c.fitsCode(sig); got != want {
					t.Errorf("class %s, operand %+v: from its signature %v, classMatches %v", class, *o, got, want)
				}
			}
			checked++
		}
	}
	if len(classes) < 30 {
		t.Errorf("only %d classes in the form table", len(classes))
	}
	t.Logf("%d classes × %d operands", len(classes), len(ops))
}

// TestFormArgs checks the compiled Go arguments of every form: the
// operand index, the opmask, or the fixed register the arg names.
func TestFormArgs(t *testing.T) {
	intelForms()
	for _, forms := range intelTable.byMnem {
		for _, f := range forms {
			if len(f.goArgs()) != len(f.args()) || len(f.cls()) != len(f.classes()) {
				t.Fatalf("%s %v: %d args compiled of %d, %d classes of %d", f.mnem(), f.classes(), len(f.goArgs()), len(f.args()), len(f.cls()), len(f.classes()))
			}
			for i, a := range f.goArgs() {
				switch a.kind {
				case argOperand:
					if a.op < 0 || a.op >= len(f.classes()) {
						t.Errorf("%s %v: arg %s is no operand", f.mnem(), f.classes(), f.args()[i])
					}
				case argFixed:
					if r, ok := ir.LookupReg(f.args()[i][1:]); !ok || r != a.reg {
						t.Errorf("%s %v: arg %s compiled to %v", f.mnem(), f.classes(), f.args()[i], a.reg)
					}
				case argOpmask:
					if f.args()[i] != "k" {
						t.Errorf("%s %v: arg %s compiled to the opmask", f.mnem(), f.classes(), f.args()[i])
					}
				default:
					t.Errorf("%s %v: arg %s does not compile", f.mnem(), f.classes(), f.args()[i])
				}
			}
		}
	}
	for _, c := range []struct {
		arg  string
		kind argKind
	}{{"0", argOperand}, {"k", argOpmask}, {"=AX", argFixed}, {"=NOPE", argBadFixed}, {"x", argBadOperand}} {
		if got := compileArg(c.arg); got.kind != c.kind || got.text != c.arg {
			t.Errorf("compileArg(%q) = %+v, want kind %d", c.arg, got, c.kind)
		}
	}
}

// TestClassCodes checks formClass.matches, which reads register and
// vector index classes by their codes, against the classes by name: every
// class of the form table, and operands of every register class, rip,
// and memory operands with and without a vector index, a size, a
// broadcast.
func TestClassCodes(t *testing.T) {
	byName := func(c *formClass, o *intelOperand) bool {
		if c.lit {
			return c.matches(o)
		}
		switch o.kind {
		case iopReg:
			return o.reg.Class() == c.reg
		case iopImm:
			return c.imm
		case iopMem:
			vsib := o.index.Class() == "xmm" || o.index.Class() == "ymm" || o.index.Class() == "zmm"
			sized := o.size == 0 || o.size == c.bits
			switch c.mem {
			case memVSIB:
				return vsib && o.bcst == 0 && c.index == o.index.Class()[0] && sized
			case memBcast:
				return !vsib && o.bcst != 0 && c.bcstOK && o.bcst == c.bcst && sized
			case memAny:
				return !vsib && o.bcst == 0
			case memBits:
				return !vsib && o.bcst == 0 && sized
			}
		}
		return false
	}
	var ops []*intelOperand
	for _, r := range []string{"al", "ax", "eax", "rax", "r9", "xmm3", "ymm17", "zmm31", "k2", "mm1", "st3", "fs", "cr3", "dr6", "rip"} {
		ops = append(ops, &intelOperand{kind: iopReg, reg: lookupReg(r)})
	}
	ops = append(ops, &intelOperand{kind: iopImm, imm: 1})
	for _, index := range []string{"", "rbx", "xmm1", "ymm2", "zmm3"} {
		for _, size := range []int{0, 8, 32, 64, 128, 256, 512} {
			for _, bcst := range []int{0, 2, 8, 16} {
				ops = append(ops, &intelOperand{kind: iopMem, base: lookupReg("rax"), index: lookupReg(index), scale: 4, size: size, bcst: bcst})
			}
		}
	}
	intelForms()
	n := 0
	for _, forms := range intelTable.byMnem {
		for _, f := range forms {
			for i := range f.cls() {
				c := &f.cls()[i]
				for _, o := range ops {
					n++
					if got, want := c.matches(o), byName(c, o); got != want {
						t.Fatalf("class %q matches %+v: %v, by name %v", c.reg, o, got, want)
					}
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no class compared")
	}
}
