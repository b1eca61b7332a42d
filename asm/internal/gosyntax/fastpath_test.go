package gosyntax

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm/internal/asmtest"
	"github.com/jitrun/jitrun/asm/internal/ir"
)

// The ways of reading a source the tests compare: plain lines at once or
// not, through windows of the usual size, the whole source, or a few
// bytes (so that most lines, comments and #defines cross a window's end).
var (
	fastMode   = readMode{fast: true, window: minWindow}
	tokensMode = readMode{window: minWindow}
	wholeMode  = readMode{window: 1 << 30}
)

// readAll parses src as mode says and writes out every statement (with
// its position and text) and error. The statements are written once
// all are read and src is overwritten, so that a statement holding
// (rather than copying) the bytes of src would show.
func readAll(src string, mode readMode) []string {
	var stmts []ir.Stmt
	raw := []byte(src)
	errs := parse("t.s", raw, mode, func(st ir.Stmt) bool {
		stmts = append(stmts, st)
		return false // kept
	}, nil)
	for i := range raw {
		raw[i] = 'X'
	}
	var out []string
	for _, st := range stmts {
		out = append(out, stmtString(st))
	}
	for _, e := range errs.List() {
		out = append(out, fmt.Sprintf("error %v: %s", e.Pos, e.Msg))
	}
	return out
}

// stmtString writes out every field of a statement.
func stmtString(st ir.Stmt) string {
	switch s := st.(type) {
	case *ir.Inst:
		return fmt.Sprintf("%+v", *s)
	case *ir.LabelDef:
		return fmt.Sprintf("label %+v", *s)
	case *ir.TextDef:
		return fmt.Sprintf("text %+v", *s)
	case *ir.GloblDef:
		return fmt.Sprintf("globl %+v", *s)
	case *ir.DataDef:
		return fmt.Sprintf("data %+v", *s)
	case *ir.AlignDef:
		return fmt.Sprintf("align %+v", *s)
	}
	return fmt.Sprintf("%T %+v", st, st)
}

// compareReads reports the differences between reading src in two ways.
func compareReads(t *testing.T, src string, a, b readMode) {
	t.Helper()
	asmtest.CompareReads(t, fmt.Sprintf("read with %+v", a), readAll(src, a), fmt.Sprintf("read with %+v", b), readAll(src, b))
}

// goTestdata returns the text of a file of Go's assembler tests, or ""
// when they are not installed.
func goTestdata(t testing.TB, name string) string {
	data, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "src", "cmd", "asm", "internal", "asm", "testdata", name))
	if err != nil {
		t.Logf("no %s: %v", name, err)
		return ""
	}
	return string(data)
}

