package intel

import (
	"slices"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm/internal/asmtest"
	"github.com/jitrun/jitrun/asm/internal/ir"
)

// byNameLines differ only in which register or immediate an operand is,
// where a form fixes one (shl eax, 1; in al, dx; fst st0): a match
// made by signature, which holds no names, would read them wrong.
var byNameLines = []string{
	"shl eax, 1", "shl eax, 2", "shl eax, cl", "shl eax, dl", "shl byte ptr [rax], 1", "shl byte ptr [rax], 3", "rol rbx, 1", "rol rbx, 0x1",
	"in al, dx", "in al, 5", "in eax, dx", "in ax, dx", "out dx, al", "out 5, al", "out dx, eax", "in al, cx",
	"fst st0", "fst st1", "fst st(0)", "fst st(1)", "fstp st0", "fstp st(2)", "fadd st0, st1", "fadd st1, st0", "fadd st, st(1)", "fadd st(1), st",
	"fsub st0, st3", "fsub st3, st0", "fsubp st1, st0", "fdivr st0, st2", "fdivr st2, st0", "fxch st1", "fxch st(3)", "fcom st1", "fucomi st0, st1",
	"xchg eax, eax", "xchg eax, ebx", "xchg ebx, eax", "xchg rax, rcx", "xchg ax, bx", "xchg ax, ax", "xchg r8d, eax",
	"int 3", "int 4", "int3", "enter 8, 0", "enter 8, 1", "ret 8", "ret", "push 1", "push 1000",
	"mov eax, 1", "mov al, 1", "mov rax, 1", "mov rax, 0x1122334455667788", "mov rax, -1", "mov qword ptr [rax], -1",
	"test al, 1", "test eax, 1", "test ecx, 1", "add al, 1", "add cl, 1", "add ax, 1", "add rax, 1", "add rcx, 1", "add rcx, 1000",
	"movsb", "movs byte ptr [rdi], byte ptr [rsi]", "lodsb", "lods al, byte ptr [rsi]", "stos byte ptr [rdi], al", "scasb", "cmpsd",
	"xlat", "xlat byte ptr [rbx]", "vcmpltps xmm1, xmm2, xmm3", "vcmpleps xmm1, xmm2, xmm3", "vcmpps xmm1, xmm2, xmm3, 1",
	"vpcmpltud k1, zmm2, zmm3", "vpcmpud k1, zmm2, zmm3, 1", "vpcmpud k1, zmm2, zmm3, 2",
	"vaddps zmm1, zmm2, [rax]{1to16}", "vaddps zmm1, zmm2, dword ptr [rax]{1to16}", "vaddps zmm1, zmm2, [rax]", "vaddps zmm1, zmm2, zmmword ptr [rax]",
	"vgatherdps zmm1{k1}, [rax+zmm2*4]", "vgatherdps ymm1{k1}, [rax+ymm2*4]", "vgatherqps ymm1{k1}, [rax+zmm2*4]", "vgatherdps zmm1{k1}, [rax+ymm2*4]",
	"mov eax, [rax]", "mov ax, [rax]", "movzx eax, byte ptr [rax]", "movzx eax, word ptr [rax]", "movzx eax, [rax]", "inc [rax]", "inc dword ptr [rax]",
	"mov eax, rbx", "mov ax, ebx", "lea rax, [rax]", "lea rax, [rax+rbx*8+16]", "mov cr0, rax", "mov rax, cr3", "mov ax, fs", "mov fs, ax",
}

// TestMatchCache checks that matching by signature (matchcache.go)
// changes nothing: every line of the oracle corpora, and of lines that
// differ only in what matching reads by name, reads the same in one
// source (in order and reversed) as when every instruction is matched
// as matchForm does.
func TestMatchCache(t *testing.T) {
	sources := map[string][]string{"by name": byNameLines, "edges": fastEdges}
	for _, name := range corpora {
		sources[name] = strings.Split(corpusText(t, name), "\n")
	}
	for name, lines := range sources {
		rev := slices.Clone(lines)
		slices.Reverse(rev)
		for order, src := range map[string]string{"in order": strings.Join(lines, "\n"), "reversed": strings.Join(rev, "\n")} {
			t.Run(name+"/"+order, func(t *testing.T) {
				asmtest.CompareReads(t, "matched by signature", readAll(src, Options{}, readMode{}), "without", readAll(src, Options{}, readMode{noCache: true}))
			})
		}
	}
}

