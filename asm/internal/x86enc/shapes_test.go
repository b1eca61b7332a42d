package x86enc

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jitrun/jitrun/asm/internal/asmtest"
	"github.com/jitrun/jitrun/asm/internal/ir"
	"golang.org/x/arch/x86/x86asm"
)

var fullScan = flag.Bool("scan", false, "TestShapeScan: try every operand shape, not a sample (slow)")

// regID is a register's identity whatever its width: class and number.
type regID struct {
	class byte
	n     int
}

func goRegID(r ir.Reg) (regID, bool) {
	name := r.String()
	switch {
	case r >= ir.AL && r <= ir.R15B:
		return regID{'g', int(r - ir.AL)}, true
	case r >= ir.AH && r <= ir.BH:
		return regID{'h', int(r - ir.AH)}, true
	case r >= ir.AX && r <= ir.R15:
		return regID{'g', int(r - ir.AX)}, true
	case r >= ir.X0 && r <= ir.X31:
		return regID{'x', int(r - ir.X0)}, true
	case r >= ir.Y0 && r <= ir.Y31:
		return regID{'y', int(r - ir.Y0)}, true
	case r >= ir.Z0 && r <= ir.Z31:
		return regID{'z', int(r - ir.Z0)}, true
	case r >= ir.K0 && r <= ir.K7:
		return regID{'k', int(r - ir.K0)}, true
	case r >= ir.M0 && r <= ir.M7:
		return regID{'m', int(r - ir.M0)}, true
	case r >= ir.F0 && r <= ir.F7:
		return regID{'f', int(r - ir.F0)}, true
	case strings.HasPrefix(name, "CR"), strings.HasPrefix(name, "DR"):
		var n int
		fmt.Sscanf(name[2:], "%d", &n)
		return regID{name[0], n}, true
	case len(name) == 2 && name[1] == 'S':
		return regID{'s', int(name[0])}, true
	}
	return regID{}, false
}

func asmRegID(r x86asm.Reg) (regID, bool) {
	switch {
	case r >= x86asm.AL && r <= x86asm.BL:
		return regID{'g', int(r - x86asm.AL)}, true
	case r >= x86asm.AH && r <= x86asm.BH:
		return regID{'h', int(r - x86asm.AH)}, true
	case r >= x86asm.SPB && r <= x86asm.R15B:
		return regID{'g', int(r-x86asm.SPB) + 4}, true
	case r >= x86asm.AX && r <= x86asm.R15W:
		return regID{'g', int(r - x86asm.AX)}, true
	case r >= x86asm.EAX && r <= x86asm.R15L:
		return regID{'g', int(r - x86asm.EAX)}, true
	case r >= x86asm.RAX && r <= x86asm.R15:
		return regID{'g', int(r - x86asm.RAX)}, true
	case r >= x86asm.X0 && r <= x86asm.X31:
		return regID{'x', int(r - x86asm.X0)}, true
	case r >= x86asm.Y0 && r <= x86asm.Y31:
		return regID{'y', int(r - x86asm.Y0)}, true
	case r >= x86asm.Z0 && r <= x86asm.Z31:
		return regID{'z', int(r - x86asm.Z0)}, true
	case r >= x86asm.K0 && r <= x86asm.K7:
		return regID{'k', int(r - x86asm.K0)}, true
	case r >= x86asm.M0 && r <= x86asm.M7:
		return regID{'m', int(r - x86asm.M0)}, true
	case r >= x86asm.F0 && r <= x86asm.F7:
		return regID{'f', int(r - x86asm.F0)}, true
	case r >= x86asm.CR0 && r <= x86asm.CR15:
		return regID{'C', int(r - x86asm.CR0)}, true
	case r >= x86asm.DR0 && r <= x86asm.DR7:
		return regID{'D', int(r - x86asm.DR0)}, true
	case r >= x86asm.ES && r <= x86asm.GS:
		return regID{'s', int(r.String()[0])}, true
	}
	return regID{}, false
}

