package x86enc

// This file checks that validation, with its precomputed tables (opIndex's
// immFamilySize per mnemonic, regOK per register), gives exactly what it
// gave before them: checkInstRef, immLimitRef and checkImmediatesRef are
// checkInst, immLimit and checkImmediates as they were, comparing names
// and calling checkOperand for every operand.

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm/internal/att"
	"github.com/jitrun/jitrun/asm/internal/gosyntax"
	"github.com/jitrun/jitrun/asm/internal/intel"
	"github.com/jitrun/jitrun/asm/internal/ir"
	"github.com/twitchyliquid64/golang-asm/obj"
	"github.com/twitchyliquid64/golang-asm/obj/x86"
)

// checkInstRef is checkInst before the tables.
func checkInstRef(t *gasmTables, in *ir.Inst, facts *instFacts) (obj.As, error) {
	op, ok := t.opIndex.lookup(in.Op)
	if !ok {
		return 0, unknownOp(t, in.Op)
	}
	sp := ir.Spell(in)
	if msg := rejectedOp(op, in); msg != "" {
		return 0, sp.Sentence("%s", msg)
	}
	if len(in.Args) > maxOperands {
		return 0, sp.Errorf("too many operands (%d; at most %d)", len(in.Args), maxOperands)
	}
	for i := range in.Args {
		if err := checkOperand(t, in, i); err != nil {
			return 0, err
		}
		a := &in.Args[i]
		facts.kinds |= 1 << a.Kind
		if a.Kind == ir.RegOperand && isHighByte(a.Reg) {
			facts.highByte = true
		}
	}
	// The loops below look for kinds of operands: they run only when an
	// operand of such a kind is there.
	if t.branch(op) != nil {
		if err := checkJump(t, op, in); err != nil {
			return 0, err
		}
	} else if facts.has(ir.LabelOperand) {
		for i := range in.Args {
			if a := &in.Args[i]; a.Kind == ir.LabelOperand {
				return 0, sp.Sentence("%s does not take a label operand (%s)", sp.Op(), a.Sym)
			}
		}
	}
	if facts.has(ir.ImmOperand) {
		if err := checkImmediatesRef(op, in); err != nil {
			return 0, err
		}
	}
	for i := range in.Args {
		if !facts.has(ir.FloatOperand) && !facts.has(ir.AddrOperand) && !facts.has(ir.StringOperand) {
			break
		}
		switch a := &in.Args[i]; a.Kind {
		case ir.FloatOperand:
			if i != 0 || floatWidth(op) == 0 {
				return 0, sp.Sentence("%s does not take a floating-point constant; MOVSS, MOVSD, ADDSD, MULSS and the other scalar SSE and x87 arithmetic instructions do (as their first operand)", sp.Op())
			}
		case ir.AddrOperand:
			if i != 0 || (op != x86.AMOVQ && op != x86.AMOVL) || len(in.Args) != 2 || in.Args[1].Kind != ir.RegOperand {
				return 0, sp.Errorf("an address ($%s) can only be loaded into a register with MOVQ or LEAQ", ir.DescribeMem(*a))
			}
		case ir.StringOperand:
			return 0, sp.Errorf("a string constant can only initialise data (DATA)")
		}
	}
	if err := checkForms(op, in, facts.highByte); err != nil {
		return 0, err
	}
	if in.Suffix != "" && hasSuffix(in.Suffix, "Z") {
		n := len(in.Args)
		if n < 2 || in.Args[n-2].Kind != ir.RegOperand || in.Args[n-2].Reg < x86.REG_K1 || in.Args[n-2].Reg > x86.REG_K7 {
			// EVEX.z without a mask raises #UD; golang-asm encodes it anyway.
			return 0, sp.Sentence("%s.%s: zeroing (.Z) needs an opmask register K1-K7 before the destination", sp.Op(), in.Suffix)
		}
	}
	if isGather(op) && len(in.Args) != 3 {
		return 0, sp.Sentence("%s needs 3 operands, has %d", sp.Op(), len(in.Args))
	}
	return op, nil
}

func checkImmediatesRef(op obj.As, in *ir.Inst) error {
	r, what, ok := immLimitRef(op, in)
	if !ok {
		return nil
	}
	for i := range in.Args {
		if a := &in.Args[i]; a.Kind != ir.ImmOperand || (r.lo <= a.Imm && a.Imm <= r.hi) {
			continue
		}
		sp := ir.Spell(in)
		msg := fmt.Sprintf("immediate %s does not fit in %s (%s..%s)", sp.ImmArg(i), what, sp.Imm(r.lo), sp.Imm(r.hi))
		if r == rangeSImm32 {
			msg += sp.Pick("; load it into a register with MOVQ first", "; load it into a register with mov first")
		}
		return sp.Errorf("%s", msg)
	}
	return nil
}

