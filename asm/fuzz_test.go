package asm

import (
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm/internal/asmtest"
	"github.com/jitrun/jitrun/asm/internal/x86enc"
	"golang.org/x/arch/x86/x86asm"
)

// FuzzAssemble feeds arbitrary Go-syntax text to Assemble. It must never
// panic, print or exit (golang-asm's log.Fatalf paths are hooked to fail
// the input instead of ending the process), and what it returns must hold
// together: lines, symbols and labels inside the code, lines in order and
// not overlapping, and a single instruction must decode to its own length.
// Seeds: every instruction line of Go's amd64enc.s, amd64enc_extra.s and
// amd64error.s, and a few whole programs.
func FuzzAssemble(f *testing.F) {
	for _, name := range []string{"amd64enc.s", "amd64enc_extra.s", "amd64error.s"} {
		data, err := os.ReadFile(goTestdata(f, name))
		if err != nil {
			f.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if text := strings.TrimSpace(strings.Split(line, "//")[0]); text != "" {
				f.Add(text)
			}
		}
	}
	f.Add("#define F(a, b) ADDQ a, b; \\\n\tINCQ b\nTEXT ·f(SB), NOSPLIT, $16\nloop: F($1, AX)\nJNE loop\nMOVQ c<>+8(SB), BX\nRET\nGLOBL c<>(SB), RODATA, $16\nDATA c<>+8(SB)/8, $(1.5)")
	f.Add("JMP 2(PC); NOP; x: LOOP x; PCALIGN $16; CALL x; BYTE $1")
	f.Add("MOVQ 0x28(FS), AX; ADDQ AX, 8(BX)(GS*1); XORB SPB, SPB; CRC32B SIB, AX; RET $8\nGLOBL z(SB), $0")
	defer asmtest.HookFatal()()
	f.Fuzz(func(t *testing.T, src string) {
		asmtest.FatalHit()
		p, err := Assemble(src)
		if hit := asmtest.FatalHit(); hit != "" {
			t.Fatalf("%q reached golang-asm's log.Fatalf: %s", src, hit)
		}
		if err != nil {
			if _, ok := err.(ErrorList); !ok || err.Error() == "" {
				t.Fatalf("%q: error %T %q is not a non-empty ErrorList", src, err, err)
			}
			if strings.Contains(err.Error(), "\n\n") {
				t.Fatalf("%q: empty error line in %q", src, err)
			}
			return
		}
		checkProgram(t, src, p)
	})
}

// checkProgram checks the invariants of an assembled program.
func checkProgram(t *testing.T, src string, p *Program) {
	n := len(p.Code)
	if !sort.SliceIsSorted(p.Lines, func(i, j int) bool { return p.Lines[i].Offset < p.Lines[j].Offset }) {
		t.Fatalf("%q: lines out of order: %+v", src, p.Lines)
	}
	end := 0
	for _, l := range p.Lines {
		if l.Offset < end || l.Len <= 0 || l.Offset+l.Len > n {
			t.Fatalf("%q: line %+v overlaps or leaves the code (%d bytes)", src, l, n)
		}
		end = l.Offset + l.Len
	}
	for _, s := range p.Symbols {
		if s.Offset < 0 || s.Size < 0 || s.Offset+s.Size > n {
			t.Fatalf("%q: symbol %+v outside the code (%d bytes)", src, s, n)
		}
		if !inSection(p.Sections, s) {
			t.Fatalf("%q: symbol %+v outside the sections of its kind %+v", src, s, p.Sections)
		}
	}
	checkSections(t, src, p)
	for _, l := range p.Labels {
		if l.Offset < 0 || l.Offset > n {
			t.Fatalf("%q: label %+v outside the code", src, l)
		}
	}
	// One instruction and nothing else: it must decode to its own length
	// when x86asm knows it.
	if len(p.Lines) == 1 && len(p.Symbols) == 1 && p.Lines[0].Len == n {
		d, err := x86asm.Decode(p.Code, 64)
		if err == nil && d.Op != 0 && d.Len != n && !isDataOrPrefixText(p.Lines[0].Text) {
			t.Fatalf("%q: encoded %x (%d bytes) decodes as %v (%d bytes)", src, p.Code, n, d, d.Len)
		}
	}
}