// fastEdges are lines at the edges of what plainLines reads.
var fastEdges = []string{
	"MOVQ AX, BX", "  MOVQ   AX ,  BX  ", "\tMOVQ\tAX,BX\t", "MOVQ AX,BX\r", "MOVQ AX, BX // c", "MOVQ AX, BX/* c */", "MOVQ AX, BX /* c",
	"MOVQ AX, BX//c", "RET", "RET // c", "RET//c", "RET/2", "  // only a comment", "", "\t", "\r", "\f\v MOVQ\fAX,\vBX",
	"ADDQ $1, AX", "ADDQ $-1, AX", "ADDQ $0x7fffffff, AX", "ADDQ $0xffffffffffffffff, AX", "MOVQ $0x1122334455667788, AX",
	"ADDQ $0x11223344556677889, AX", "ADDQ $18446744073709551615, AX", "ADDQ $18446744073709551616, AX", "ADDQ $9999999999999999999, AX",
	"ADDQ $99999999999999999999, AX", "ADDQ $-0x8000000000000000, AX", "ADDQ $-0, AX", "ADDQ $0, AX", "ADDQ $00, AX", "ADDQ $010, AX",
	"ADDQ $0b101, AX", "ADDQ $0o17, AX", "ADDQ $0X1F, AX", "ADDQ $0x, AX", "ADDQ $1_000, AX", "ADDQ $1.5, AX", "ADDQ $1e3, AX",
	"ADDQ $ 1, AX", "ADDQ $1+1, AX", "ADDQ $N, AX", "ADDQ $(1), AX", "ADDQ $'a', AX", "ADDQ $--1, AX", "ADDQ $-(1), AX", "ADDQ $1x, AX",
	"MOVQ 8(SP), AX", "MOVQ -8(BP), AX", "MOVQ -0x10(BP)(CX*8), AX", "MOVQ (AX)(BX*1), CX", "MOVQ (BX*4), CX", "MOVQ 8(BX*4), CX",
	"MOVQ (AX)(BX*3), CX", "MOVQ (AX)(BX*08), CX", "MOVQ (AX)(BX), CX", "MOVQ (AX)(BX*4)(CX*1), DX", "MOVQ (AX) (BX*4), CX",
	"MOVQ 8 (AX), CX", "MOVQ ( AX), CX", "MOVQ (AX ), CX", "MOVQ (), CX", "MOVQ (AX, CX", "MOVQ (AX)(, CX", "MOVQ (AX)(BX*4, CX",
	"MOVQ 0x1000, AX", "MOVQ -1, AX", "CMPPS X1, X2, 7", "MOVQ 8(FS), AX", "MOVQ (FS), AX", "MOVQ 8(AX)(FS*1), BX", "MOVQ (FS*1), AX",
	"MOVQ (GS*4), AX", "MOVQ 8(AX)(GS*2), BX", "MOVQ FS, AX", "MOVQ 8(SB), AX", "MOVQ (SB), AX", "MOVQ 8(FP), AX", "MOVQ x+8(FP), AX",
	"MOVQ name(SB), AX", "MOVQ name<>(SB), AX", "JMP 2(PC)", "JMP (AX)", "JMP AX", "JMP label", "CALL *AX", "CALL *(AX)", "JMP 8(AX)",
	"MOVQ AX(BX), CX", "MOVQ AX (BX), CX", "MOVQ AX BX", "MOVQ AX,", "MOVQ ,AX", "MOVQ AX,, BX", "MOVQ AX, , BX", "MOVQ ZZ, AX", "MOVQ ax, bx",
	"MOVQ AX, BX; RET", "MOVQ AX, BX;", "; MOVQ AX, BX", "label: MOVQ AX, BX", "label:", "label :", "MOVQ.Z AX, BX", "VADDPS.Z Z1, Z2, K1, Z3",
	"VADDPD.BCST (AX), Z1, Z2", "VPADDD [Z0-Z3], Z4", "MOVQ AX, BX\x85", "MOVQ\u00a0AX, BX", "MOVQé AX, BX", "MOVQ AXé, BX", "MOVQ 8(AXé), BX",
	"MOVQ 1é, BX", "é", "MOVQ $1é, BX", "MOVQ AX, BX é", "TEXT f(SB), $0", "GLOBL x(SB), $8", "DATA x+0(SB)/8, $1", "PCALIGN $16",
	"PCDATA $0, $1", "FUNCDATA $0, x(SB)", "NOP", "NOP AX", "_X AX", "X_Y AX", "9AX", "MOVQ $1, 2, 3, 4, 5, 6, 7, 8, 9, 10", "#define X 1",
	"#define AX BX", "MOVQ AX, BX", "#undef AX", "#define MOVQ MOVL", "MOVQ AX, BX", "#undef MOVQ", "#define N 8", "MOVQ N(AX), BX",
	"#ifdef N", "MOVQ AX, BX", "#else", "MOVQ CX, DX", "MOVQ é", "#endif", "MOVQ AX, BX # c", "MOVQ 'a', AX", `MOVQ "a", AX`,
	"/* a\nMOVQ AX, BX\n*/ MOVQ CX, DX", "MOVQ AX, BX /* a\nb */ MOVQ CX, DX", "MOVQ $1, 1.5", "MOVQ $1, .5", "MOVQ $0x1p4, AX",
	"MOVQ -8(SP), -8(SP)", "LEAQ 8(SP), AX", "MOVQ $8(SP), AX", "MOVQ X0, X1", "VMOVDQU Y1, (R11)(R12*8)", "KMOVW K1, K2",
	"MOVQ AX, BX\\", "MOVQ\\ AX, BX", "MOVB AH, BL", "MOVQ R8B, AX", "MOVQ CR0, AX", "MOVQ (CR0), AX", "MOVQ (X1*4), AX",
	// Tabs, labels, semicolons, suffixes, symbols and jumps.
	"\tMOVQ\tAX,\tBX", "\tMOVQ\t8(SP)\t,BX\t// c", "MOVQ AX ,\tBX", "MOVQ\rAX,BX", "MOVQ\f\tAX,\v\tBX", "VADDPD.Z\tZ1, Z2, K1, Z3",
	"l: RET", "l:RET", "l:", "l: ", "l: // c", "a: b: RET", "a:b:", "l :RET", "l: : RET", "1: RET", "_l: RET", "l:: RET", "AX: RET", "TEXT: RET",
	"l: TEXT f(SB), $0", "MOVQ AX, BX; RET", "MOVQ AX, BX ;RET ; ", ";;", "; l: ; RET;", "l: MOVQ AX, BX; m: RET // c", "RET; x", "RET; ·x",
	"RET;; RET", "RET; #define X", "MOVQ AX, BX; MOVQ 8(FS), AX", "RET; l :",
	"VADDPS.Z Z1, Z2, K1, Z3", "VADDPS.RN_SAE.Z Z1, Z2, K1, Z3", "VADDPS. Z Z1, Z2", "VADDPS .Z Z1, Z2", "VADDPS.Z.Z Z1", "VADDPS.", "VADDPS.5 Z1",
	"VADDPS.Z", "VADDPS.Z// c", "MOVQ.x AX, BX", "VADDPS.Zé Z1", "TEXT.Z f(SB), $0",
	"MOVQ x(SB), AX", "MOVQ x<>(SB), AX", "MOVQ x+8(SB), AX", "MOVQ x-8(SB), AX", "MOVQ x<>+0x10(SB), AX", "MOVQ x+-8(SB), AX",
	"MOVQ x+08(SB), AX", "MOVQ x+8+8(SB), AX", "MOVQ x(SB)(AX*4), BX", "MOVQ x (SB), AX", "MOVQ x( SB), AX", "MOVQ x(SB ), AX",
	"MOVQ x(FP), AX", "MOVQ x+8(FP), AX", "MOVQ x(SP), AX", "MOVQ x(PC), AX", "MOVQ x(AX), BX", "MOVQ x<ABI0>(SB), AX", "MOVQ x<(SB), AX",
	"MOVQ x<>, AX", "MOVQ x, AX", "MOVQ al, AX", "MOVQ rax, BX", "MOVQ x+8, AX", "MOVQ $x(SB), AX", "MOVQ $x<>+8(SB), AX", "MOVQ $x, AX",
	"MOVQ $AX, BX", "MOVQ $SB, AX", "MOVQ $x(SB)(AX*1), AX", "LEAQ x(SB), AX", "MOVQ ·x(SB), AX", "MOVQ a·x(SB), AX", "MOVQ SB(SB), AX",
	"MOVQ x(SB), x(SB)", "MOVQ *x(SB), AX", "MOVQ x+8(SB)", "MOVQ (SB), AX", "MOVQ 8(SB), AX",
	"JMP l", "JNE l", "JMP l+0", "JMP l+8", "JMP l<>", "JMP l<>(SB)", "JMP l(SB)", "JMP l+8(SB)", "JMP $l(SB)", "JMP *l(SB)", "JMP l(AX)",
	"CALL f(SB)", "CALL f", "CALL AX", "CALL (AX)", "LOOP l", "LOOPEQ l", "XBEGIN l", "XABORT l", "MOVQ l, AX", "JMP SB", "JMP PC", "JMP FP",
	"JMP 2(PC)", "JMP -2(PC)", "JMP (PC)", "JMP 2(PC)(AX*1)", "JMP 2 (PC)", "JMP $2(PC)", "JMP *2(PC)", "MOVQ 2(PC), AX", "JMP 0x10(PC)",
	"JMP 2(PC", "JMP 2(PCX)", "JMP l; l: RET", "JMP AX, BX", "JMP 8(AX)", "JMP 0x10", "JMP al",
	"#define PC AX", "JMP 2(PC)", "#undef PC", "#define SB AX", "MOVQ x(SB), AX", "#undef SB", "#define Z Y", "VADDPS.Z Z1, Z2", "#undef Z",
	"#define l m", "JMP l", "l: RET", "#undef l", "#define x y", "MOVQ x(SB), AX", "#undef x",
	// More operands than plainLines reads (maxPlainOperands), commas in comments and after semicolons.
	"A 0,0,0,0,0,0,0,0", "A 0,0,0,0,0,0,0,0,0", "A 0,0,0,0,0,0,0,0,0,0", "MOVQ $1, 2, 3, 4, 5, 6, 7, 8, 9", "MOVQ AX, BX // a, b, c",
	"MOVQ AX, BX; ADDQ $1, CX, DX, SI", "RET // ,,,,,,,,,,", "NOP ,,,,,,,,,,", "MOVQ AX, BX /, c", "MOVQ AX,\tBX // a,\tb",
	// Runs of spaces that skipSpaceRun counts 32 bytes at a time (ending in
	// other blanks, a comma, the end of the source), words of 8 bytes and
	// more (wordBytes, wordKeyAt), and registers that become macros.
	"MOVQ AX, BX" + strings.Repeat(" ", 31) + "// c", "MOVQ AX, BX" + strings.Repeat(" ", 32) + "// c", "MOVQ AX, BX" + strings.Repeat(" ", 33) + "// c",
	"MOVQ AX, BX" + strings.Repeat(" ", 64) + "// c", "MOVQ AX, BX" + strings.Repeat(" ", 70) + "\t// c", "MOVQ AX, BX" + strings.Repeat(" ", 31) + "\r",
	"MOVQ AX" + strings.Repeat(" ", 40) + ", BX", "MOVQ AX" + strings.Repeat(" ", 40) + "\t, BX", "MOVQ AX, BX" + strings.Repeat(" ", 40),
	"MOVQ AX, BX" + strings.Repeat(" ", 40) + "x", "MOVQ AX, BX" + strings.Repeat(" ", 7) + "; RET", "MOVQ  AX, BX", "MOVQ \tAX, BX", "MOVQ AX,  BX",
	"VFMSUBADD132PS X11, X9, X2", "ABCDEFGH AX", "ABCDEFGHI AX", "FUNCDATA", "FUNCDATAX AX", "FUNCDAT AX", "TEXTS AX", "PCDATAX $1",
	"CALLX l", "JMPXXXXXXXX l", "LOOPXXXXXXX l", "XBEGINX l", "XBEGI l", "MOVQ ABCDEFGH, AX", "MOVQ ABCDEFGHI(SB), AX", "MOVQ $ABCDEFGH(SB), AX",
	"MOVQ X15, X9", "MOVQ R15B, R8", "MOVQ (R11)(R12*8), Y15", "MOVQ AX, BX", "#define R11 AX", "MOVQ (R11), BX", "MOVQ R11, BX", "#undef R11", "MOVQ (R11), BX",
	"A 0,0,0,0,0,0,0", "A 0,0,0,0,0,0,0,0 // a", "A AX,BX,CX,DX,SI,DI,R8,R9",
}

