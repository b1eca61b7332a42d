package inteltab

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/arch/x86/x86asm"
)

// sample is one Go test line seen through the decoder: the Intel form of
// its bytes, and how its Go operands map onto the Intel ones.
type sample struct {
	line    *goLine
	inst    x86asm.Inst
	mnem    string       // Intel mnemonic, lower case
	iargs   []x86asm.Arg // Intel operands in Intel order, without the opmask
	cargs   []x86asm.Arg // the Intel operands that are written (one per class)
	mask    int          // opmask register number (0: none)
	maskAt  int          // index of the opmask in the Go operands, or -1
	gargs   []goArg      // Go operands without the opmask
	enc     encoding     // legacy, VEX or EVEX
	zeroing bool
	rc      bool // embedded rounding ({rn-sae} …)
	sae     bool // {sae} alone
}

type encoding uint8

const (
	encLegacy encoding = iota
	encVEX
	encEVEX
)

// binding is one way to map Go operands to Intel operands: for each Go
// operand, the index of the Intel operand it is, or -1 when the Go operand
// is a fixed register the Intel form does not write (literal holds it).
type binding struct {
	src     []int
	literal []string
}

func (b binding) key() string {
	var s []string
	for i, v := range b.src {
		if v < 0 {
			s = append(s, "="+b.literal[i])
		} else {
			s = append(s, strconv.Itoa(v))
		}
	}
	return strings.Join(s, ",")
}

// decodeSample decodes a Go test line and splits off the opmask. It
// returns an explanation when the line cannot be used.
//
// When the test accepts encodings that are different instructions ("movd
// or movq"), the line alone does not say which one golang-asm emits: the
// encoder is asked (goBytes, through package asm), and the line is used
// only if its answer is one of them.
func decodeSample(l *goLine, goBytes func(string) []byte) (*sample, string) {
	if why := pickEncoding(l, goBytes); why != "" {
		return nil, why
	}
	inst, err := x86asm.Decode(l.code, 64)
	if err != nil {
		return nil, "decode error: " + err.Error()
	}
	if inst.Len != len(l.code) {
		return nil, fmt.Sprintf("decoded %d of %d bytes", inst.Len, len(l.code))
	}
	if inst.Op == 0 {
		return nil, "no instruction"
	}

	s := &sample{line: l, inst: inst, mnem: intelMnemonic(inst), maskAt: -1, enc: vexKind(inst)}
	var args []x86asm.Arg
	for _, a := range inst.Args {
		if a == nil {
			break
		}
		args = append(args, a)
	}
	gargs := append([]goArg(nil), l.args...)
	if s.enc == encEVEX {
		var why string
		if args, gargs, why = s.evex(args, gargs); why != "" {
			return nil, why
		}
	} else if l.suffix != "" {
		return nil, "suffix on a non-EVEX instruction"
	}
	s.iargs = args
	s.gargs = gargs
	return s, ""
}

// pickEncoding settles l.code when the test accepts encodings that are
// different instructions: on the one the encoder emits. It returns why the
// line cannot be used, or "".
func pickEncoding(l *goLine, goBytes func(string) []byte) string {
	differ := false
	for _, alt := range l.alts {
		if ai, err := x86asm.Decode(alt, 64); err != nil || ai.Op == 0 || ai.Len != len(alt) {
			continue // the decoder does not know this one: no evidence either way
		}
		if !sameInstruction(l.code, alt) {
			differ = true
		}
	}
	if !differ {
		return ""
	}
	got := goBytes(l.text)
	found := false
	for _, c := range append([][]byte{l.code}, l.alts...) {
		if got != nil && bytes.Equal(got, c) {
			l.code, found = c, true
		}
	}
	if !found {
		return "accepted encodings are different instructions, and the encoder emits none of them"
	}
	return ""
}

// vexKind says whether inst is VEX or EVEX encoded: the VEX and EVEX
// payload bytes follow their prefix in inst.Prefix, and the first VEX or
// EVEX byte decides.
func vexKind(inst x86asm.Inst) encoding {
	for _, p := range inst.Prefix {
		switch {
		case p == 0:
			return encLegacy
		case p.IsEVEX():
			return encEVEX
		case p.IsVEX():
			return encVEX
		}
	}
	return encLegacy
}