// checkSections checks that the sections follow each other inside the
// code, that the read-only one starts at a multiple of SectionAlign, and
// that the writable one does too and runs to the end.
func checkSections(t *testing.T, src string, p *Program) {
	end := 0
	for _, s := range p.Sections {
		if s.Offset < end || s.Size < 0 || s.Offset+s.Size > len(p.Code) {
			t.Fatalf("%q: section %+v overlaps or leaves the code (%d bytes): %+v", src, s, len(p.Code), p.Sections)
		}
		end = s.Offset + s.Size
		if s.Kind == SymData && (s.Offset%SectionAlign != 0 || end != len(p.Code)) {
			t.Fatalf("%q: writable section %+v not page-aligned or not at the end of %d bytes", src, s, len(p.Code))
		}
		if s.Kind == SymRodata && (s.Offset%SectionAlign != 0 || s.Offset != p.RodataStart()) {
			t.Fatalf("%q: read-only section %+v not page-aligned or not at RodataStart %d", src, s, p.RodataStart())
		}
	}
	if ws := p.WritableStart(); ws > len(p.Code) || ws < end && p.Sections[len(p.Sections)-1].Kind != SymData {
		t.Fatalf("%q: WritableStart %d with sections %+v", src, ws, p.Sections)
	}
}

// inSection reports whether a symbol lies in a section of its kind.
func inSection(sections []Section, s Symbol) bool {
	for _, sec := range sections {
		if sec.Kind == s.Kind && sec.Offset <= s.Offset && s.Offset+s.Size <= sec.Offset+sec.Size {
			return true
		}
	}
	return false
}

func isDataOrPrefixText(text string) bool {
	f := strings.Fields(strings.ReplaceAll(text, ";", " "))
	for _, w := range f {
		if asmtest.IsDataOrPrefix(w) {
			return true
		}
	}
	return len(f) == 0
}

// FuzzEncode builds instructions straight in the IR from fuzz bytes, as a
// Builder or the Intel front end could, with any mnemonic and any operand
// values (registers out of range, odd scales, huge displacements), and
// encodes them: the encoder must answer with bytes or an error, never a
// panic or an exit.
func FuzzEncode(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte("\x10\x02\x01\x11\x00\x05\x03\xff\x40"))
	f.Add([]byte("VGATHER\x05\x05\x05"))
	ops := x86enc.Mnemonics()
	suffixes := []string{"", "Z", "BCST", "SAE", "RN_SAE", "RZ_SAE.Z"}
	regs := []Reg{0, AX, R8, AL, AH, SPB, SIB, X0, X16, Y1, Z31, K0, K1, M0, F0, CS, FS, GS, CR0, CR9, DR7, TR0, regTLS(), Reg(9999), -1}
	defer asmtest.HookFatal()()
	f.Fuzz(func(t *testing.T, data []byte) {
		asmtest.FatalHit()
		next := func() int {
			if len(data) == 0 {
				return 0
			}
			b := data[0]
			data = data[1:]
			return int(b)
		}
		var stmts []Stmt
		for len(data) > 0 && len(stmts) < 8 {
			in := &Inst{Source: Source{Pos: Pos{File: "fuzz", Line: len(stmts) + 1}}, Op: ops[(next()<<8|next())%len(ops)]}
			if s := next(); s%4 == 0 {
				in.Suffix = suffixes[s/4%len(suffixes)]
			}
			for n := next() % 6; n > 0; n-- {
				var a Operand
				a.Kind = OperandKind(next() % 10)
				a.Reg = regs[next()%len(regs)]
				a.Index = regs[next()%len(regs)]
				a.RegHi = regs[next()%len(regs)]
				a.Scale = int64(next() % 10)
				a.Disp = int64(int8(next())) << (next() % 48)
				a.Imm = int64(int8(next())) << (next() % 64)
				if next()%3 == 0 {
					a.Sym = "x"
				}
				switch k := next(); k % 8 {
				case 1:
					a.PCRel = true
				case 2:
					a.Seg = regs[k/8%len(regs)]
				}
				a.Float = float64(next())
				in.Args = append(in.Args, a)
			}
			stmts = append(stmts, in)
			if next()%4 == 0 {
				stmts = append(stmts, &LabelDef{Source: in.Source, Name: "x"})
			}
		}
		stmts = append(stmts, &GloblDef{Source: Source{Pos: Pos{File: "fuzz", Line: 99}}, Name: "x", Size: 8, Align: int64(next() % 9)})
		p, errs := encode("fuzz", stmts)
		if hit := asmtest.FatalHit(); hit != "" {
			t.Fatalf("reached golang-asm's log.Fatalf: %s", hit)
		}
		if (p == nil) != (errs.Len() > 0) {
			t.Fatalf("encode returned a Program %v with %d errors", p != nil, errs.Len())
		}
		if p != nil {
			checkProgram(t, "(IR)", p)
		}
	})
}

func regTLS() Reg {
	r, _ := LookupReg("TLS")
	return r
}
