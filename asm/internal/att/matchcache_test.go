package att

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// stmtText writes out what a statement asks the encoder for, every field
// but its position.
func stmtText(st ir.Stmt) string {
	switch s := st.(type) {
	case *ir.Inst:
		return fmt.Sprintf("inst %s.%s %+v", s.Op, s.Suffix, s.Args)
	case *ir.BytesDef:
		return fmt.Sprintf("bytes %x", s.Bytes)
	case *ir.LabelDef:
		return "label " + s.Name
	}
	return fmt.Sprintf("%T %+v", st, st)
}

// parseMatching is Parse, matching every signature itself (without the
// generated table, genSigSlots) when noSigTable.
func parseMatching(src []byte, noSigTable bool) ([]ir.Stmt, *ir.Errors) {
	p := newParser("t.s", src, Options{}, false, len(src)/16+8)
	p.noSigTable = noSigTable
	p.run(string(src))
	return p.stmts, &p.errs
}

// readAlone parses each line as a source of its own (no match to
// remember from another line), matching each itself (not by the
// generated table), and returns, by line, its statements and errors
// (column and message).
func readAlone(lines []string) [][]string {
	out := make([][]string, len(lines))
	for i, l := range lines {
		stmts, errs := parseMatching([]byte(l), true)
		for _, st := range stmts {
			out[i] = append(out[i], stmtText(st))
		}
		for _, e := range errs.List() {
			out[i] = append(out[i], fmt.Sprintf("error %d: %s", e.Pos.Col, e.Msg))
		}
	}
	return out
}

// readTogether parses the lines as one source (matching by the
// generated table where it can), and returns what readAlone does.
func readTogether(lines []string) [][]string {
	out := make([][]string, len(lines))
	stmts, errs := Parse("t.s", []byte(strings.Join(lines, "\n")), Options{})
	for _, st := range stmts {
		var line int
		switch s := st.(type) {
		case *ir.Inst:
			line = s.Pos.Line
		case *ir.BytesDef:
			line = s.Pos.Line
		case *ir.LabelDef:
			line = s.Pos.Line
		}
		out[line-1] = append(out[line-1], stmtText(st))
	}
	for _, e := range errs.List() {
		out[e.Pos.Line-1] = append(out[e.Pos.Line-1], fmt.Sprintf("error %d: %s", e.Pos.Col, e.Msg))
	}
	return out
}

