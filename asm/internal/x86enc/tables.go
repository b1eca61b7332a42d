package x86enc

// What golang-asm tells once per process: its mnemonics, how it encodes
// each branch, which registers it silently drops.

import (
	"bytes"
	"encoding/binary"
	"sort"
	"sync"

	"github.com/jitrun/jitrun/asm/internal/ir"
	"github.com/twitchyliquid64/golang-asm/asm/arch"
	"github.com/twitchyliquid64/golang-asm/obj"
	"github.com/twitchyliquid64/golang-asm/obj/x86"
	"github.com/twitchyliquid64/golang-asm/objabi"
)

// The encoder's process-wide state. golang-asm keeps its instruction tables in
// package variables of obj/x86 (ycover, opindex, …) that are filled on first
// use and are not safe for concurrent use, so every call into it is made with
// encoderMu held. gasmTables is computed once and read-only afterwards.
var (
	encoderMu   sync.Mutex
	tablesOnce  sync.Once
	tablesValue *gasmTables
)

// gasmTables is what golang-asm tells us once per process.
type gasmTables struct {
	arch *arch.Arch
	// ops maps every Go-syntax mnemonic (with the aliases go tool asm
	// accepts: JA, JZ, MOVD, …) to its opcode.
	ops map[string]obj.As
	// opIndex is ops as a hash table that every instruction looks its
	// mnemonic up in, faster than the map.
	opIndex opIndex
	// branches holds the encodings of the instructions that take a label:
	// JMP, CALL, the conditional jumps, LOOP*, JCXZ* and XBEGIN.
	branches map[obj.As]*BranchForm
	// branchByOp indexes branches by opcode&obj.AMask.
	branchByOp []*BranchForm
	// mnemonics is every accepted mnemonic, for "did you mean" hints.
	mnemonics []string
	// unclassified holds the registers golang-asm has no operand class for:
	// it treats them as absent and drops them from any instruction without
	// a word (HLT SPB assembles to f4; ADDB SPB, AL ignores SPB).
	unclassified []bool // indexed by Reg
	// regOK holds, by Reg, whether a register operand passes checkOperand:
	// a valid register, not TLS, and classified (or SPB). checkInst looks
	// it up instead of calling checkOperand for register operands.
	regOK []bool
}

// BranchForm is how golang-asm encodes a branch to a label: the bytes that
// precede an 8-bit or a 32-bit displacement. A nil slice means the form does
// not exist (LOOP has no near form, CALL and XBEGIN no short form).
type BranchForm struct {
	Short []byte
	Near  []byte
}

func tables() *gasmTables {
	tablesOnce.Do(func() {
		encoderMu.Lock()
		defer encoderMu.Unlock()
		t := &gasmTables{arch: arch.Set("amd64")}
		t.ops = t.arch.Instructions
		// Names newer Go versions use for instructions golang-asm knows by
		// an older name.
		for alias, name := range map[string]string{"MOVBEW": "MOVBEWW", "MOVBEL": "MOVBELL", "MOVBEQ": "MOVBEQQ"} {
			if op, ok := t.ops[name]; ok {
				if _, taken := t.ops[alias]; !taken {
					t.ops[alias] = op
				}
			}
		}
		for name := range t.ops {
			t.mnemonics = append(t.mnemonics, name)
		}
		t.opIndex = newOpIndex(t.ops)
		t.branches = deriveBranchForms(t)
		t.branchByOp = make([]*BranchForm, obj.AMask+1)
		for op, f := range t.branches {
			t.branchByOp[op&obj.AMask] = f
		}
		t.unclassified = probeUnclassified(t)
		t.regOK = make([]bool, x86.MAXREG)
		for r := range t.regOK {
			reg := ir.Reg(r) // checkReg's and checkOperand's tests, in their order
			t.regOK[r] = reg != x86.REG_TLS && isValidReg(reg) && (!t.unclassified[r] || reg == x86.REG_SPB)
		}
		tablesValue = t
	})
	return tablesValue
}

// opIndex maps mnemonics to opcodes: an open-addressing hash table of
// a power-of-two size at least twice the number of mnemonics, probed
// linearly from the slot the top bits of the name's hash pick. A slot
// holds its mnemonic's bytes packed in two words (and the opcode is in a
// parallel slice), so that a lookup reads 16 bytes of a 64 KiB table and
// no string; the few mnemonics above 15 bytes are looked up in long. It
// is read-only once made. Each slot also holds what immFamilySize says of
// its mnemonic, so that validation need not compare names.
type opIndex struct {
	keys  []packedName
	ops   []obj.As
	imm   []byte // immFamilySize of the slot's mnemonic
	mask  uint64 // len(keys)-1
	shift uint   // 64 - log2(len(keys))
	long  map[string]obj.As
}

