package inteltab

import (
	"fmt"
	"strings"

	"github.com/twitchyliquid64/golang-asm/obj"
)

// manualForms are the forms the data cannot give: instructions the decoder
// does not know or gets wrong, and the ones Go's encoder tests do not
// cover. Each says why. Like every other form they are checked against GNU
// as by the oracle test, not here (there are no Go bytes to compare with).
var manualForms = []struct{ form, why string }{
	// x86asm v0.33.0 decodes these wrongly or not at all (see FACTS.md).
	{"adcx r32,r32 ADCXL 1,0", "x86asm shows adcx as a lone data16"},
	{"adcx r32,m32 ADCXL 1,0", "x86asm shows adcx as a lone data16"},
	{"adcx r64,r64 ADCXQ 1,0", "x86asm shows adcx as a lone data16"},
	{"adcx r64,m64 ADCXQ 1,0", "x86asm shows adcx as a lone data16"},
	{"adox r32,r32 ADOXL 1,0", "x86asm shows adox as a lone rep"},
	{"adox r32,m32 ADOXL 1,0", "x86asm shows adox as a lone rep"},
	{"adox r64,r64 ADOXQ 1,0", "x86asm shows adox as a lone rep"},
	{"adox r64,m64 ADOXQ 1,0", "x86asm shows adox as a lone rep"},
	{"rdrand r64 RDRANDQ 0", "x86asm drops rdrand's 64-bit operand"},
	{"rdseed r16 RDSEEDW 0", "x86asm does not know rdseed"},
	{"rdseed r32 RDSEEDL 0", "x86asm does not know rdseed"},
	{"rdseed r64 RDSEEDQ 0", "x86asm does not know rdseed"},
	{"clac CLAC", "x86asm does not know clac"},
	{"stac STAC", "x86asm does not know stac"},
	{"rdpkru RDPKRU", "x86asm does not know rdpkru"},
	{"wrpkru WRPKRU", "x86asm does not know wrpkru"},
	{"clflushopt m CLFLUSHOPT 0", "x86asm shows clflushopt as clflush"},
	{"clwb m CLWB 0", "x86asm shows clwb as xsaveopt"},
	// Go's encoder tests have these only as TODO lines or not at all.
	{"nop NOP", "Go's NOP is a pseudo-instruction; jitrun's encoder emits 90"},
	{"ret RET", "not in Go's encoder tests"},
	{"jmp r64 JMP 0", "Go's encoder tests list indirect jumps as TODO"},
	{"jmp m64 JMP 0", "Go's encoder tests list indirect jumps as TODO"},
	{"call r64 CALL 0", "Go's encoder tests list indirect calls as TODO"},
	{"call m64 CALL 0", "Go's encoder tests list indirect calls as TODO"},
	{"movd xmm,r32 MOVL 1,0", "Go's tests spell movd as MOVQ with an ambiguous expected encoding"},
	{"movd xmm,m32 MOVL 1,0", "Go's tests spell movd as MOVQ with an ambiguous expected encoding"},
	{"movd r32,xmm MOVL 1,0", "Go's tests spell movd as MOVQ with an ambiguous expected encoding"},
	{"movd m32,xmm MOVL 1,0", "Go's tests spell movd as MOVQ with an ambiguous expected encoding"},
	{"movd mm,r32 MOVL 1,0", "Go's tests spell movd as MOVQ with an ambiguous expected encoding"},
	{"movd mm,m32 MOVL 1,0", "Go's tests spell movd as MOVQ with an ambiguous expected encoding"},
	{"movd r32,mm MOVL 1,0", "Go's tests spell movd as MOVQ with an ambiguous expected encoding"},
	{"movd m32,mm MOVL 1,0", "Go's tests spell movd as MOVQ with an ambiguous expected encoding"},
	{"cvtsd2si r64,xmm CVTSD2SQ 1,0", "Go's encoder tests have no CVTSD2SQ"},
	{"cvtsd2si r64,m64 CVTSD2SQ 1,0", "Go's encoder tests have no CVTSD2SQ"},
	{"cvttsd2si r64,xmm CVTTSD2SQ 1,0", "Go's encoder tests have no CVTTSD2SQ"},
	{"cvttsd2si r64,m64 CVTTSD2SQ 1,0", "Go's encoder tests have no CVTTSD2SQ"},
	{"cvtss2si r64,xmm CVTSS2SQ 1,0", "Go's encoder tests have no CVTSS2SQ"},
	{"cvtss2si r64,m32 CVTSS2SQ 1,0", "Go's encoder tests have no CVTSS2SQ"},
	{"cvttss2si r64,xmm CVTTSS2SQ 1,0", "Go's encoder tests have no CVTTSS2SQ"},
	{"cvttss2si r64,m32 CVTTSS2SQ 1,0", "Go's encoder tests have no CVTTSS2SQ"},
	{"pause PAUSE", "Go's encoder tests have no PAUSE"},
	{"ret imm RET 0", "go tool asm has no RET $n; jitrun's encoder emits ret imm16 (c2 iw) itself"},
	{"in =al,=dx INB", "Go's encoder tests list IN as TODO"},
	{"in =ax,=dx INW", "Go's encoder tests list IN as TODO"},
	{"in =eax,=dx INL", "Go's encoder tests list IN as TODO"},
	{"in =al,imm INB 1", "Go's encoder tests list IN as TODO"},
	{"in =ax,imm INW 1", "Go's encoder tests list IN as TODO"},
	{"in =eax,imm INL 1", "Go's encoder tests list IN as TODO"},
	{"out =dx,=al OUTB", "Go's encoder tests list OUT as TODO"},
	{"out =dx,=ax OUTW", "Go's encoder tests list OUT as TODO"},
	{"out =dx,=eax OUTL", "Go's encoder tests list OUT as TODO"},
	{"out imm,=al OUTB 0", "Go's encoder tests list OUT as TODO"},
	{"out imm,=ax OUTW 0", "Go's encoder tests list OUT as TODO"},
	{"out imm,=eax OUTL 0", "Go's encoder tests list OUT as TODO"},
	// x87 loads, stores and arithmetic Go's encoder tests list as TODO.
	{"fld m32 FMOVF 0,=F0", "Go's encoder tests list FMOVF as TODO"},
	{"fld m64 FMOVD 0,=F0", "Go's encoder tests list FMOVD as TODO"},
	{"fld m80 FMOVX 0,=F0", "Go's encoder tests list FMOVX as TODO"},
	{"fld st FMOVD 0,=F0", "Go's encoder tests list FMOVD as TODO"},
	{"fild m16 FMOVW 0,=F0", "Go's encoder tests list FMOVW as TODO"},
	{"fild m32 FMOVL 0,=F0", "Go's encoder tests list FMOVL as TODO"},
	{"fild m64 FMOVV 0,=F0", "Go's encoder tests list FMOVV as TODO"},
	{"fst m32 FMOVF =F0,0", "Go's encoder tests list FMOVF as TODO"},
	{"fst m64 FMOVD =F0,0", "Go's encoder tests list FMOVD as TODO"},
	{"fst st FMOVD =F0,0", "Go's encoder tests list FMOVD as TODO (fst st0 is the Intel front end's: golang-asm makes FMOVD F0, F0 fld st0)"},
	{"fstp m32 FMOVFP =F0,0", "Go's encoder tests list FMOVFP as TODO"},
	{"fstp m64 FMOVDP =F0,0", "Go's encoder tests list FMOVDP as TODO"},
	{"fstp m80 FMOVXP =F0,0", "Go's encoder tests list FMOVXP as TODO"},
	{"fstp st FMOVDP =F0,0", "Go's encoder tests list FMOVDP as TODO"},
	{"fist m16 FMOVW =F0,0", "Go's encoder tests list FMOVW as TODO"},
	{"fist m32 FMOVL =F0,0", "Go's encoder tests list FMOVL as TODO"},
	{"fistp m16 FMOVWP =F0,0", "Go's encoder tests list FMOVWP as TODO"},
	{"fistp m32 FMOVLP =F0,0", "Go's encoder tests list FMOVLP as TODO"},
	{"fistp m64 FMOVVP =F0,0", "Go's encoder tests list FMOVVP as TODO"},
	{"fadd m32 FADDF 0,=F0", "Go's encoder tests list FADDF as TODO"},
	{"fmul m32 FMULF 0,=F0", "Go's encoder tests list FMULF as TODO"},
	{"fmul m64 FMULD 0,=F0", "Go's encoder tests list FMULD as TODO"},
	{"fmul st,st FMULD 1,0", "Go's encoder tests list FMULD as TODO"},
	{"fmulp st,=st0 FMULDP =F0,0", "Go's encoder tests list FMULDP as TODO"},
	{"fsub m32 FSUBF 0,=F0", "Go's encoder tests list FSUBF as TODO"},
	{"fsub m64 FSUBD 0,=F0", "Go's encoder tests list FSUBD as TODO"},
	{"fsubr m32 FSUBRF 0,=F0", "Go's encoder tests list FSUBRF as TODO"},
	{"fsubr m64 FSUBRD 0,=F0", "Go's encoder tests list FSUBRD as TODO"},
	{"fdiv m32 FDIVF 0,=F0", "Go's encoder tests list FDIVF as TODO"},
	{"fdivr m32 FDIVRF 0,=F0", "Go's encoder tests list FDIVRF as TODO"},
	{"fdivr m64 FDIVRD 0,=F0", "Go's encoder tests list FDIVRD as TODO"},
	{"fxch st FXCHD 0,=F0", "Go's encoder tests list FXCHD as TODO"},
	{"fucomi =st0,st FUCOMI =F0,1", "Go's encoder tests list FUCOMI as TODO (golang-asm takes F0 first)"},
	{"fucomip =st0,st FUCOMIP =F0,1", "Go's encoder tests list FUCOMIP as TODO (golang-asm takes F0 first)"},
	{"fldz FLDZ", "Go's encoder tests list FLDZ as TODO"},
	{"fninit FINIT", "Go's encoder tests list FINIT as TODO"},
	{"fnstcw m16 FSTCW 0", "Go's encoder tests list FSTCW as TODO"},
	{"fnstsw m16 FSTSW 0", "Go's encoder tests list FSTSW as TODO"},
	{"fnstsw =ax FSTSW =AX", "Go's encoder tests list FSTSW as TODO"},
	{"fwait WAIT", "Go's encoder tests list WAIT as TODO"},
	{"wait WAIT", "Go's encoder tests list WAIT as TODO"},
	// Instructions golang-asm v0.15.1 has no mnemonic for, but which take
	// no operand: the bytes themselves.
	{"int3 #cc", "golang-asm encodes INT $3 as cd 03, not the one-byte int3"},
	{"endbr64 #f30f1efa", "golang-asm has no ENDBR64"},
	{"endbr32 #f30f1efb", "golang-asm has no ENDBR32"},
	{"serialize #0f01e8", "golang-asm has no SERIALIZE"},
	{"rdpru #0f01fd", "golang-asm has no RDPRU (it works in user mode on this machine's CPU; see FACTS.md)"},
	{"wbnoinvd #f30f09", "golang-asm has no WBNOINVD"},
}