// TestPlainLine checks that a line plainLines reads comes out as the tokens
// make it (read through one window, as the whole source): the same
// statements, positions, texts and errors, for Go's
// assembler tests, the Go-syntax files of testdata, and lines at the
// edges of what it reads.
func TestPlainLine(t *testing.T) {
	sources := map[string]string{
		"edges":          strings.Join(fastEdges, "\n"),
		"edges, no last": strings.Join(fastEdges, "\n") + "\nMOVQ AX, BX",
		"edges, CRLF":    strings.Join(fastEdges, "\r\n"),
		"in TEXT":        "TEXT f(SB), $0\n" + strings.Join(fastEdges, "\n"),
	}
	names := []string{"amd64enc.s", "amd64enc_extra.s", "amd64.s", "amd64error.s", "amd64dynlinkerror.s"}
	avx512, _ := filepath.Glob(filepath.Join(runtime.GOROOT(), "src", "cmd", "asm", "internal", "asm", "testdata", "avx512enc", "*.s"))
	for _, path := range avx512 {
		names = append(names, filepath.Join("avx512enc", filepath.Base(path)))
	}
	for _, name := range names {
		if text := goTestdata(t, name); text != "" {
			sources[name] = text
		}
	}
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "go", "chacha8_amd64.s"))
	if err != nil {
		t.Fatal(err)
	}
	sources["chacha8_amd64.s"] = string(data)
	for name, src := range sources {
		t.Run(name, func(t *testing.T) {
			compareReads(t, src, fastMode, wholeMode)
		})
	}
	t.Run("each edge", func(t *testing.T) {
		asmtest.CompareEachLine(t, fastEdges, fmt.Sprintf("read with %+v", fastMode), fmt.Sprintf("read with %+v", wholeMode), func(line string, whole bool) []string {
			if whole {
				return readAll(line, wholeMode)
			}
			return readAll(line, fastMode)
		})
	})
}