// TestMatchCacheHits checks which instructions the signatures match
// (the others matchForm matches): those whose signature one form fits,
// or several the same way or with a pick not left open.
func TestMatchCacheHits(t *testing.T) {
	for _, c := range []struct {
		line string
		hit  bool
	}{
		{"mov rax, rbx", true}, {"mov rax, [rsp+8]", true}, {"mov eax, [rax]", true}, {"add rax, 1", true},
		{"vpternlogd zmm1, zmm2, zmm3, 1", true}, {"vaddps zmm1{k1}, zmm2, [rax]{1to16}", true},
		{"vgatherdps zmm1{k1}, [rax+zmm2*4]", true}, {"lea rax, [rax+rbx*8+16]", true},
		{"shl eax, 1", false},       // a form fixes an operand
		{"movzx eax, [rax]", false}, // byte or word: left open
		{"inc [rax]", false},        // every size: left open
		{"mov eax, rbx", false},     // no form fits
		{"vaddps zmm1, zmm2, xmm3", false},
	} {
		p := newParser("t.s", Options{}, readMode{}, nil, 1, 1)
		p.run(c.line)
		if len(p.errs.List()) > 0 != !c.hit && c.line != "shl eax, 1" {
			t.Errorf("%s: errors %v", c.line, p.errs.List())
		}
		mnem, _, _ := strings.Cut(c.line, " ")
		p.lineText = c.line
		ops, _, _, ok := p.instructionOperands(itok{}, lexLine(t, c.line[len(mnem):]))
		if !ok {
			t.Fatalf("%s: operands not read", c.line)
		}
		sig, ok := opSignature(ops)
		info := lookupMnem(mnem)
		hit := ok && !info.fixes && intelTable.bySig.find(info, sig) != nil
		if hit != c.hit {
			t.Errorf("%s: matched by signature %v, want %v", c.line, hit, c.hit)
		}
	}
}

// lexLine returns the tokens of text.
func lexLine(t *testing.T, text string) []itok {
	toks, _, _, msg := lexIntelLine(text)
	if msg != "" {
		t.Fatalf("%q: %s", text, msg)
	}
	return toks
}