// crossCheck decodes code and reports how it disagrees with the operands of
// in, or "" when every register, memory operand and immediate of in is in
// the decoded instruction. undecodable is true when x86asm cannot decode it
// (it lacks some extensions: BMI, some AVX-512).
func crossCheck(in *ir.Inst, code []byte) (problem string, undecodable bool) {
	d, err := x86asm.Decode(code, 64)
	if err != nil || d.Len == 0 {
		return "", true
	}
	if d.Len != len(code) {
		return fmt.Sprintf("decodes as %d bytes (%v), encoded %d", d.Len, d, len(code)), false
	}
	var regs []regID
	var mems []x86asm.Mem
	var imms []int64
	for _, a := range d.Args {
		switch a := a.(type) {
		case x86asm.Reg:
			if id, ok := asmRegID(a); ok {
				regs = append(regs, id)
			}
		case x86asm.Mem:
			mems = append(mems, a)
			for _, r := range []x86asm.Reg{a.Base, a.Index} {
				if id, ok := asmRegID(r); ok {
					regs = append(regs, id)
				}
			}
		case x86asm.Imm:
			imms = append(imms, int64(a))
		}
	}
	has := func(id regID) bool {
		for _, r := range regs {
			if r == id {
				return true
			}
		}
		return false
	}
	for _, a := range in.Args {
		switch a.Kind {
		case ir.RegOperand:
			id, ok := goRegID(a.Reg)
			if ok && !has(id) && id.class != 'k' {
				return fmt.Sprintf("register %s missing from %v", a.Reg, d), false
			}
		case ir.MemOperand:
			if a.Sym != "" {
				continue
			}
			found := false
			for _, m := range mems {
				bid, _ := asmRegID(m.Base)
				iid, _ := asmRegID(m.Index)
				wb, _ := goRegID(a.Reg)
				wi, _ := goRegID(a.Index)
				if a.Reg == 0 {
					wb = regID{}
				}
				if a.Index == 0 {
					wi = regID{}
				}
				scale := int64(m.Scale)
				if m.Index == 0 {
					scale = a.Scale
				}
				if bid == wb && iid == wi && (a.Index == 0 || scale == a.Scale) && m.Disp == a.Disp {
					found = true
				}
			}
			if !found && len(mems) > 0 {
				return fmt.Sprintf("memory operand %s not in %v", ir.DescribeMem(a), d), false
			}
		case ir.ImmOperand:
			found := false
			for _, v := range imms {
				if immEqual(a.Imm, v) {
					found = true
				}
			}
			if !found && len(imms) > 0 {
				return fmt.Sprintf("immediate %d not in %v", a.Imm, d), false
			}
		}
	}
	return "", false
}

// immEqual reports whether an encoded immediate holds the requested value
// for some field width that can represent the requested value.
func immEqual(want, got int64) bool {
	if want == got {
		return true
	}
	for _, bits := range []uint{8, 16, 32} {
		lo, hi := -int64(1)<<(bits-1), int64(1)<<bits-1
		mask := uint64(1)<<bits - 1
		if want >= lo && want <= hi && got >= lo && got <= hi && uint64(want)&mask == uint64(got)&mask {
			return true
		}
	}
	return false
}

// shapePools are the operands the scan combines, per operand count.
var (
	poolRegs = []ir.Reg{ir.AX, ir.R9, ir.SI, ir.AL, ir.R10B, ir.AH, ir.SPB, ir.BPB, ir.X1, ir.X9, ir.X17, ir.Y2, ir.Y18, ir.Z3, ir.Z19, ir.K0, ir.K2, ir.M1, ir.F1, ir.CS, ir.FS, ir.CR2, ir.DR3, ir.SP}
	poolImms = []int64{0, 1, 7, -1, 127, 128, 255, 256, 0x7fff, 0xffff, 0x10000, 0x7fffffff, 0xffffffff, -0x80000000, 1 << 33}
	poolMems = []ir.Operand{
		mem(0, ir.BX), memIndex(8, ir.R11, ir.CX, 4), mem(-129, ir.SP), memIndex(8, 0, ir.X4, 1), memIndex(16, ir.DX, ir.Y5, 8), memIndex(0, ir.BP, ir.Z6, 2),
		{Kind: ir.MemOperand, Sym: "x", Disp: 4}, {Kind: ir.AddrOperand, Sym: "x"}, {Kind: ir.AddrOperand, Disp: 8, Reg: ir.SP}, {Kind: ir.FloatOperand, Float: 1.5}, {Kind: ir.MemOperand, Disp: 0x1000},
	}
	pool3    = []ir.Operand{ir.RegOp(ir.AX), ir.RegOp(ir.R9), ir.RegOp(ir.M1), ir.RegOp(ir.X1), ir.RegOp(ir.X17), ir.RegOp(ir.Y2), ir.RegOp(ir.Z3), ir.RegOp(ir.K2), mem(0, ir.BX), {Kind: ir.MemOperand, Sym: "x"}, ir.ImmOp(7), ir.ImmOp(256), ir.ImmOp(-1)}
	pool4    = []ir.Operand{ir.RegOp(ir.X1), ir.RegOp(ir.Y2), ir.RegOp(ir.Z19), ir.RegOp(ir.K2), mem(0, ir.BX), ir.ImmOp(7)}
	pool5    = []ir.Operand{ir.RegOp(ir.Z1), ir.RegOp(ir.K2), mem(0, ir.BX), ir.ImmOp(7)}
	suffixes = []string{"", "Z", "BCST", "SAE", "RN_SAE", "RZ_SAE.Z"}
)

