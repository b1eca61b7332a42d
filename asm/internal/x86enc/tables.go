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
	// mnemonic up in: a lookup costs a third of a map's.
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
		tablesValue = t
	})
	return tablesValue
}

// opIndex maps mnemonics to opcodes: an open-addressing hash table of
// a power-of-two size at least twice the number of mnemonics, probed
// linearly from the slot of the name's FNV-1a hash. It is read-only once
// made.
type opIndex struct {
	slots []opSlot
	mask  uint32
}

type opSlot struct {
	name string // "" for an empty slot
	op   obj.As
}

func newOpIndex(ops map[string]obj.As) opIndex {
	n := 1
	for n < 2*len(ops) {
		n *= 2
	}
	x := opIndex{slots: make([]opSlot, n), mask: uint32(n - 1)}
	for name, op := range ops {
		if name == "" {
			continue
		}
		i := hashName(name) & x.mask
		for x.slots[i].name != "" {
			i = (i + 1) & x.mask
		}
		x.slots[i] = opSlot{name, op}
	}
	return x
}

// lookup returns the opcode of mnemonic name.
func (x *opIndex) lookup(name string) (obj.As, bool) {
	if name == "" {
		return 0, false
	}
	for i := hashName(name) & x.mask; ; i = (i + 1) & x.mask {
		s := &x.slots[i]
		if s.name == name {
			return s.op, true
		}
		if s.name == "" {
			return 0, false
		}
	}
}

// hashName is the 32-bit FNV-1a hash of a mnemonic.
func hashName(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
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