// evex reads the EVEX parts of the sample: its opmask (taken out of the
// Intel and Go operands), zeroing, and the rounding, broadcast and zeroing
// suffixes, which must agree with the decoder. It returns the operands
// without the opmask, or why the sample cannot be used.
func (s *sample) evex(args []x86asm.Arg, gargs []goArg) ([]x86asm.Arg, []goArg, string) {
	l, inst := s.line, s.inst
	p2, ok := evexP2(l.code)
	if !ok {
		return nil, nil, "cannot find the EVEX prefix"
	}
	aaa := int(p2 & 7)
	s.zeroing = p2&0x80 != 0
	if len(args) >= 2 && !strings.HasPrefix(inst.Op.String(), "K") {
		if r, ok := args[1].(x86asm.Reg); ok && r >= x86asm.K0 && r <= x86asm.K7 {
			switch {
			case aaa != 0:
				if int(r-x86asm.K0) != aaa {
					return nil, nil, "opmask mismatch"
				}
				args = append(args[:1:1], args[2:]...)
				s.mask = aaa
				at := opmaskAt(gargs, "K"+strconv.Itoa(aaa))
				if at < 0 {
					return nil, nil, "opmask not found in the Go operands"
				}
				s.maskAt = at
				gargs = append(gargs[:at:at], gargs[at+1:]...)
			case r == x86asm.K0 && !hasGoReg(gargs, "K0"):
				// x86asm's placeholder for "no opmask".
				args = append(args[:1:1], args[2:]...)
			}
		}
	}
	for _, part := range strings.Split(l.suffix, ".") {
		switch part {
		case "SAE":
			s.sae = true
		case "RN_SAE", "RD_SAE", "RU_SAE", "RZ_SAE":
			s.rc = true
		}
	}
	switch {
	case (s.rc || s.sae) != inst.SAE:
		return nil, nil, "rounding suffix disagrees with the decoder"
	case strings.Contains(l.suffix, "BCST") != inst.Broadcast:
		return nil, nil, "broadcast suffix disagrees with the decoder"
	case strings.Contains(l.suffix, "Z") != s.zeroing:
		return nil, nil, "zeroing suffix disagrees with the encoding"
	}
	return args, gargs, ""
}

// opmaskAt returns the index of the Go operand that is opmask register
// want: before the destination, or first; -1 if neither.
func opmaskAt(gargs []goArg, want string) int {
	n := len(gargs)
	switch {
	case n >= 2 && gargs[n-2].kind == goReg && gargs[n-2].reg == want:
		return n - 2
	case n >= 1 && gargs[0].kind == goReg && gargs[0].reg == want:
		return 0
	}
	return -1
}

// evexP2 returns the third payload byte of the EVEX prefix of code.
func evexP2(code []byte) (byte, bool) {
	for i := 0; i < len(code); i++ {
		switch code[i] {
		case 0x66, 0x67, 0xF2, 0xF3, 0xF0, 0x2E, 0x3E, 0x26, 0x36, 0x64, 0x65:
			continue
		case 0x62:
			if i+3 < len(code) {
				return code[i+3], true
			}
		}
		return 0, false
	}
	return 0, false
}

// intelMnemonic is the Intel mnemonic of an instruction, as GNU as and NASM
// spell it.
func intelMnemonic(inst x86asm.Inst) string {
	switch inst.Op {
	case x86asm.MOVSD_XMM:
		return "movsd"
	case x86asm.CMPSD_XMM:
		return "cmpsd"
	case x86asm.VPEXTRW_C5:
		return "vpextrw"
	case x86asm.XLATB:
		return "xlatb"
	case x86asm.ICEBP:
		return "int1"
	case x86asm.INT:
		if len(inst.Args) > 0 && inst.Args[0] == nil && inst.Opcode>>24 == 0xCC {
			return "int3"
		}
	case x86asm.LCALL, x86asm.LJMP, x86asm.LRET:
		return ""
	}
	return strings.ToLower(inst.Op.String())
}

// bindings returns every way the Go operands of s can be the Intel operands:
// registers by identity, immediates by value, memory to memory.
func bindings(s *sample) []binding {
	n := len(s.gargs)
	cands := make([][]int, n)
	for i, g := range s.gargs {
		for j, a := range s.iargs {
			if argMatches(g, a) {
				cands[i] = append(cands[i], j)
			}
		}
		if len(cands[i]) == 0 {
			if g.kind != goReg {
				return nil
			}
			cands[i] = []int{-1}
		}
	}
	var out []binding
	cur := make([]int, n)
	used := make([]bool, len(s.iargs))
	var walk func(i int)
	walk = func(i int) {
		if i == n {
			b := binding{src: append([]int(nil), cur...), literal: make([]string, n)}
			for k, v := range cur {
				if v < 0 {
					b.literal[k] = s.gargs[k].reg
				}
			}
			out = append(out, b)
			return
		}
		for _, j := range cands[i] {
			if j >= 0 {
				if used[j] {
					continue
				}
				used[j] = true
			}
			cur[i] = j
			walk(i + 1)
			if j >= 0 {
				used[j] = false
			}
		}
	}
	walk(0)
	return out
}

