package gosyntax

import (
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// TestBuiltinMacros checks textflag.h's macros, which every source
// knows: used, tested, redefined, undefined, included again.
func TestBuiltinMacros(t *testing.T) {
	for _, c := range []struct {
		src  string
		want []string
	}{
		{"TEXT f(SB), NOSPLIT|DUPOK, $0", []string{"text {Source:{Pos:t.s:1:1 Text:TEXT f(SB), NOSPLIT|DUPOK, $0} Name:f Static:false Flags:6 Frame:0 Args:-1 broken:false}"}},
		{"#ifdef NOSPLIT\nRET\n#endif\n#ifndef NOSPLIT\nNOP\n#endif", []string{"{Source:{Pos:t.s:2:1 Text:RET} Op:RET Suffix: Args:[] broken:false spelling:<nil>}"}},
		{"#undef NOSPLIT\n#ifdef NOSPLIT\nRET\n#endif\nTEXT f(SB), NOSPLIT, $0", []string{"text {Source:{Pos:t.s:5:1 Text:TEXT f(SB), NOSPLIT, $0} Name:f Static:false Flags:0 Frame:0 Args:-1 broken:true}", "error t.s:5:13: undefined: NOSPLIT (a constant needs a #define)"}},
		{"#define NOSPLIT 5", []string{"error t.s:1:9: macro NOSPLIT redefined (first defined at textflag.h:4:9); #undef it first"}},
		{"#define NOSPLIT 4\nTEXT f(SB), NOSPLIT, $0", []string{"text {Source:{Pos:t.s:2:1 Text:TEXT f(SB), NOSPLIT, $0} Name:f Static:false Flags:4 Frame:0 Args:-1 broken:false}"}},
		{"#undef NOSPLIT\n#define NOSPLIT 5\nTEXT f(SB), NOSPLIT, $0", []string{"text {Source:{Pos:t.s:3:1 Text:TEXT f(SB), NOSPLIT, $0} Name:f Static:false Flags:5 Frame:0 Args:-1 broken:false}"}},
		{"#undef NOSPLIT\n#include \"textflag.h\"\nTEXT f(SB), NOSPLIT, $0", []string{"text {Source:{Pos:t.s:3:1 Text:TEXT f(SB), NOSPLIT, $0} Name:f Static:false Flags:4 Frame:0 Args:-1 broken:false}"}},
		{"#undef NOSPLIT\n#define NOSPLIT 5\n#include \"textflag.h\"", []string{"error t.s:3:10: textflag.h redefines macro NOSPLIT (defined at t.s:2:9)"}},
		{"#define NOSPLIT_X 1\nMOVQ $NOSPLIT_X, AX\n#undef NOSPLIT_X\n#undef NOSPLIT_X\nMOVQ $NOSPLIT, AX", []string{
			"{Source:{Pos:t.s:2:1 Text:MOVQ $NOSPLIT_X, AX} Op:MOVQ Suffix: Args:[{Kind:2 Reg:NONE RegHi:NONE Index:NONE Scale:0 Disp:0 Sym: Static:false PCRel:false Seg:NONE Imm:1 Float:0 String:} {Kind:1 Reg:AX RegHi:NONE Index:NONE Scale:0 Disp:0 Sym: Static:false PCRel:false Seg:NONE Imm:0 Float:0 String:}] broken:false spelling:<nil>}",
			"{Source:{Pos:t.s:5:1 Text:MOVQ $NOSPLIT, AX} Op:MOVQ Suffix: Args:[{Kind:2 Reg:NONE RegHi:NONE Index:NONE Scale:0 Disp:0 Sym: Static:false PCRel:false Seg:NONE Imm:4 Float:0 String:} {Kind:1 Reg:AX RegHi:NONE Index:NONE Scale:0 Disp:0 Sym: Static:false PCRel:false Seg:NONE Imm:0 Float:0 String:}] broken:false spelling:<nil>}"}},
	} {
		for _, mode := range []readMode{fastMode, tokensMode} {
			got := readAll(c.src, mode)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("%q read with %+v:\n got\n\t%s\n want\n\t%s", c.src, mode, strings.Join(got, "\n\t"), strings.Join(c.want, "\n\t"))
			}
		}
	}
}

// TestNoBuiltinRegister checks what isMacroReg counts on: no built-in
// macro is named as a register is, so a register is a macro only once
// the source defines one.
func TestNoBuiltinRegister(t *testing.T) {
	if len(textflag().macros) == 0 {
		t.Fatal("no built-in macros")
	}
	for name := range textflag().macros {
		if _, ok := registers().lookup([]byte(name)); ok || isRegName(name) {
			t.Errorf("built-in macro %s names a register", name)
		}
	}
	var errs ir.Errors
	pp := newPreproc("t.s", nil, &errs, true, nil)
	if pp.isMacroReg([]byte("AX")) {
		t.Error("AX is a macro before any #define")
	}
	pp.defineMacro(&macro{name: "AX"})
	if !pp.isMacroReg([]byte("AX")) {
		t.Error("AX is no macro after #define AX")
	}
}
