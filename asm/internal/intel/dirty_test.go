package intel

import (
	"reflect"
	"testing"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// garbageOperand returns an operand with every field set to a value no
// writer writes, through reflection, so that a field added to ir.Operand
// is covered without this test changing.
func garbageOperand(t *testing.T) ir.Operand {
	t.Helper()
	var m ir.Operand
	v := reflect.ValueOf(&m).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if !f.CanSet() {
			t.Fatalf("ir.Operand.%s is unexported: the writers of operands in blocks used again (writeGoOperand, writePlainOperand, writeRegOperand) cannot be checked to write it", v.Type().Field(i).Name)
		}
		switch f.Kind() {
		case reflect.String:
			f.SetString("stale")
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			f.SetInt(99)
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			f.SetUint(99)
		case reflect.Float32, reflect.Float64:
			f.SetFloat(9.5)
		default:
			t.Fatalf("ir.Operand.%s: a %s, which garbageOperand does not fill: extend it", v.Type().Field(i).Name, f.Kind())
		}
	}
	return m
}

// TestDirtyOperandWriters checks that each writer of an operand into the
// memory of an earlier one (slab.MakeUncleared: not cleared when used again)
// writes every field: what it writes over a stale operand is what it
// writes into a zero one.
func TestDirtyOperandWriters(t *testing.T) {
	rax, rbx := lookupReg("rax"), lookupReg("rbx")
	fs := lookupReg("fs")
	intelOps := []intelOperand{
		{kind: iopReg, reg: rax},
		{kind: iopImm, imm: -7},
		{kind: iopMem, base: rax, index: rbx, scale: 4, disp: 16},
		{kind: iopMem, base: rax, disp: 8, seg: fs},
		{kind: iopMem, rip: true, disp: 5},
		{kind: iopMem, rip: true, sym: "table", disp: 3},
	}
	checkDirtyWriter(t, "writeGoOperand", intelOps, writeGoOperand)
	plainOps := []plainOp{
		{kind: iopReg, reg: rax},
		{kind: iopImm, imm: 42},
		{kind: iopMem, base: rax, index: rbx, scale: 8, disp: -4},
		{kind: iopMem, rip: true, disp: 12},
	}
	checkDirtyWriter(t, "writePlainOperand", plainOps, writePlainOperand)
	dirty := garbageOperand(t)
	writeRegOperand(&dirty, ir.Reg(rbx.Reg))
	if want := ir.RegOp(rbx.Reg); dirty != want {
		t.Errorf("writeRegOperand over a stale operand = %+v, want %+v", dirty, want)
	}
}

// checkDirtyWriter checks that write, given each of ops, writes over a
// stale operand what it writes into a zero one.
func checkDirtyWriter[T any](t *testing.T, name string, ops []T, write func(*ir.Operand, *T)) {
	t.Helper()
	for _, o := range ops {
		var zero ir.Operand
		write(&zero, &o)
		dirty := garbageOperand(t)
		write(&dirty, &o)
		if dirty != zero {
			t.Errorf("%s(%+v) over a stale operand = %+v, over a zero one %+v", name, o, dirty, zero)
		}
	}
}

// TestDirtyInst checks that an instruction taken again from a block used
// again starts without what stmtMemory.inst promises to clear (its
// suffix and broken mark), and that ir.Inst has no field its builders
// were not checked to write.
func TestDirtyInst(t *testing.T) {
	// The fields every builder writes (Source, Op, Args, the spelling)
	// and those inst clears (Suffix, broken). A new field must be
	// written by buildPlain, buildInst and the branch path, or cleared
	// by inst: add it here once it is.
	known := map[string]bool{"Source": true, "Op": true, "Suffix": true, "Args": true, "broken": true, "spelling": true}
	typ := reflect.TypeOf(ir.Inst{})
	for i := 0; i < typ.NumField(); i++ {
		if name := typ.Field(i).Name; !known[name] {
			t.Errorf("ir.Inst.%s is new: instructions are made in the memory of earlier ones (stmtMemory.inst), so its builders must write it or inst clear it", name)
		}
	}
	m := newStmtMemory(1)
	taken := map[*ir.Inst]bool{}
	for range reuseAfter {
		in := m.inst(2)
		in.Suffix = "Z"
		ir.SetBroken(in, true)
		taken[in] = true
	}
	m.reuse()
	in := m.inst(2)
	if !taken[in] {
		t.Fatalf("the first instruction after reuse is not in the memory of one taken before: the test no longer exercises a block used again")
	}
	if in.Suffix != "" || ir.IsBroken(in) || len(in.Args) != 0 || cap(in.Args) != 2 {
		t.Errorf("instruction from a block used again: Suffix %q, broken %v, %d operands (cap %d); want none of them and room for 2", in.Suffix, ir.IsBroken(in), len(in.Args), cap(in.Args))
	}
}