func immLimitRef(op obj.As, in *ir.Inst) (immRange, string, bool) {
	switch op {
	case x86.AINB, x86.AINW, x86.AINL, x86.AOUTB, x86.AOUTW, x86.AOUTL, x86.AINT:
		return rangeUImm8, "an unsigned 8-bit field", true
	case obj.ARET, x86.ARETFL, x86.ARETFQ, x86.ARETFW:
		return rangeUImm16, "an unsigned 16-bit field", true
	case x86.ABYTE:
		return rangeImm8, "8 bits", true
	case x86.AWORD:
		return rangeImm16, "16 bits", true
	case x86.ALONG:
		return rangeImm32, "32 bits", true
	case x86.AQUAD:
		return immRange{}, "", false
	}
	name := in.Op
	if len(name) < 2 {
		return immRange{}, "", false
	}
	base, size := name[:len(name)-1], name[len(name)-1]
	found := false
	for _, f := range immFamilies {
		if base == f {
			found = true
			break
		}
	}
	if !found {
		return immRange{}, "", false
	}
	switch size {
	case 'B':
		return rangeImm8, "8 bits", true
	case 'W':
		return rangeImm16, "16 bits", true
	case 'L':
		return rangeImm32, "32 bits", true
	case 'Q':
		if op == x86.AMOVQ && len(in.Args) == 2 && in.Args[1].Kind == ir.RegOperand {
			return immRange{}, "", false // MOVQ $imm64, reg has every form
		}
		return rangeSImm32, "a sign-extended 32-bit field", true
	}
	return immRange{}, "", false
}

// verdict is what validating an instruction returned, as text.
func verdict(op obj.As, facts instFacts, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return fmt.Sprintf("op %d kinds %#x highByte %v fix %+v", op, facts.kinds, facts.highByte, facts.fix)
}

// sameVerdict reports how checkInst (without and with an opCache, which
// the calls share) and checkInstRef differ on in, or "".
func sameVerdict(t *gasmTables, in *ir.Inst) string {
	var refFacts instFacts
	refOp, refErr := checkInstRef(t, in, &refFacts)
	if refErr == nil {
		refFacts.fix = progFixRef(in)
	}
	want := verdict(refOp, refFacts, refErr)
	op, facts, err := validate(t, in)
	if got := verdict(op, facts, err); got != want {
		return fmt.Sprintf("%s %v: got %s; want %s", in.Op, in.Args, got, want)
	}
	facts = instFacts{}
	op, err = checkInst(t, &verdictCache, in, &facts)
	if got := verdict(op, facts, err); got != want {
		return fmt.Sprintf("%s %v with an opCache: got %s; want %s", in.Op, in.Args, got, want)
	}
	return ""
}

// verdictCache is the opCache sameVerdict's checks share, so that they
// look mnemonics up in it as a Batch does, hits and misses.
var verdictCache opCache

// progFixRef is the progFix of in as prog found it before checkInst did,
// operand by operand.
func progFixRef(in *ir.Inst) progFix {
	var fix progFix
	for i := range in.Args {
		a := &in.Args[i]
		switch {
		case a.Kind == ir.RegOperand && a.Reg == x86.REG_SPB:
			fix.rex = true
		case a.Kind == ir.MemOperand && a.Seg == x86.REG_FS:
			fix.seg = 0x64
		case a.Kind == ir.MemOperand && a.Seg == x86.REG_GS:
			fix.seg = 0x65
		}
	}
	return fix
}

// corpusInsts returns the instructions of the Go, Intel and AT&T corpora
// and of Go's own amd64enc.s, amd64enc_extra.s and amd64error.s, by file.
func corpusInsts(t testing.TB) map[string][]*ir.Inst {
	t.Helper()
	out := map[string][]*ir.Inst{}
	collect := func(file string) func(ir.Stmt) bool {
		return func(s ir.Stmt) bool {
			if in, ok := s.(*ir.Inst); ok {
				out[file] = append(out[file], in)
			}
			return false // the statements are kept: the Go parser must not reuse their memory
		}
	}
	read := func(path string) []byte {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return src
	}
	goDir := filepath.Join(runtime.GOROOT(), "src", "cmd", "asm", "internal", "asm", "testdata")
	goFiles, _ := filepath.Glob("../../testdata/go/*.s")
	for _, name := range []string{"amd64enc.s", "amd64enc_extra.s", "amd64error.s"} {
		goFiles = append(goFiles, filepath.Join(goDir, name))
	}
	for _, path := range goFiles {
		gosyntax.ParseFunc(path, read(path), collect(path), nil)
	}
	intelFiles, _ := filepath.Glob("../../testdata/intel/*.s")
	for _, path := range intelFiles {
		intel.ParseFunc(path, read(path), intel.Options{}, collect(path))
	}
	nasm, _ := filepath.Glob("../../testdata/intel/*.asm")
	for _, path := range nasm {
		intel.ParseFunc(path, read(path), intel.Options{Semicolons: true}, collect(path))
	}
	attFiles, _ := filepath.Glob("../../testdata/att/*.s")
	gcc, _ := filepath.Glob("../../testdata/att/gcc/*.s")
	for _, path := range append(attFiles, gcc...) {
		att.ParseFunc(path, read(path), att.Options{}, collect(path))
	}
	return out
}