// TestMatchCache checks that the matches a parser remembers and the
// generated table (matchcache.go) change nothing: every line of the
// oracle corpora, and of sources whose lines differ only in what match
// reads by name or by size, reads the same in one source (in order and
// reversed, so that each line may hit a match another line left) as
// alone, matched by match itself.
func TestMatchCache(t *testing.T) {
	sources := map[string][]string{
		"by name": {
			"fsub %st(1), %st", "fsub %st, %st(1)", "fsubp %st, %st(1)", "fdiv %st(2), %st", "fdiv %st, %st(2)", "fdivr %st, %st(3)",
			"fsubrp %st, %st(1)", "fadd %st(0), %st", "fst %st(0)", "fst %st(1)", "fstp %st(1)",
			"movsb %ds:(%rsi), %es:(%rdi)", "movsl %ds:(%rsi), %es:(%rdi)", "movsb (%rax), %cx", "movsb", "movsl", "movsq",
			"lods %ds:(%rsi), %al", "lods %ds:(%rsi), %eax", "lods %ds:(%rsi), %rax", "lodsb %ds:(%rsi), %al", "lods (%rdi), %al",
			"stos %al, %es:(%rdi)", "stos %ax, %es:(%rdi)", "scas %es:(%rdi), %al", "cmpsb %es:(%rdi), %ds:(%rsi)",
			"ins (%dx), %es:(%rdi)", "insb (%dx), %es:(%rdi)", "outsl %ds:(%rsi), (%dx)", "outs %ds:(%rsi), (%dx)",
			"xlat %ds:(%rbx)", "xlatb %ds:(%rbx)", "xlat (%rbx)", "xlat 8(%rbx)", "xlat (%rcx)",
			"shll %eax", "shll $2, %eax", "shl %eax", "shl %cl, %eax", "shll %cl, %eax", "rol %rbx", "rolq (%rax)", "sal %edx", "sarb 4(%rsp)",
			"vcmpltps %xmm1, %xmm2, %xmm3", "vcmpeqps %xmm1, %xmm2, %xmm3", "vcmpltps %ymm1, %ymm2, %ymm3", "cmpltsd %xmm1, %xmm2",
			"vpcmpltud %zmm1, %zmm2, %k3", "pclmullqhqdq %xmm1, %xmm2", "pclmulhqhqdq %xmm1, %xmm2", "vpclmullqlqdq %xmm1, %xmm2, %xmm3",
			"monitor %rax, %ecx, %edx", "monitor %rax, %rcx, %rdx", "mwait %eax, %ecx", "mwait %ebx, %ecx", "mwait %esi, %ecx", "monitor %rsi, %ecx, %edx",
			"inb (%dx), %al", "inb %dx, %al", "inl %dx, %eax", "in $0x60, %al", "outb %al, (%dx)", "outw %ax, %dx", "out %eax, $0x80",
			"in %dx, %al", "in %dx, %ax", "in %dx, %eax",
			"xchg %eax, %ecx", "xchg %ecx, %eax", "xchg %eax, %eax", "xchg %ebx, %ecx", "xchg %rax, %r8", "xchg %r8, %rax",
			"test %al, %bl", "test $1, %al", "test $1, %bl", "test $1, %eax", "test $1, %ecx",
			"add $1, %al", "add $1, %cl", "add $1, %ax", "add $1, %eax", "add $1, %rax", "add $1, %r8",
			"pblendvb %xmm0, %xmm1, %xmm2", "pblendvb %xmm3, %xmm1, %xmm2", "blendvps %xmm0, (%rax), %xmm2", "sha256rnds2 %xmm0, %xmm1, %xmm2",
			"sha256rnds2 %xmm1, %xmm1, %xmm2", "xlat (%rbx,%rcx)", "xlat (%rbx,%rcx,1)", "lods (%rsi,%rcx), %al", "lods (%rsi), %al",
			"lods sym(%rip), %al", "xlat 0(%rbx)",
		},
		"by size": {
			"add (%rax), %eax", "addl $1, (%rax)", "addq $1, (%rax)", "addb $1, (%rax)", "add $1, (%rax)", "addw $1, (%rax)",
			"movzbl (%rax), %ecx", "movzwl (%rax), %ecx", "movzx (%rax), %ecx", "movzbl %al, %ecx", "movsbq (%rax), %rcx", "movslq (%rax), %rcx",
			"movswl (%rax), %ecx", "movsbw (%rax), %cx", "movsl (%rax), %rcx",
			"larl (%rbx), %edx", "larw (%rbx), %dx", "lfsl (%rbx), %edx", "lfsq (%rbx), %rdx",
			"fildl (%rax)", "fildll (%rax)", "filds (%rax)", "fild (%rax)", "flds (%rax)", "fldl (%rax)", "fldt (%rax)", "fld (%rax)",
			"fistpll (%rax)", "fistpq (%rax)", "fisttpll 8(%rax)", "fadds (%rax)", "faddl (%rax)", "fiaddl (%rax)", "fiadds (%rax)",
			"push (%rax)", "pushq (%rax)", "pushw (%rax)", "call *(%rax)", "jmp *(%rax)", "jmpq *(%rax)", "call *%rax",
			"vcvtpd2ps (%rax), %xmm0", "vcvtpd2psx (%rax), %xmm0", "vcvtpd2psy (%rax), %xmm0", "vcvtpd2ps (%rax){1to4}, %xmm0",
			"vcvtpd2ps (%rax){1to8}, %ymm0", "vcvtpd2psx (%rax){1to2}, %xmm0", "vcvtpd2psy (%rax){1to4}, %xmm0",
			"vaddps (%rax){1to16}, %zmm1, %zmm2", "vaddps (%rax){1to8}, %ymm1, %ymm2", "vaddps (%rax), %zmm1, %zmm2",
			"vgatherdps %xmm1, (%rax,%xmm2,4), %xmm3", "vgatherdps %ymm1, (%rax,%ymm2,4), %ymm3", "vpgatherdd (%rax,%zmm2,4), %zmm3{%k1}",
			"vpgatherqd (%rax,%zmm2,4), %ymm3{%k1}", "vpgatherqd (%rax,%ymm2,4), %xmm3{%k1}", "vpgatherqd (%rax,%ymm2,4), %ymm3{%k1}",
			"movl (%rax,%rcx,4), %eax", "movl (%rax,%xmm1,4), %eax", "vpgatherdq (%rax,%xmm2,4), %ymm3{%k1}", "vpgatherdq (%rax,%ymm2,4), %ymm3{%k1}",
			"cvtsi2sd (%rax), %xmm0", "cvtsi2sdl (%rax), %xmm0", "cvtsi2sdq (%rax), %xmm0", "cvtsi2sd %eax, %xmm0", "cvtsi2sd %rax, %xmm0",
			"inc (%rax)", "incl (%rax)", "incq (%rax)", "incb (%rax)", "incl %eax", "incl %ax", "incw %ax",
			"movabs $0x1122334455667788, %rax", "movabs $0x1122334455667788, %rcx", "movabs $1, %rax", "movabsq $2, %r9",
			"lock addl $1, (%rax)", "lock incl (%rax)", "lock incl %eax", "rep movsb", "repne scasb",
			"addl $1, (%rax,%rbx)", "addl $1, 8(%rax)", "addl $1, (,%rbx,2)", "vcmpltps (%rax,%rcx), %xmm2, %xmm3", "vcmpltps (%rax), %xmm2, %xmm3",
			"vaddps (%rax,%rcx,4){1to16}, %zmm1, %zmm2", "vaddps 64(%rsp){1to16}, %zmm1, %zmm2", "shll (%rax,%rcx)", "shrq $3, (%rax,%rcx)",
		},
	}
	for _, name := range corpora {
		var lines []string
		for _, l := range strings.Split(corpusText(t, name), "\n") {
			if l = strings.TrimSpace(l); l != "" && l[0] != '#' {
				lines = append(lines, l)
			}
		}
		sources[name] = lines
	}
	for name, lines := range sources {
		t.Run(name, func(t *testing.T) {
			alone := readAlone(lines)
			reversed := slices.Clone(lines)
			slices.Reverse(reversed)
			for _, order := range []struct {
				name  string
				lines []string
			}{{"in order", lines}, {"reversed", reversed}} {
				together := readTogether(order.lines)
				if order.name == "reversed" {
					slices.Reverse(together)
				}
				bad := 0
				for i, l := range lines {
					if a, b := strings.Join(alone[i], "\n\t"), strings.Join(together[i], "\n\t"); a != b && bad < 20 {
						bad++
						t.Errorf("%s, %s: %s:\n alone\n\t%s\n in one source\n\t%s", name, order.name, l, a, b)
					}
				}
			}
		})
	}
}