// TestPlainLineReads checks that plainLines reads the lines it is for
// (a test of the test above: lines left to the token path would pass it
// too), and leaves alone a sample of the lines it is not for.
func TestPlainLineReads(t *testing.T) {
	for _, c := range []struct {
		line  string
		plain bool
	}{
		{"MOVQ AX, BX", true},
		{"\tADDQ $-0x10, 8(SP) // c", true},
		{"VMOVDQU -8(R11)(R12*8), Y1", true},
		{"MOVQ (BX*4), CX", true},
		{"MOVQ 0x1000, AX", true},
		{"RET", true},
		{"  // comment", true},
		{"\n", true},
		{"", false},
		{"MOVQ AX, BX; RET", true},
		{"l: RET", true},
		{"a:b: ; ;", true},
		{"MOVQ\tAX,\tBX", true},
		{"MOVQ x(SB), AX", true},
		{"LEAQ x<>+8(SB), AX", true},
		{"MOVQ $x-8(SB), AX", true},
		{"JNE loop", true},
		{"JMP -2(PC)", true},
		{"CALL f(SB)", true},
		{"VADDPS.RN_SAE.Z Z1, Z2, K1, Z3", true},
		{"l : RET", false},
		{"MOVQ $N, AX", false},
		{"MOVQ x(SB)(AX*4), BX", false},
		{"MOVQ ·x(SB), AX", false},
		{"MOVQ x(FP), AX", false},
		{"MOVQ x, AX", false},
		{"MOVQ 2(PC), AX", false},
		{"MOVQ AX, BX; x = 1", false},
		{"MOVQ 8(FS), AX", false},
		{"VADDPS. Z Z1, Z2, K1, Z3", false},
		{"MOVQ AX, BX /* c */", false},
		{"TEXT f(SB), $0", false},
		{"#define X 1", false},
		{"A 0,0,0,0,0,0,0,0 // a, b", true},
		{"A 0,0,0,0,0,0,0,0,0", false},
		{"MOVQ AX, BX" + strings.Repeat(" ", 40) + "// c", true},
		{"MOVQ AX, BX" + strings.Repeat(" ", 40) + "\t// c", true},
		{"MOVQ AX" + strings.Repeat(" ", 40) + ", BX", true},
		{"VFMSUBADD132PS X11, X9, X2 // c", true},
		{"ABCDEFGHI AX", true},
		{"FUNCDATAX AX", true},
		{"FUNCDATA $0, x(SB)", false},
		{"MOVQ (R11)(R12*8), Y15", true},
	} {
		var errs ir.Errors
		p := newParser("t.s", &errs, func(ir.Stmt) bool { return true })
		pp := newPreproc("t.s", []byte(c.line), &errs, true, nil)
		if got := p.plainLines(pp); got != c.plain {
			t.Errorf("plainLines(%q) = %v, want %v", c.line, got, c.plain)
		}
	}
}