// packedName is a mnemonic of 1 to 15 bytes: its bytes little-endian in
// the two words, zero-padded, and its length in the top byte of the
// second; the zero packedName is an empty slot.
type packedName [2]uint64

// pack packs name, and reports whether it fits.
func pack(name string) (packedName, bool) {
	lo, hi, ok := packWords(name)
	return packedName{lo, hi}, ok
}

// packWords is pack returning the two words. It reads the name in 8- and
// 4-byte loads (overlapping for the lengths between), not byte by byte:
// every mnemonic is looked up once per instruction.
func packWords(name string) (lo, hi uint64, ok bool) {
	n := len(name)
	if n == 0 || n > 15 {
		return 0, 0, false
	}
	if n <= 8 {
		return packShort(name), uint64(n) << 56, true
	}
	return load32(name) | load32(name[4:])<<32, packShort(name[8:]) | uint64(n)<<56, true
}

// packShort packs a string of at most 8 bytes little-endian into a word,
// zero-padded. Overlapping loads write the same bytes to the same places.
func packShort(s string) uint64 {
	switch n := len(s); {
	case n >= 4:
		return load32(s) | load32(s[n-4:])<<(8*(n-4))
	case n > 0:
		return uint64(s[0]) | uint64(s[n/2])<<(8*(n/2)) | uint64(s[n-1])<<(8*(n-1))
	}
	return 0
}

// load32 returns the first 4 bytes of s, little-endian.
func load32(s string) uint64 {
	_ = s[3]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24
}

// hash mixes the packed bytes (the multipliers are the 64-bit golden
// ratio and a large odd constant): every byte reaches the top bits, which
// pick the slot (Fibonacci hashing).
func (p packedName) hash() uint64 { return hashWords(p[0], p[1]) }

func hashWords(lo, hi uint64) uint64 {
	return lo*0x9E3779B97F4A7C15 + hi*0xC2B2AE3D27D4EB4F
}

func newOpIndex(ops map[string]obj.As) opIndex {
	n, shift := 1, uint(64)
	for n < 2*len(ops) {
		n, shift = n*2, shift-1
	}
	x := opIndex{keys: make([]packedName, n), ops: make([]obj.As, n), imm: make([]byte, n), mask: uint64(n - 1), shift: shift, long: map[string]obj.As{}}
	for name, op := range ops {
		key, ok := pack(name)
		if !ok {
			if name != "" {
				x.long[name] = op
			}
			continue
		}
		i := key.hash() >> x.shift
		for x.keys[i] != (packedName{}) {
			i = (i + 1) & x.mask
		}
		x.keys[i], x.ops[i], x.imm[i] = key, op, immFamilySize(name)
	}
	return x
}

// lookup returns the opcode of mnemonic name.
func (x *opIndex) lookup(name string) (obj.As, bool) {
	op, _, ok := x.find(name)
	return op, ok
}

// find returns the opcode of mnemonic name and its immFamilySize.
func (x *opIndex) find(name string) (obj.As, byte, bool) {
	lo, hi, ok := packWords(name)
	if !ok {
		op, ok := x.long[name]
		return op, immFamilySize(name), ok
	}
	for i := hashWords(lo, hi) >> x.shift; ; i = (i + 1) & x.mask {
		k := &x.keys[i]
		if k[0] == lo && k[1] == hi {
			return x.ops[i], x.imm[i], true
		}
		if k[1] == 0 { // every key has its length there
			return 0, 0, false
		}
	}
}

// newLink returns a fresh golang-asm context whose diagnostics go to diag.
// The caller holds encoderMu.
func newLink(t *gasmTables, diag func(format string, args ...interface{})) *obj.Link {
	ctxt := obj.Linknew(t.arch.LinkArch)
	ctxt.Headtype = objabi.Hlinux
	// IsAsm: no NOP padding of jumps for the Intel jump erratum.
	ctxt.IsAsm = true
	ctxt.DiagFunc = diag
	t.arch.Init(ctxt)
	return ctxt
}