// FuzzMatchCache checks TestMatchCache's property on sources the fuzzer
// makes: a few instructions (no labels, constants, directives or ., whose
// meaning depends on the lines around them) read the same in one source
// as each alone, matched by match itself.
func FuzzMatchCache(f *testing.F) {
	for _, pair := range [][2]string{
		{"add $1, %al", "add $1, %cl"},
		{"fsub %st(1), %st", "fsub %st(2), %st"},
		{"lods %ds:(%rsi), %al", "lods %ds:(%rdi), %al"},
		{"xlat (%rbx)", "xlat (%rcx)"},
		{"shll %eax", "shll %ecx"},
		{"mwait %eax, %ecx", "mwait %esi, %ecx"},
		{"movzbl (%rax), %ecx", "movzwl (%rax), %ecx"},
		{"vaddps (%rax){1to16}, %zmm1, %zmm2", "vaddps (%rax), %zmm1, %zmm2"},
		{"vpgatherqd (%rax,%zmm2,4), %ymm3{%k1}", "vpgatherqd (%rax,%ymm2,4), %ymm3{%k1}"},
		{"pblendvb %xmm0, %xmm1, %xmm2", "pblendvb %xmm3, %xmm1, %xmm2"},
		{"in %dx, %al", "in %cx, %al"},
		{"vcmpltps %xmm1, %xmm2, %xmm3", "vcmpltps %ymm1, %ymm2, %ymm3"},
	} {
		f.Add(pair[0] + "\n" + pair[1] + "\n" + pair[0])
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 1024 {
			return
		}
		lines := strings.Split(src, "\n")
		if len(lines) > 8 {
			return
		}
		for _, l := range lines {
			mnem, ops, _ := strings.Cut(strings.TrimSpace(l), " ")
			ops = strings.TrimSpace(ops)
			if strings.ContainsAny(mnem, ":.{") || strings.HasPrefix(ops, ":") || strings.ContainsAny(l, "=;\"'/#\r\x00") || strings.Contains(ops, ".") {
				return // a label, a directive, a constant, ., a comment, a string
			}
		}
		alone, together := readAlone(lines), readTogether(lines)
		for i, l := range lines {
			if a, b := strings.Join(alone[i], "\n\t"), strings.Join(together[i], "\n\t"); a != b {
				t.Fatalf("%q: %q:\n alone\n\t%s\n in one source\n\t%s", src, l, a, b)
			}
		}
	})
}

// TestKeyString checks that the keys keyString copies into its blocks
// keep their bytes: across a block's end, for a key longer than a block,
// and while the buffer they were made in is written again.
func TestKeyString(t *testing.T) {
	for _, c := range []struct {
		name string
		lens []int
	}{
		{"one block", []int{1, 17, 40}},
		{"across blocks", slices.Repeat([]int{33, 7, 250}, 100)},
		{"longer than a block", []int{10, keyChunk + 5, 3, keyChunk, 1}},
		{"empty", []int{0, 5, 0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := newParser("t.s", nil, Options{}, false, 8)
			var buf []byte
			var want, got []string
			for i, n := range c.lens {
				buf = buf[:0]
				for j := range n {
					buf = append(buf, byte(i*31+j))
				}
				want = append(want, string(buf))
				got = append(got, p.keyString(buf))
				clear(buf) // the caller's scratch, written again
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("key %d (%d bytes) reads %q later, want %q", i, len(want[i]), got[i], want[i])
				}
			}
		})
	}
}