// FuzzPlainLine checks TestPlainLine's property on any source: read with
// plain lines at once or token by token only (through one window), it
// makes the same statements and errors.
func FuzzPlainLine(f *testing.F) {
	for _, s := range fastEdges {
		f.Add(s)
	}
	f.Add("TEXT f(SB), $0\nMOVQ AX, BX\n#define AX CX\nMOVQ AX, BX\nl: ADDQ $-8, 8(SP)(AX*4)\n")
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 4096 {
			return
		}
		fast, slow := readAll(src, fastMode), readAll(src, wholeMode)
		if a, b := strings.Join(fast, "\n\t"), strings.Join(slow, "\n\t"); a != b {
			t.Fatalf("%q:\n read at once\n\t%s\n token by token, one window\n\t%s", src, a, b)
		}
	})
}

// TestWordBytes compares wordBytes with byteClasses: every byte at every
// place of the word, after bytes that continue a word, and before bytes
// that do and do not.
func TestWordBytes(t *testing.T) {
	for c := range 256 {
		for at := range 8 {
			for _, fill := range []byte{'a', ' '} {
				var b [8]byte
				for k := range b {
					b[k] = 'Z'
					if k > at {
						b[k] = fill
					}
				}
				b[at] = byte(c)
				want := 0
				for want < 8 && byteClasses[b[want]]&classWord != 0 {
					want++
				}
				if got := wordBytes(binary.LittleEndian.Uint64(b[:])); got != want {
					t.Errorf("wordBytes(%q) = %d, want %d", b[:], got, want)
				}
			}
		}
	}
}