func mem(disp int64, base ir.Reg) ir.Operand {
	return ir.Operand{Kind: ir.MemOperand, Disp: disp, Reg: base}
}

func memIndex(disp int64, base, index ir.Reg, scale int64) ir.Operand {
	return ir.Operand{Kind: ir.MemOperand, Disp: disp, Reg: base, Index: index, Scale: scale}
}

func pool1() []ir.Operand {
	var out []ir.Operand
	for _, r := range poolRegs {
		out = append(out, ir.RegOp(r))
	}
	for _, v := range poolImms {
		out = append(out, ir.ImmOp(v))
	}
	return append(out, poolMems...)
}

// TestShapeScan feeds every mnemonic golang-asm knows with combinations of
// operands and checks, for each: no log.Fatalf is reached (validation must
// keep such inputs away from the encoder), no panic escapes, and whatever
// assembles decodes (with x86asm) to one instruction of the same length with
// the same registers, memory operands and immediates. Without -scan it tries
// a deterministic sample of the shapes.
func TestShapeScan(t *testing.T) {
	tb := tables()
	var ops []string
	seen := map[string]bool{}
	for name, as := range tb.ops {
		key := fmt.Sprint(as)
		if seen[key] {
			continue
		}
		seen[key] = true
		ops = append(ops, name)
	}
	sort.Strings(ops)
	sample := 37
	if s := os.Getenv("SCAN_SAMPLE"); s != "" {
		fmt.Sscan(s, &sample)
	}
	if *fullScan {
		sample = 1
	} else if testing.Short() {
		sample = 997
	}
	var tried, accepted, undecodable, failures int
	var problems []string
	var suspects []suspect
	n := 0
	try := func(op, suffix string, args []ir.Operand) {
		n++
		if n%sample != 0 {
			return
		}
		if asmtest.IsDataOrPrefix(op) {
			return // not instructions: checked by TestDataPseudoOps
		}
		tried++
		in := &ir.Inst{Source: ir.Source{Pos: ir.Pos{File: "scan", Line: 1}}, Op: op, Suffix: suffix, Args: args}
		in.Text = ir.FormatInst(in)
		code, err := encodeOne(tb, in)
		if hit := asmtest.FatalHit(); hit != "" {
			problems = append(problems, fmt.Sprintf("%s: reached log.Fatalf: %s", in.Text, strings.TrimSpace(hit)))
			return
		}
		if err != nil {
			return
		}
		accepted++
		// Every accepted encoding goes to objdump; x86asm's opinion is the
		// fallback when objdump is missing.
		p, und := crossCheck(in, code)
		suspects = append(suspects, suspect{in: in, code: code, x86asm: p, undecodable: und})
	}
	func() {
		defer asmtest.HookFatal()()
		p1 := pool1()
		for _, op := range ops {
			try(op, "", nil)
			for _, a := range p1 {
				try(op, "", []ir.Operand{a})
				for _, b := range p1 {
					try(op, "", []ir.Operand{a, b})
				}
			}
			for _, a := range pool3 {
				for _, b := range pool3 {
					for _, c := range pool3 {
						try(op, "", []ir.Operand{a, b, c})
					}
				}
			}
			sfx := []string{""}
			if op[0] == 'V' {
				sfx = suffixes
			}
			for _, s := range sfx {
				for _, a := range pool4 {
					for _, b := range pool4 {
						for _, c := range pool4 {
							for _, d := range pool4 {
								try(op, s, []ir.Operand{a, b, c, d})
							}
						}
					}
				}
			}
			if op[0] == 'V' {
				for _, a := range pool5 {
					for _, b := range pool5 {
						for _, c := range pool5 {
							for _, d := range pool5 {
								for _, e := range pool5 {
									try(op, "", []ir.Operand{a, b, c, d, e})
								}
							}
						}
					}
				}
			}
		}
	}()
	// Where x86asm cannot decode or disagrees, GNU objdump decides.
	verdicts, err := objdumpVerdicts(suspects)
	if err != nil {
		t.Logf("objdump is not available (%v): checking the %d encodings with x86asm only, which is wrong about several instruction families; disagreements are logged, not failed", err, len(suspects))
	}
	for i, sp := range suspects {
		if sp.undecodable {
			undecodable++
		}
		v := ""
		if verdicts != nil {
			v = verdicts[i]
		} else if sp.x86asm != "" {
			t.Logf("x86asm disagrees: %s: % x: %s", sp.in.Text, sp.code, sp.x86asm)
		}
		if v != "" && equivalent[sp.in.Text] {
			v = ""
		}
		if v != "" {
			failures++
			problems = append(problems, fmt.Sprintf("%s: % x: %s", sp.in.Text, sp.code, v))
		}
	}
	checker := "objdump"
	if verdicts == nil {
		checker = "x86asm"
	}
	t.Logf("shapes: %d tried (1 in %d), %d assembled (all decoded with %s; %d not decodable by x86asm), %d wrong", tried, sample, accepted, checker, undecodable, failures)
	sort.Strings(problems)
	for i, p := range problems {
		if i == 200 && !*fullScan {
			t.Errorf("... and %d more", len(problems)-200)
			break
		}
		t.Error(p)
	}
}