// TestPackMnem checks that packMnem, which reads words past the
// mnemonic when the source has them, packs a mnemonic as packSig packs
// it byte by byte: for every length, where the source ends right after
// it and where it goes on.
func TestPackMnem(t *testing.T) {
	const name = "vpbroadcastmw2dq"
	for n := 1; n <= len(name); n++ {
		mnem := name[:n]
		want, ok := packSig(mnem, mnemKey{}, nil)
		if !ok {
			t.Fatalf("%q does not pack", mnem)
		}
		for _, after := range []string{"", " ", " %rax, %rbx\nmovq %rcx, %rdx\n" + strings.Repeat("x", 20)} {
			for _, before := range []string{"", "\t", "    "} {
				wide := before + mnem + after
				mk := packMnem(wide, len(before), len(before)+n)
				got, _ := packSig(mnem, mk, nil)
				if got != want || mk.lo != want[0] || mk.hi != want[1] {
					t.Errorf("packMnem(%q, %d, %d) = %#x %#x, want %#x %#x", wide, len(before), len(before)+n, mk.lo, mk.hi, want[0], want[1])
				}
			}
		}
	}
}

// TestPackSig checks that the signatures packSig packs tell two
// instructions apart exactly when their level-0 keys (matchKey) do, and
// that it packs none matchKey does not remember, over mnemonics and
// operands at the edges of what packs.
func TestPackSig(t *testing.T) {
	var opsList []*operand
	for _, c := range []uint8{0, 1, 4, 16, 31, 32, 255} {
		opsList = append(opsList, &operand{kind: oReg, class: c})
	}
	opsList = append(opsList, &operand{kind: oImm}, &operand{kind: oImm, imm: 7}, &operand{kind: oLabel})
	for _, size := range []int{0, 8, 12, 80, 2048, -8} {
		for _, bcst := range []int{0, 2, 3, 16, 32, 128, 255, 256} {
			for _, ic := range []uint8{0, 3, 4, 6, 7, 8} {
				opsList = append(opsList, &operand{kind: oMem, size: size, bcst: bcst, indexClass: ic})
			}
		}
	}
	mnems := []string{"add", "addq", "movabsq", "movabs", "vpbroadcastmw2d", "vpbroadcastmw2dq", "vgf2p8affineinvqb", "a", "ad"}
	type inst struct {
		key string
		sig sigKey
	}
	var packed []inst
	rng := rand.New(rand.NewPCG(1, 2))
	packable := slices.IndexFunc(opsList, func(o *operand) bool { return o.kind == oMem && o.size != 0 })
	triedAfter := [maxSigOps + 1]int{len(opsList), 12, 6, 4, 3} // by the operands before
	for _, m := range mnems {
		var visit func(ops []*operand)
		visit = func(ops []*operand) {
			key, ok := matchKey(nil, m, ops, 0)
			sig, packs := packSig(m, mnemKey{}, ops)
			if packs && !ok {
				t.Errorf("%s %d operands: packs, matchKey does not remember it", m, len(ops))
			}
			if packs {
				packed = append(packed, inst{string(key), sig})
			}
			if len(ops) == maxSigOps+1 {
				return
			}
			// Every operand first; then, the more operands, the fewer
			// tried after them, picked at random (a fixed seed: the same
			// ones every run), three in four among those that pack (a
			// memory operand packs only without a size: the first
			// packable of opsList).
			n := triedAfter[len(ops)]
			for j := range n {
				i := j
				switch {
				case n == len(opsList):
				case rng.IntN(4) > 0:
					i = rng.IntN(packable)
				default:
					i = rng.IntN(len(opsList))
				}
				visit(append(ops[:len(ops):len(ops)], opsList[i]))
			}
		}
		visit(nil)
	}
	bySig := map[sigKey]string{}
	byKey := map[string]sigKey{}
	for _, in := range packed {
		if k, ok := bySig[in.sig]; ok && k != in.key {
			t.Fatalf("keys %q and %q pack to the same signature", k, in.key)
		}
		if s, ok := byKey[in.key]; ok && s != in.sig {
			t.Fatalf("key %q packs to %x and %x", in.key, s, in.sig)
		}
		bySig[in.sig], byKey[in.key] = in.key, in.sig
	}
	t.Logf("%d signatures packed", len(bySig))
	if len(bySig) < 10000 {
		t.Errorf("only %d signatures packed", len(bySig))
	}
}