// TestValidateCorpora validates every instruction of the corpora with the
// tables and as before them, and requires the same opcode, facts and error.
func TestValidateCorpora(t *testing.T) {
	tb := tables()
	insts := corpusInsts(t)
	for file, list := range insts {
		if len(list) == 0 {
			t.Errorf("%s: no instruction read", file)
		}
		for _, in := range list {
			if d := sameVerdict(tb, in); d != "" {
				t.Errorf("%s:%d: %s", file, in.Pos.Line, d)
			}
		}
	}
	if n := len(insts[filepath.Join(runtime.GOROOT(), "src", "cmd", "asm", "internal", "asm", "testdata", "amd64enc.s")]); n < 10000 {
		t.Errorf("amd64enc.s: %d instructions read, want over 10000", n)
	}
}

// TestValidateTables tries every register number (and a few past the
// ends) as the operand of a sample of mnemonics, every mnemonic with a set
// of registers, and every mnemonic with immediates at the edges of each
// range, with the tables and as before them.
func TestValidateTables(t *testing.T) {
	tb := tables()
	all := append(Mnemonics(), "", "MOV", "movq", "ADDQQ", "ADD", "B", "IMUL3", "IMUL3X", "PUSHQQ")
	var sample []string
	for i, name := range all {
		if i%50 == 0 || strings.HasSuffix(name, "B") || strings.HasPrefix(name, "PUSH") || strings.HasPrefix(name, "POP") || strings.HasPrefix(name, "J") {
			sample = append(sample, name)
		}
	}
	sample = append(sample, "PAND", "PINSRQ", "CRC32B", "XCHGL", "MOVLPS", "INVLPG", "PUSHAL", "MOVBQZX", "SETEQ", "VPGATHERDD", "HLT", "CALL")
	tryRegs := func(names []string, regs []ir.Reg) {
		for _, name := range names {
			for _, r := range regs {
				for _, args := range [][]ir.Operand{
					{{Kind: ir.RegOperand, Reg: r}},
					{{Kind: ir.RegOperand, Reg: r}, {Kind: ir.RegOperand, Reg: x86.REG_AX}},
				} {
					if d := sameVerdict(tb, &ir.Inst{Op: name, Args: args}); d != "" {
						t.Fatal(d)
					}
				}
			}
		}
	}
	var every []ir.Reg
	for r := ir.Reg(-2); r < x86.MAXREG+2; r++ {
		every = append(every, r)
	}
	tryRegs(sample, every)
	tryRegs(all, []ir.Reg{-1, 0, x86.REG_AL, x86.REG_AH, x86.REG_BH, x86.REG_SPB, x86.REG_AX, x86.REG_SP, x86.REG_DI, x86.REG_R15, x86.REG_X0, x86.REG_Y15, x86.REG_Z31, x86.REG_K0, x86.REG_K1, x86.REG_M0, x86.REG_F0, x86.REG_CS, x86.REG_FS, x86.REG_CR0, x86.REG_TLS, x86.MAXREG})
	imms := []int64{math.MinInt64, -1<<31 - 1, -1 << 31, -1<<15 - 1, -1 << 15, -129, -128, -1, 0, 255, 256, 1<<16 - 1, 1 << 16, 1<<31 - 1, 1 << 31, 1<<32 - 1, 1 << 32, math.MaxInt64}
	for _, name := range all {
		for _, v := range imms {
			for _, args := range [][]ir.Operand{
				{{Kind: ir.ImmOperand, Imm: v}},
				{{Kind: ir.ImmOperand, Imm: v}, {Kind: ir.RegOperand, Reg: x86.REG_AX}},
				{{Kind: ir.ImmOperand, Imm: v}, {Kind: ir.MemOperand, Reg: x86.REG_AX}},
			} {
				if d := sameVerdict(tb, &ir.Inst{Op: name, Args: args}); d != "" {
					t.Fatal(d)
				}
			}
		}
	}
}