// encodeOne validates and encodes a single instruction the way encode does
// (sharing one golang-asm context across calls, for speed), returning its
// bytes. Symbol references are left unresolved (zero displacement).
func encodeOne(t *gasmTables, in *ir.Inst) ([]byte, error) {
	op, facts, err := validate(t, in)
	if err != nil {
		return nil, err
	}
	if _, jump := t.branches[op]; jump && len(in.Args) == 1 && in.Args[0].Kind == ir.LabelOperand {
		return nil, fmt.Errorf("branch")
	}
	b := scanBuilder(t)
	p, err := b.prog(in, op)
	if err != nil {
		return nil, err
	}
	enc, msg := b.assembleOne(p)
	if msg != "" {
		return nil, fmt.Errorf("%s", msg)
	}
	if err := enc.fix(facts.fix); err != nil {
		return nil, err
	}
	if err := checkEncoded(in, enc.code, facts.highByte); err != nil {
		return nil, err
	}
	return append([]byte(nil), enc.code...), nil
}

var (
	scanOnce sync.Once
	scanB    *progBuilder
)

func scanBuilder(t *gasmTables) *progBuilder {
	scanOnce.Do(func() { scanB = newProgBuilder(t) })
	return scanB
}

// suspect is an encoding x86asm could not confirm.
type suspect struct {
	in          *ir.Inst
	code        []byte
	x86asm      string
	undecodable bool
}

