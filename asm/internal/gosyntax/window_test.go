package gosyntax

import (
	"strings"
	"testing"
)

// windowEdges are sources whose logical lines run over several lines,
// so that they cross the end of a narrow window.
var windowEdges = []string{
	"MOVQ AX, BX /* a\nb\nc */ MOVQ CX, DX\nRET\n",
	"/* a\n" + strings.Repeat("comment line\n", 50) + "*/ NOP\nRET",
	"#define TWO \\\n\tMOVQ AX, BX; \\\n\tMOVQ CX, DX\nTWO\nTWO\n",
	"#define F(a, b) \\\n\tMOVQ a, b \\\n\t; ADDQ $1, b\nF(AX, BX)\n#undef F\nF(AX, BX)\n",
	"MOVQ AX, BX /* never closed\nRET\nRET\n",
	"MOVQ AX, BX /* never closed",
	"#define X \\",
	"#define X \\\n",
	"#ifdef X\n/* a\n*/ MOVQ AX, BX\n#else\nMOVQ CX, DX /*\n*/\n#endif\n",
	"RET\r\n/* a\r\nb */ RET\r\nMOVQ $'\\n', AX\nMOVQ $\"a\nb\", AX\n",
	"\x85 MOVQ AX, BX\nMOVQ é, AX /* é\né */ RET\n",
	strings.Repeat("MOVQ AX, BX /* x */\n", 20) + strings.Repeat("l: JMP l\n", 20),
	strings.Repeat("X", 5000) + "\nRET\n" + strings.Repeat("/*", 3000) + "*/ RET",
	"TEXT f(SB), NOSPLIT, $0\nDATA d+0(SB)/8, $1\nGLOBL d(SB), RODATA, $8\nMOVQ d(SB), AX\nRET\n",
}

// TestWindow checks that reading a source through windows of any width
// gives what reading it as one string gives: the same statements,
// positions, texts and errors.
func TestWindow(t *testing.T) {
	sources := map[string]string{"edges": strings.Join(windowEdges, "\n")}
	for i, src := range windowEdges {
		sources[string(rune('a'+i))] = src
	}
	for _, name := range []string{"amd64.s", "amd64error.s", "amd64enc_extra.s"} {
		if text := goTestdata(t, name); text != "" {
			sources[name] = text
		}
	}
	for name, src := range sources {
		t.Run(name, func(t *testing.T) {
			for _, width := range []int{1, 2, 7, 64, minWindow} {
				for _, fast := range []bool{false, true} {
					compareReads(t, src, readMode{fast: fast, window: width}, wholeMode)
				}
			}
		})
	}
}

// FuzzWindow checks TestWindow's property on any source and width.
func FuzzWindow(f *testing.F) {
	for _, s := range windowEdges {
		f.Add(s, uint8(3))
	}
	f.Fuzz(func(t *testing.T, src string, width uint8) {
		if len(src) > 4096 {
			return
		}
		mode := readMode{fast: width&1 == 1, window: int(width>>1) + 1}
		windowed, whole := readAll(src, mode), readAll(src, wholeMode)
		if a, b := strings.Join(windowed, "\n\t"), strings.Join(whole, "\n\t"); a != b {
			t.Fatalf("%q:\n read with %+v\n\t%s\n read as one string\n\t%s", src, mode, a, b)
		}
	})
}