// FuzzValidate builds instructions from fuzz bytes (any mnemonic, any
// operand kind and register number, immediates of any size) and requires
// validation with the tables to answer as it did before them.
func FuzzValidate(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte("\x10\x02\x01\x11\x00\x05\x03\xff\x40"))
	f.Add([]byte("ADDB\x02\x00\x05\x01\x00\xff\x7f"))
	tb := tables()
	ops := Mnemonics()
	suffixes := []string{"", "Z", "BCST", "SAE", "RZ_SAE.Z"}
	f.Fuzz(func(t *testing.T, data []byte) {
		next := func() int {
			if len(data) == 0 {
				return 0
			}
			b := data[0]
			data = data[1:]
			return int(b)
		}
		reg := func() ir.Reg { return ir.Reg(int16(next()<<8 | next())) }
		if next()%2 == 0 {
			reg = func() ir.Reg { return ir.Reg(next()%int(x86.MAXREG-x86.REG_AL+4)) + x86.REG_AL - 2 }
		}
		for len(data) > 0 {
			in := &ir.Inst{Op: ops[(next()<<8|next())%len(ops)]}
			if s := next(); s%4 == 0 {
				in.Suffix = suffixes[s/4%len(suffixes)]
			} else if s%4 == 1 {
				in.Op = strings.ToLower(in.Op)
			}
			for n := next() % 7; n > 0; n-- {
				var a ir.Operand
				a.Kind = ir.OperandKind(next() % 10)
				a.Reg, a.Index, a.RegHi, a.Seg = reg(), reg(), reg(), 0
				if next()%4 == 0 {
					a.Seg = reg()
				}
				a.Scale = int64(next() % 10)
				a.Disp = int64(int8(next())) << (next() % 48)
				a.Imm = int64(int8(next())) << (next() % 64)
				if next()%3 == 0 {
					a.Sym = "x"
				}
				in.Args = append(in.Args, a)
			}
			if d := sameVerdict(tb, in); d != "" {
				t.Fatal(d)
			}
		}
	})
}

// BenchmarkValidate validates the instructions of amd64enc.s with the
// tables (tables) and as before them (reference), in one binary so that
// the two can be run in alternation; it reports instr/s.
func BenchmarkValidate(b *testing.B) {
	tb := tables()
	insts := corpusInsts(b)[filepath.Join(runtime.GOROOT(), "src", "cmd", "asm", "internal", "asm", "testdata", "amd64enc.s")]
	if len(insts) == 0 {
		b.Fatal("amd64enc.s: no instruction read")
	}
	for _, bc := range []struct {
		name  string
		check func(*gasmTables, *ir.Inst, *instFacts) (obj.As, error)
	}{
		{"tables", func(t *gasmTables, in *ir.Inst, f *instFacts) (obj.As, error) { return checkInst(t, nil, in, f) }},
		{"cached", func(t *gasmTables, in *ir.Inst, f *instFacts) (obj.As, error) {
			return checkInst(t, &verdictCache, in, f)
		}},
		{"reference", checkInstRef},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				for _, in := range insts {
					var facts instFacts
					bc.check(tb, in, &facts)
				}
			}
			b.ReportMetric(float64(b.N)*float64(len(insts))/b.Elapsed().Seconds(), "instr/s")
		})
	}
}

// packWordsRef is packWords as it was, byte by byte.
func packWordsRef(name string) (lo, hi uint64, ok bool) {
	n := len(name)
	if n == 0 || n > 15 {
		return 0, 0, false
	}
	for i := 0; i < min(n, 8); i++ {
		lo |= uint64(name[i]) << (8 * i)
	}
	for i := 8; i < n; i++ {
		hi |= uint64(name[i]) << (8 * (i - 8))
	}
	return lo, hi | uint64(n)<<56, true
}

// TestPackWords compares packWords with the byte-by-byte packing for
// every mnemonic and for strings of every length from 0 to 17 whose bytes
// are all distinct.
func TestPackWords(t *testing.T) {
	names := Mnemonics()
	const bytes = "ABCDEFGHIJKLMNOPQ\x00\xff"
	for n := 0; n <= 17; n++ {
		names = append(names, bytes[:n], bytes[len(bytes)-n:])
	}
	for _, name := range names {
		lo, hi, ok := packWords(name)
		wlo, whi, wok := packWordsRef(name)
		if lo != wlo || hi != whi || ok != wok {
			t.Errorf("packWords(%q) = %#x, %#x, %v; want %#x, %#x, %v", name, lo, hi, ok, wlo, whi, wok)
		}
	}
}
