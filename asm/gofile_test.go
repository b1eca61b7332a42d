package asm

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// goAsmSymbol is one symbol of `go tool asm -S` output: its bytes and the
// relocations the Go linker would apply.
type goAsmSymbol struct {
	code   []byte
	relocs []goAsmReloc
}

type goAsmReloc struct {
	off, size int
	typ, sym  string
	add       int64
}

var (
	goAsmHexRE = regexp.MustCompile(`^\t0x[0-9a-f]{4} ((?:[0-9a-f]{2} )+)`)
	goAsmRelRE = regexp.MustCompile(`^\trel (\d+)\+(\d+) t=(\S+) (\S+)\+(-?\d+)`)
	goAsmSymRE = regexp.MustCompile(`^(\S+) S(TEXT|RODATA|DATA|NOPTRDATA|BSS)`)
)

// goToolAsm assembles path with the Go toolchain's assembler and returns its
// symbols by name (without the package prefix).
func goToolAsm(t *testing.T, path, pkg string, defines ...string) map[string]*goAsmSymbol {
	t.Helper()
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		t.Skipf("SKIP: the go command is not installed at %s; this test compares with go tool asm", goBin)
	}
	args := []string{"tool", "asm", "-p", pkg, "-I", filepath.Join(runtime.GOROOT(), "pkg", "include"), "-S", "-o", filepath.Join(t.TempDir(), "out.o")}
	for _, d := range defines {
		args = append(args, "-D", d)
	}
	out, err := exec.Command(goBin, append(args, path)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool asm: %v\n%s", err, out)
	}
	syms := map[string]*goAsmSymbol{}
	var cur *goAsmSymbol
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if m := goAsmSymRE.FindStringSubmatch(line); m != nil {
			cur = &goAsmSymbol{}
			syms[strings.TrimPrefix(m[1], pkg+".")] = cur
			continue
		}
		if cur == nil {
			continue
		}
		if m := goAsmHexRE.FindStringSubmatch(line); m != nil {
			b, err := hex.DecodeString(strings.ReplaceAll(m[1], " ", ""))
			if err != nil {
				t.Fatal(err)
			}
			cur.code = append(cur.code, b...)
		} else if m := goAsmRelRE.FindStringSubmatch(line); m != nil {
			off, _ := strconv.Atoi(m[1])
			size, _ := strconv.Atoi(m[2])
			add, _ := strconv.ParseInt(m[5], 10, 64)
			cur.relocs = append(cur.relocs, goAsmReloc{off: off, size: size, typ: m[3], sym: strings.TrimPrefix(m[4], pkg+"."), add: add})
		}
	}
	return syms
}

// TestRealGoFile assembles a function copied unchanged from the Go
// source tree, internal/chacha8rand/chacha8_amd64.s: #define macros
// (function-like, nested, continued over lines, under #ifdef), a TEXT block
// taking its arguments in registers (ABIInternal: AX, BX, CX) with a frame,
// and DATA/GLOBL constants read RIP-relatively. The bytes must be those of
// go tool asm, with the relocations it leaves for the linker resolved to
// the data laid out after the code.
func TestRealGoFile(t *testing.T) {
	path := filepath.Join("testdata", "go", "chacha8_amd64.s")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, v2 := range []bool{false, true} {
		name, text, defines := "v1", src, []string(nil)
		if v2 {
			// GOAMD64=v2 selects PSHUFB with the DATA tables.
			name, text, defines = "v2", append([]byte("#define GOAMD64_v2\n"), src...), []string{"GOAMD64_v2"}
		}
		t.Run(name, func(t *testing.T) {
			p, err := AssembleSource(path, text, SyntaxGo)
			if err != nil {
				t.Fatal(err)
			}
			want := goToolAsm(t, path, "internal/chacha8rand", defines...)
			block, ok := p.Symbol("block")
			if !ok || want["block"] == nil {
				t.Fatalf("no block symbol: jitrun %+v, go tool asm %v", p.Symbols, want)
			}
			got := append([]byte(nil), p.Code[block.Offset:block.Offset+block.Size]...)
			w := want["block"]
			if len(got) != len(w.code) {
				t.Fatalf("block is %d bytes, go tool asm %d", len(got), len(w.code))
			}
			// Check each relocation go tool asm left, then mask it.
			for _, r := range w.relocs {
				if r.typ != "R_PCREL" || r.size != 4 {
					t.Fatalf("unexpected relocation %+v", r)
				}
				sym, ok := p.Symbol(strings.TrimSuffix(r.sym, "<>"))
				if !ok {
					t.Fatalf("relocation to %s: no such symbol", r.sym)
				}
				disp := int64(int32(binary.LittleEndian.Uint32(got[r.off:])))
				if wantDisp := int64(sym.Offset) + r.add - int64(block.Offset+r.off+4); disp != wantDisp {
					t.Errorf("relocation at %#x to %s: displacement %d, want %d", r.off, r.sym, disp, wantDisp)
				}
				copy(got[r.off:r.off+4], w.code[r.off:r.off+4])
			}
			if !bytes.Equal(got, w.code) {
				for i := range got {
					if got[i] != w.code[i] {
						l, _ := p.LineAt(block.Offset + i)
						t.Fatalf("first difference at %#x (line %d %q): % x, go tool asm % x", i, l.Pos.Line, l.Text, got[i:min(i+8, len(got))], w.code[i:min(i+8, len(got))])
					}
				}
			}
			if v2 && len(w.relocs) == 0 {
				t.Error("the v2 variant has no relocations: the DATA path is not tested")
			}
			for _, d := range []string{"rol16", "rol8"} {
				s, ok := p.Symbol(d)
				if !ok || want[d] == nil || !bytes.Equal(p.Code[s.Offset:s.Offset+s.Size], want[d].code) || !s.Static || s.Kind != SymRodata {
					t.Errorf("%s: jitrun %+v, go tool asm %v", d, s, want[d])
				}
			}
		})
	}
}
