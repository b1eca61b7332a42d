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
// remembered under a signature without names would read them wrong.
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

// TestMatchCache checks that the matches a parser remembers
// (matchcache.go) change nothing: every line of the oracle corpora, and
// of lines that differ only in what matching reads by name, reads the
// same in one source (in order and reversed, so that each line may hit
// a match another line left) as when every match is made afresh.
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
				asmtest.CompareReads(t, "with matches remembered", readAll(src, Options{}, readMode{}), "without", readAll(src, Options{}, readMode{noCache: true}))
			})
		}
	}
}

// TestMatchCacheHits checks that the parser remembers the matches it
// should: one per kind of instruction, not one per line.
func TestMatchCacheHits(t *testing.T) {
	for _, c := range []struct {
		src  string
		want int
	}{
		{"mov rax, rbx\nmov rcx, rdx\nmov r8, r9", 1},
		{"mov rax, [rsp+8]\nmov rcx, [rbp-16]\nmov eax, [rax]", 2},
		{"add rax, 1\nadd rcx, 5\nadd rax, rbx", 2},
		{"shl eax, 1\nshl ecx, 1\nshl eax, 2", 0},
		{"vpternlogd zmm1, zmm2, zmm3, 1\nvpternlogd zmm1, zmm2, zmm3, 2", 1},
		{"vfmadd132ps zmm1{k1}, zmm2, zmm3, {rn-sae}\nvaddps zmm1, zmm2, zmm3, {rz-sae}", 2},
		{"vaddps zmm1{k1}, zmm2, [rax]{1to16}\nvaddps zmm3{k2}{z}, zmm4, [rbx+8]{1to16}", 1},
		{"mov rax, rbx\nmov rax, 5\nmov eax, zzz", 2},
	} {
		p := &parser{file: "t.s", equs: map[string]ival{}, dataLabels: map[string]dataLabel{}, codeLabels: map[string]ir.Pos{}, mem: newStmtMemory()}
		p.run(c.src)
		n := 0
		for _, slot := range p.matches {
			if slot.key != 0 {
				n++
			}
		}
		if n != c.want {
			t.Errorf("%q: %d matches remembered, want %d", c.src, n, c.want)
		}
	}
}

// FuzzMatchCache checks TestMatchCache's property on any source: read
// with the matches remembered or each made afresh, it makes the same
// statements, spellings and errors.
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
			t.Fatalf("%q:\n with matches remembered\n\t%s\n without\n\t%s", src, a, b)
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