// TestSigTable checks the form table matched by signature against
// matching itself, signature by signature: for every form of a mnemonic
// that fixes no operand, operands of every signature that fits it (by
// classMatches, the definition) are matched by matchFormOf, which picks
// the form the signature table holds, or reports that the pick is left
// open where it holds none.
func TestSigTable(t *testing.T) {
	intelForms()
	regs := map[uint64]string{ir.IntelR8: "cl", ir.IntelR16: "cx", ir.IntelR32: "ecx", ir.IntelR64: "rcx", ir.IntelXMM: "xmm1",
		ir.IntelYMM: "ymm1", ir.IntelZMM: "zmm1", ir.IntelK: "k1", ir.IntelMM: "mm1", ir.IntelST: "st1", ir.IntelSreg: "fs",
		ir.IntelCR: "cr2", ir.IntelDR: "dr1"}
	sizes := []int{0, 8, 16, 32, 48, 64, 80, 128, 256, 512}
	bcsts := []int{0, 2, 4, 8, 16, 32, 64}
	vsibs := []string{"", "xmm2", "ymm2", "zmm2"}
	// operandOf makes an operand of each code of operandCodes.
	operandOf := func(code uint64) *intelOperand {
		switch code & 3 {
		case 1:
			return &intelOperand{kind: iopReg, reg: lookupReg(regs[code>>2])}
		case 3:
			return &intelOperand{kind: iopImm, imm: 1}
		}
		return &intelOperand{kind: iopMem, base: lookupReg("rbx"), index: lookupReg(vsibs[code>>9&3]), scale: 1,
			size: sizes[code>>2&15], bcst: bcsts[code>>6&7]}
	}
	checked, picked := 0, 0
	seen := map[uint64]bool{}
	for _, mnem := range intelTable.names {
		info := lookupMnem(mnem)
		if len(info.forms) > 1<<slotFormBits || info.id >= 1<<15 {
			// Correct still (matchFormOf), but a slot has no room for
			// the form's place or the mnemonic's number.
			t.Errorf("%s (number %d) has %d forms: a slot holds places up to %d", mnem, info.id, len(info.forms), 1<<slotFormBits-1)
		}
		if info.fixes {
			continue
		}
		for _, f := range info.forms {
			if len(f.cls()) > sigOps {
				continue
			}
			var each func(ops []*intelOperand)
			each = func(ops []*intelOperand) {
				if i := len(ops); i < len(f.classes()) {
					for _, code := range operandCodes {
						if o := operandOf(code); classMatches(f.classes()[i], o) {
							each(append(ops[:i:i], o))
						}
					}
					return
				}
				sig, ok := opSignature(ops)
				if !ok || seen[sigKey(info.id, sig)] {
					return
				}
				seen[sigKey(info.id, sig)] = true
				p := newParser("t.s", Options{}, readMode{noCache: true}, nil, 1, 1)
				want, ok := p.matchFormOf(mnem, info.forms, 1, ops)
				got := intelTable.bySig.find(info, sig)
				checked++
				if got != nil {
					picked++
				}
				if ok && got != want || !ok && got != nil {
					t.Errorf("%s %x: the signatures pick %v, matching %v (%v)", mnem, sig, got, want, p.errs.List())
				}
			}
			each(nil)
		}
	}
	if checked < 5000 || picked < checked/2 {
		t.Errorf("%d signatures checked, %d picked: the table or this test lost its forms", checked, picked)
	}
}

// FuzzMatchCache checks TestMatchCache's property on any source: matched
// by signature or as matchForm does, it makes the same statements,
// spellings and errors.
func FuzzMatchCache(f *testing.F) {
	for i := 0; i+1 < len(byNameLines); i++ {
		f.Add(byNameLines[i] + "\n" + byNameLines[i+1])
		f.Add(byNameLines[i+1] + "\n" + byNameLines[i])
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 4096 {
			return
		}
		cached, fresh := readAll(src, Options{}, readMode{}), readAll(src, Options{}, readMode{noCache: true})
		if a, b := strings.Join(cached, "\n\t"), strings.Join(fresh, "\n\t"); a != b {
			t.Fatalf("%q:\n matched by signature\n\t%s\n without\n\t%s", src, a, b)
		}
	})
}

// TestRegClassCodes checks that the class codes of the register numbers
// (ir.IntelRegID.ClassCode), which operand signatures hold, number the
// classes as regClassCode does, which the compiled classes hold; and
// that an operand's register is the one its name says.
func TestRegClassCodes(t *testing.T) {
	for _, name := range []string{"al", "ah", "r15b", "ax", "eax", "rax", "r8", "xmm0", "ymm31", "zmm7", "k1", "mm0", "st", "st7", "fs", "cr8", "dr7", "rip", "RAX", "nope", ""} {
		r := lookupReg(name)
		want, ok := ir.LookupIntelReg(name)
		if (r.ID != 0) != ok || r.Reg != want.Reg || r.Class() != want.Class || r.Name() != want.Name {
			t.Errorf("lookupReg(%q) = %+v (%s %s), want %+v", name, r, r.Class(), r.Name(), want)
		}
		if got := uint64(r.Code); got != regClassCode(want.Class) {
			t.Errorf("%s: class code %d, regClassCode(%q) = %d", name, got, want.Class, regClassCode(want.Class))
		}
	}
}