// parseManual parses "mnem classes GOOP args flags" or "mnem classes #hex".
func parseManual(text string) (*Form, error) {
	f := &Form{}
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return nil, fmt.Errorf("empty form")
	}
	f.Mnem = fields[0]
	rest := fields[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "#") && rest[0] != strings.ToUpper(rest[0]) {
		f.Classes = strings.Split(rest[0], ",")
		rest = rest[1:]
	}
	if len(rest) == 0 {
		return nil, fmt.Errorf("%q: no Go mnemonic", text)
	}
	if h, ok := strings.CutPrefix(rest[0], "#"); ok {
		f.Bytes = h
		return f, nil
	}
	f.GoOp = rest[0]
	if len(rest) > 1 {
		f.Args = strings.Split(rest[1], ",")
	}
	return f, nil
}

// addManualForms adds the hand-written forms, replacing learned forms with
// the same key (the learned one is what the decoder got wrong).
func addManualForms(r *Result, forms []*Form, known map[string]obj.As) ([]*Form, error) {
	byKey := map[string]int{}
	for i, f := range forms {
		byKey[f.key()] = i
	}
	for _, m := range manualForms {
		f, err := parseManual(m.form)
		if err != nil {
			return nil, err
		}
		if f.GoOp != "" {
			if _, ok := known[f.GoOp]; !ok {
				return nil, fmt.Errorf("hand-written form %q: golang-asm has no %s", m.form, f.GoOp)
			}
		}
		f.Why = m.why
		f.Category = "gpr"
		if strings.HasPrefix(f.Mnem, "f") || f.Mnem == "wait" {
			f.Category = "x87"
		}
		for _, c := range f.Classes {
			if c == "xmm" {
				f.Category = "sse"
			}
			if c == "mm" {
				f.Category = "mmx"
			}
		}
		if i, ok := byKey[f.key()]; ok {
			r.reportf("hand-written %s replaces learned %s", f, forms[i])
			forms[i] = f
			continue
		}
		byKey[f.key()] = len(forms)
		forms = append(forms, f)
	}
	return forms, nil
}