func argMatches(g goArg, a x86asm.Arg) bool {
	switch a := a.(type) {
	case x86asm.Reg:
		if g.kind != goReg {
			return false
		}
		gi, ok1 := goRegID(g.reg)
		ii, _, ok2 := intelRegID(a)
		return ok1 && ok2 && gi == ii
	case x86asm.Imm:
		if g.kind != goImm {
			return false
		}
		for _, bits := range []uint{8, 16, 32, 64} {
			mask := uint64(1)<<bits - 1
			if bits == 64 {
				mask = ^uint64(0)
			}
			if uint64(g.imm)&mask == uint64(a)&mask {
				return true
			}
		}
		return false
	case x86asm.Mem:
		if g.kind != goMem {
			return false
		}
		if g.base != "" {
			gi, ok1 := goRegID(g.base)
			ii, _, ok2 := intelRegID(a.Base)
			if !ok1 || !ok2 || gi != ii {
				return false
			}
		} else if a.Base != 0 {
			return false
		}
		if g.index != "" {
			gi, ok1 := goRegID(g.index)
			ii, _, ok2 := intelRegID(a.Index)
			if !ok1 || !ok2 || gi != ii || int64(a.Scale) != g.scale {
				return false
			}
		} else if a.Index != 0 {
			return false
		}
		return a.Disp == g.disp
	}
	return false
}

// memClass is the Intel operand class of a memory operand: m8…m512 by
// size, m when the instruction does not care, vm32x…vm64z for a
// vector-indexed (VSIB) operand, b32/b64 for a broadcast element.
func memClass(inst x86asm.Inst, m x86asm.Mem) string {
	if _, c, ok := intelRegID(m.Index); ok && (c == "xmm" || c == "ymm" || c == "zmm") {
		elt := "32"
		op := inst.Op.String()
		if strings.HasSuffix(op, "PD") || strings.HasSuffix(op, "DQ") || strings.HasSuffix(op, "QQ") {
			elt = "64"
		}
		return "vm" + elt + c[:1]
	}
	switch inst.Op {
	case x86asm.PREFETCHNTA, x86asm.PREFETCHT0, x86asm.PREFETCHT1, x86asm.PREFETCHT2, x86asm.PREFETCHW,
		x86asm.CLFLUSH, x86asm.LEA, x86asm.INVLPG:
		return "m"
	}
	if inst.Broadcast {
		return "b" + strconv.Itoa(8*inst.MemBytes)
	}
	if inst.MemBytes == 0 {
		return "m"
	}
	return "m" + strconv.Itoa(8*inst.MemBytes)
}

// learned is what all the samples of one Intel form agree on.
type learned struct {
	mnem    string
	classes []string // Intel operand classes, in Intel order
	goOp    string
	bind    binding // Go operands (without the opmask) from Intel operands
	maskAt  int     // Go index of the opmask, -1 when never masked
	masked  bool    // seen with an opmask
	bare    bool    // seen without one
	zeroing bool
	rc      bool
	sae     bool
	enc     map[encoding]bool
	samples []*sample
}

func (f *learned) key() string { return f.mnem + " " + strings.Join(f.classes, ",") }

// learn groups the samples by Intel form and Go mnemonic and settles each
// group's operand binding. It returns the forms and a report of every
// sample it could not use and every group it could not settle.
func learn(samples []*sample, report func(string, ...any)) []*learned {
	groups := map[string]*learnGroup{}
	var order []string
	for _, s := range samples {
		bs := bindings(s)
		if len(bs) == 0 {
			report("%s: %s: no operand binding to %s", s.line, goText(s.line), x86asm.IntelSyntax(s.inst, 0, nil))
			continue
		}
		classes := s.classes(bs, report)
		if s.mnem == "" {
			continue
		}
		k := s.mnem + " " + strings.Join(classes, ",") + " " + s.line.op
		g := groups[k]
		if g == nil {
			g = &learnGroup{f: &learned{mnem: s.mnem, classes: classes, goOp: s.line.op, maskAt: -1, enc: map[encoding]bool{}}, binds: map[string]binding{}}
			for _, b := range bs {
				g.binds[b.key()] = b
			}
			groups[k] = g
			order = append(order, k)
		} else if !g.narrow(bs) {
			report("%s: %s: operand binding conflicts with %s", s.line, goText(s.line), g.f.samples[0].line)
			continue
		}
		g.add(s, report)
	}
	var out []*learned
	for _, k := range order {
		g := groups[k]
		g.f.bind = g.best()
		out = append(out, g.f)
	}
	return out
}