// objdumpVerdicts decodes the suspects with GNU objdump and returns, per
// suspect, "" when objdump decodes exactly its bytes as one instruction
// naming every register of the source instruction, or what is wrong.
func objdumpVerdicts(sus []suspect) ([]string, error) {
	if len(sus) == 0 {
		return nil, nil
	}
	objdump, err := exec.LookPath("objdump")
	if err != nil {
		return nil, err
	}
	const slot = 32
	buf := bytes.Repeat([]byte{0x90}, slot*len(sus))
	for i, s := range sus {
		copy(buf[i*slot:], s.code)
	}
	dir, err := os.MkdirTemp("", "jitrun-scan")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "code.bin")
	if err := os.WriteFile(bin, buf, 0o644); err != nil {
		return nil, err
	}
	out, err := exec.Command(objdump, "-D", "-b", "binary", "-m", "i386:x86-64", "-w", bin).Output()
	if err != nil {
		return nil, err
	}
	// Lines look like "  1a:\t62 b1 7e 08 e6 c9 \tvcvtdq2pd %xmm17,%xmm1".
	type dline struct {
		n    int
		text string
	}
	at := map[int]dline{}
	for _, line := range strings.Split(string(out), "\n") {
		parts := strings.SplitN(line, "\t", 3)
		if len(parts) < 3 {
			continue
		}
		off, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(parts[0]), ":"), 16, 64)
		if err != nil {
			continue
		}
		at[int(off)] = dline{n: len(strings.Fields(parts[1])), text: parts[2]}
	}
	verdicts := make([]string, len(sus))
	for i, s := range sus {
		d, ok := at[i*slot]
		switch {
		case !ok:
			verdicts[i] = "objdump: no instruction"
		case d.n != len(s.code) || strings.Contains(d.text, "(bad)"):
			verdicts[i] = fmt.Sprintf("objdump: %d bytes: %s", d.n, d.text)
		default:
			regs := objdumpRegs(d.text)
			for _, a := range s.in.Args {
				if a.Kind != ir.RegOperand {
					continue
				}
				id, ok := goRegID(a.Reg)
				if ok && !regs[id] {
					verdicts[i] = fmt.Sprintf("objdump: register %s missing from %s", a.Reg, d.text)
					break
				}
			}
		}
	}
	return verdicts, nil
}

var objdumpRegRE = regexp.MustCompile(`%([a-z]+[0-9]*[a-z]?)(\(([0-7])\))?`)

// objdumpRegs returns the identities of the registers an AT&T-syntax
// instruction names.
func objdumpRegs(text string) map[regID]bool {
	gpr := []string{"ax", "cx", "dx", "bx", "sp", "bp", "si", "di"}
	out := map[regID]bool{}
	for _, m := range objdumpRegRE.FindAllStringSubmatch(text, -1) {
		name := m[1]
		var n int
		switch {
		case name == "st":
			n, _ = strconv.Atoi(m[3])
			out[regID{'f', n}] = true
		case name == "rip":
		case len(name) == 2 && name[1] == 's' && strings.Contains("csdsessfsgs", name):
			out[regID{'s', int(strings.ToUpper(name)[0])}] = true
		case strings.HasPrefix(name, "xmm"), strings.HasPrefix(name, "ymm"), strings.HasPrefix(name, "zmm"):
			n, _ = strconv.Atoi(name[3:])
			out[regID{name[0], n}] = true
		case strings.HasPrefix(name, "mm"):
			n, _ = strconv.Atoi(name[2:])
			out[regID{'m', n}] = true
		case strings.HasPrefix(name, "cr"):
			n, _ = strconv.Atoi(name[2:])
			out[regID{'C', n}] = true
		case strings.HasPrefix(name, "db"):
			n, _ = strconv.Atoi(name[2:])
			out[regID{'D', n}] = true
		case name[0] == 'k' && len(name) == 2:
			out[regID{'k', int(name[1] - '0')}] = true
		case name[0] == 'r' && len(name) >= 2 && name[1] >= '0' && name[1] <= '9':
			n, _ = strconv.Atoi(strings.TrimRight(name[1:], "bwdl"))
			out[regID{'g', n}] = true
		case len(name) == 2 && name[1] == 'h':
			out[regID{'h', strings.Index("acdb", name[:1])}] = true
		default:
			base := strings.TrimPrefix(strings.TrimPrefix(name, "r"), "e")
			base = strings.TrimSuffix(base, "l")
			if len(base) == 1 {
				base += "x"
			}
			for i, g := range gpr {
				if base == g || base == g[:1]+"l" {
					out[regID{'g', i}] = true
				}
			}
			switch name {
			case "spl", "bpl", "sil", "dil":
				out[regID{'g', 4 + strings.Index("spbpsidi", name[:2])/2}] = true
			}
		}
	}
	return out
}

// equivalent lists instructions whose encoding objdump names differently but
// that do what the source says: XCHG of AX with itself is NOP (0x90) in
// 16 and 64 bits, and UD1 (0F B9) raises #UD whatever follows it, as go
// tool asm encodes it.
var equivalent = map[string]bool{
	"XCHGQ AX, AX": true,
	"XCHGW AX, AX": true,
	"UD1":          true,
}