// conditions are the condition codes by x86asm's name, with the other
// names Intel, GNU as and NASM accept for each.
var conditions = map[string][]string{
	"o": nil, "no": nil, "s": nil, "ns": nil,
	"b": {"c", "nae"}, "ae": {"nb", "nc"}, "e": {"z"}, "ne": {"nz"},
	"be": {"na"}, "a": {"nbe"}, "p": {"pe"}, "np": {"po"},
	"l": {"nge"}, "ge": {"nl"}, "le": {"ng"}, "g": {"nle"},
}

// mnemonicAliases are other names of an instruction (alias → x86asm's
// name): the ones GNU as and NASM accept and the decoder never prints.
var mnemonicAliases = map[string]string{
	"popf":   "popfq",
	"pushf":  "pushfq",
	"iret":   "iretd",
	"sal":    "shl",
	"xlat":   "xlatb",
	"movabs": "mov",
}

// addAliases adds the forms spelled with alias mnemonics: other names of
// the same condition (jz for je, cmovnae for cmovb), the aliases above,
// and the two-operand imul r, imm (imul r, r, imm with r twice).
func addAliases(forms []*Form) []*Form {
	have := map[string]bool{}
	for _, f := range forms {
		have[f.key()] = true
	}
	var out []*Form
	add := func(f *Form) {
		if !have[f.key()] {
			have[f.key()] = true
			out = append(out, f)
		}
	}
	for _, f := range forms {
		out = append(out, f)
		for _, prefix := range []string{"set", "cmov", "j"} {
			cc, ok := strings.CutPrefix(f.Mnem, prefix)
			if !ok {
				continue
			}
			if _, isCC := conditions[cc]; !isCC {
				continue
			}
			for _, alias := range conditions[cc] {
				g := *f
				g.Mnem = prefix + alias
				g.Alias = f.Mnem
				add(&g)
			}
		}
		if n := len(f.Classes); n == 3 && f.Classes[n-1] == "=xmm0" {
			// blendvps xmm1, xmm2 with the implicit xmm0, as objdump and
			// x86asm print it.
			g := *f
			g.Classes = f.Classes[:n-1]
			g.Alias = f.Mnem
			add(&g)
		}
		if f.Mnem == "imul" && len(f.Classes) == 3 && f.Classes[2] == "imm" && strings.HasPrefix(f.Classes[1], "r") {
			g := *f
			g.Classes = []string{f.Classes[0], "imm"}
			g.Args = []string{"1", "0", "0"}
			g.Alias = "imul"
			add(&g)
		}
	}
	for alias, name := range mnemonicAliases {
		for _, f := range forms {
			if f.Mnem != name {
				continue
			}
			if alias == "movabs" && (len(f.Classes) != 2 || f.Classes[0] != "r64" || f.Classes[1] != "imm") {
				continue
			}
			g := *f
			g.Mnem = alias
			g.Alias = name
			add(&g)
		}
	}
	return out
}