// learnGroup is the samples of one Intel form with one Go mnemonic, and
// the operand bindings all of them allow.
type learnGroup struct {
	f     *learned
	binds map[string]binding
}

// narrow keeps the bindings that bs also has, and reports whether any is
// left.
func (g *learnGroup) narrow(bs []binding) bool {
	keep := map[string]binding{}
	for _, b := range bs {
		if _, ok := g.binds[b.key()]; ok {
			keep[b.key()] = b
		}
	}
	if len(keep) == 0 {
		return false
	}
	g.binds = keep
	return true
}

// add adds a sample to the form and what it shows: its encoding, opmask,
// zeroing, rounding.
func (g *learnGroup) add(s *sample, report func(string, ...any)) {
	f := g.f
	f.samples = append(f.samples, s)
	f.enc[s.enc] = true
	if s.mask != 0 {
		if f.maskAt >= 0 && f.maskAt != s.maskAt {
			report("%s: opmask position %d disagrees with %d", s.line, s.maskAt, f.maskAt)
		}
		f.maskAt = s.maskAt
		f.masked = true
	} else {
		f.bare = true
	}
	f.zeroing = f.zeroing || s.zeroing
	f.rc = f.rc || s.rc
	f.sae = f.sae || s.sae
}

// best picks among the bindings left. Several are left when the samples
// never told them apart (the same register in two places): Go's usual
// order, the reverse of Intel's, is preferred.
func (g *learnGroup) best() binding {
	var keys []string
	for bk := range g.binds {
		keys = append(keys, bk)
	}
	sort.Strings(keys)
	best, bestScore := keys[0], -1
	for _, bk := range keys {
		sc := reverseScore(g.binds[bk])
		if sc > bestScore {
			best, bestScore = bk, sc
		}
	}
	return g.binds[best]
}

// classes returns the Intel operand classes of the sample. The Intel
// operands no Go operand refers to are fixed registers or implicit
// memory: they become literal classes (registers, values) or disappear
// (memory). The bindings and s.cargs are remapped to the classes.
func (s *sample) classes(bs []binding, report func(string, ...any)) []string {
	ref := make([]bool, len(s.iargs))
	for _, b := range bs {
		for _, v := range b.src {
			if v >= 0 {
				ref[v] = true
			}
		}
	}
	var classes []string
	remap := make([]int, len(s.iargs))
	for j, a := range s.iargs {
		remap[j] = len(classes)
		switch a := a.(type) {
		case x86asm.Reg:
			_, c, ok := intelRegID(a)
			if !ok {
				report("%s: %s: register %v has no class", s.line, goText(s.line), a)
				c = "?"
			}
			if !ref[j] {
				c = "=" + intelRegName(a)
			}
			classes = append(classes, c)
		case x86asm.Imm:
			if ref[j] {
				classes = append(classes, "imm")
			} else {
				classes = append(classes, "="+strconv.FormatInt(int64(a), 10))
			}
		case x86asm.Mem:
			if !ref[j] {
				remap[j] = -1
				continue
			}
			classes = append(classes, memClass(s.inst, a))
		case x86asm.Rel:
			classes = append(classes, "rel")
		}
	}
	for i := range bs {
		for k, v := range bs[i].src {
			if v >= 0 {
				bs[i].src[k] = remap[v]
			}
		}
	}
	s.cargs = nil
	for j, a := range s.iargs {
		if remap[j] >= 0 {
			s.cargs = append(s.cargs, a)
		}
	}
	// String instructions (movsb, stosq, outsb …): Go writes no operand,
	// and the Intel forms people write have none either.
	if len(s.gargs) == 0 && slices.Contains(remap, -1) {
		return nil
	}
	return classes
}

func reverseScore(b binding) int {
	n := 0
	for i, v := range b.src {
		if v == len(b.src)-1-i {
			n++
		}
	}
	return n
}

func goText(l *goLine) string {
	data := l.op
	if l.suffix != "" {
		data += "." + l.suffix
	}
	return data
}

func hasGoReg(args []goArg, name string) bool {
	for _, a := range args {
		if a.kind == goReg && a.reg == name {
			return true
		}
	}
	return false
}