// TestSkipBlanks compares skipBlanks with a byte-at-a-time loop over
// runs of blanks of every length before each kind of byte.
func TestSkipBlanks(t *testing.T) {
	for _, blank := range []string{" ", "\t", " \t", "\r ", "\f\v"} {
		for n := range 20 {
			for _, after := range []string{"", "/", "A", "\n", "\t/", "\x80"} {
				src := []byte(strings.Repeat(blank, n) + after)
				for i := range len(src) + 1 {
					want := i
					for want < len(src) && isBlank(src[want]) {
						want++
					}
					if got := skipBlanks(src, i); got != want {
						t.Errorf("skipBlanks(%q, %d) = %d, want %d", src, i, got, want)
					}
				}
			}
		}
	}
}

// TestPackedNames checks wordKeyAt's keys of mnemonics (at the end of the
// source and with more of it after them) with isJumpKey and
// isDirectiveKey against isJumpName and the directives' names.
func TestPackedNames(t *testing.T) {
	directives := map[string]bool{"TEXT": true, "GLOBL": true, "DATA": true, "PCALIGN": true, "PCDATA": true, "FUNCDATA": true}
	for _, word := range []string{"TEXT", "GLOBL", "DATA", "PCALIGN", "PCDATA", "FUNCDATA", "FUNCDATAX", "FUNCDAT", "TEXTX", "TEX", "DATAS",
		"CALL", "CALLQ", "CAL", "LOOP", "LOOPNE", "LOO", "XBEGIN", "XBEGINX", "XBEGI", "JMP", "J", "JEQ", "MOVQ", "VFMSUBADD132PS",
		"JXXXXXXXXXX", "LOOPXXXXXXXX", "CALLXXXXXXXX", "X", "_", "A1234567"} {
		for _, after := range []string{"", " AX, BX // comment", "\n"} {
			src := []byte(word + after)
			end, key := wordKeyAt(src, 0)
			if end != len(word) {
				t.Errorf("wordKeyAt(%q) ends at %d, want %d", src, end, len(word))
			}
			if want, _ := packWord([]byte(word[:min(len(word), 8)])); key != want {
				t.Errorf("wordKeyAt(%q) = %#x, want %#x", src, key, want)
			}
			if got, want := isJumpKey(key), isJumpName(word); got != want {
				t.Errorf("isJumpKey(%q) = %v, want %v", word, got, want)
			}
			if got, want := isDirectiveKey(key, end), directives[word]; got != want {
				t.Errorf("isDirectiveKey(%q) = %v, want %v", word, got, want)
			}
		}
	}
}