// deriveBranchForms asks golang-asm how it encodes each branch instruction,
// short and near, by assembling tiny programs: the branch followed by gap
// bytes and then its target. Gaps of 0 and 8 must give the same bytes but
// for a last byte of 0 and 8 (the short form, rel8); a gap of 160 must end
// in a 32-bit 160 (the near form, rel32). Nothing here is typed by hand; the
// tests check the result against the Intel manual.
func deriveBranchForms(t *gasmTables) map[obj.As]*BranchForm {
	forms := make(map[obj.As]*BranchForm)
	seen := make(map[obj.As]bool)
	for name, as := range t.ops {
		if !t.arch.IsJump(name) || seen[as] {
			continue
		}
		seen[as] = true
		f := &BranchForm{}
		if as == obj.ACALL {
			// golang-asm encodes CALL only to a symbol: E8 and a relocation.
			if code, nrel := probeBranch(t, as, 0); nrel == 1 && len(code) == 5 {
				f.Near = code[:1]
			}
		} else {
			c0, _ := probeBranch(t, as, 0)
			c8, _ := probeBranch(t, as, 8)
			if n := len(c0); n >= 2 && len(c8) == n && bytes.Equal(c0[:n-1], c8[:n-1]) && c0[n-1] == 0 && c8[n-1] == 8 {
				f.Short = c0[:n-1]
			}
			c160, _ := probeBranch(t, as, 160)
			if n := len(c160); n >= 5 && binary.LittleEndian.Uint32(c160[n-4:]) == 160 {
				f.Near = c160[:n-4]
			}
		}
		if f.Short != nil || f.Near != nil {
			forms[as] = f
		}
	}
	return forms
}

// probeBranch assembles "as → target" with gap bytes between them and returns
// the bytes of the branch and the number of relocations, or nil when
// golang-asm reports a problem.
func probeBranch(t *gasmTables, as obj.As, gap int) (code []byte, nrel int) {
	defer func() {
		if recover() != nil {
			code = nil
		}
	}()
	failed := false
	ctxt := newLink(t, func(string, ...interface{}) { failed = true })
	p := ctxt.NewProg()
	p.As = as
	p.To.Type = obj.TYPE_BRANCH
	if as == obj.ACALL {
		p.To.Sym = &obj.LSym{Name: "probe"}
	}
	last := p
	for i := 0; i < gap/8; i++ {
		q := ctxt.NewProg()
		q.As = x86.AQUAD
		q.From = obj.Addr{Type: obj.TYPE_CONST}
		last.Link = q
		last = q
	}
	target := ctxt.NewProg()
	target.As = x86.AINT
	target.From = obj.Addr{Type: obj.TYPE_CONST, Offset: 3}
	last.Link = target
	if as != obj.ACALL {
		p.To.SetTarget(target)
	}
	s := &obj.LSym{Func: &obj.FuncInfo{Text: p}}
	t.arch.Assemble(ctxt, s, ctxt.NewProg)
	if failed || p.Link == nil {
		return nil, 0
	}
	return append([]byte(nil), s.P[:p.Link.Pc]...), len(s.R)
}

// probeUnclassified finds the registers golang-asm silently drops: HLT
// takes no operand, so HLT r assembles exactly when r is classified as
// "no operand".
func probeUnclassified(t *gasmTables) []bool {
	out := make([]bool, x86.MAXREG)
	ir.Regs(func(_ string, r ir.Reg) {
		failed := false
		ctxt := newLink(t, func(string, ...interface{}) { failed = true })
		p := ctxt.NewProg()
		p.As = x86.AHLT
		p.From = obj.Addr{Type: obj.TYPE_REG, Reg: int16(r)}
		s := &obj.LSym{Func: &obj.FuncInfo{Text: p}}
		func() {
			defer func() {
				if recover() != nil {
					failed = true
				}
			}()
			t.arch.Assemble(ctxt, s, ctxt.NewProg)
		}()
		if !failed {
			out[r] = true
		}
	})
	return out
}

// Mnemonics returns every Go mnemonic the encoder knows (with the aliases
// go tool asm accepts), sorted.
func Mnemonics() []string {
	out := append([]string(nil), tables().mnemonics...)
	sort.Strings(out)
	return out
}

// IsMnemonic reports whether name is a Go mnemonic the encoder knows.
func IsMnemonic(name string) bool {
	_, ok := tables().ops[name]
	return ok
}
