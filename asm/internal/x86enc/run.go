package x86enc

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/twitchyliquid64/golang-asm/obj"
)

// assemble encodes progs as one straight-line block (no branches to labels
// among them) and splits the result per instruction, into out (reused when
// it has room). ok is false when golang-asm reported a problem or
// panicked: the caller then assembles the instructions one by one to find
// out which.
func (b *progBuilder) assemble(progs []*obj.Prog, out []encodedInst) (_ []encodedInst, ok bool) {
	if len(progs) == 0 {
		return out[:0], true
	}
	for i := 0; i+1 < len(progs); i++ {
		progs[i].Link = progs[i+1]
	}
	progs[len(progs)-1].Link = nil
	b.diags = b.diags[:0]
	b.gasmRelocs = b.gasmRelocs[:0]
	b.fn = obj.FuncInfo{Text: progs[0]}
	// P nil: golang-asm makes the bytes anew. R keeps its memory from the
	// last run (golang-asm empties it first).
	b.sym = obj.LSym{Func: &b.fn, R: b.sym.R[:0]}
	s := &b.sym
	if !b.span(s) || len(b.diags) > 0 {
		return nil, false
	}
	out = append(out[:0], make([]encodedInst, len(progs))...)
	r := 0
	for i, p := range progs {
		end := int64(len(s.P))
		if i+1 < len(progs) {
			end = progs[i+1].Pc
		}
		if p.Pc > end || end > int64(len(s.P)) {
			return nil, false
		}
		e := &out[i]
		e.code = s.P[p.Pc:end:end]
		start := len(b.gasmRelocs)
		for ; r < len(s.R) && int64(s.R[r].Off) < end; r++ {
			rel := &s.R[r]
			if rel.Siz == 0 {
				continue // a marker for the linker (R_CALLIND), no bytes to fill
			}
			b.gasmRelocs = append(b.gasmRelocs, gasmReloc{
				Off:  int(int64(rel.Off) - p.Pc),
				Add:  rel.Add,
				Ref:  b.refs[rel.Sym],
				Kind: rel.Type,
			})
		}
		if n := len(b.gasmRelocs); n > start {
			e.relocs = b.gasmRelocs[start:n:n]
		}
	}
	return out, true
}

// span runs golang-asm's assembler on s with the encoder lock held and
// reports whether it returned normally.
func (b *progBuilder) span(s *obj.LSym) (ok bool) {
	encoderMu.Lock()
	defer encoderMu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			b.diags = append(b.diags, fmt.Sprintf("the encoder failed on this instruction (%v)", r))
			ok = false
		}
	}()
	b.t.arch.Assemble(b.ctxt, s, b.ctxt.NewProg)
	return true
}

// assembleOne encodes a single instruction and returns its bytes, or the
// problem golang-asm reported.
func (b *progBuilder) assembleOne(p *obj.Prog) (encodedInst, string) {
	p.Link = nil
	out, ok := b.assemble([]*obj.Prog{p}, nil)
	if !ok {
		msg := "invalid instruction"
		if len(b.diags) > 0 {
			msg = b.diags[0]
		}
		return encodedInst{}, msg
	}
	return out[0], ""
}

// fix applies what progFix asks for to an instruction golang-asm encoded,
// and writes the displacements of PC-relative operands, in place. What is
// left are the bytes and the references left for the layout.
func (enc *encodedInst) fix(f progFix) error {
	if !f.rex && f.seg == 0 && !hasPCRel(enc.relocs) {
		return nil
	}
	if f.rex {
		// Like golang-asm's own REX placement (asm6.go, asmins): after the
		// legacy prefixes, before the opcode.
		np := 0
		for np < len(enc.code) && isLegacyPrefix(enc.code[np]) {
			np++
		}
		if np < len(enc.code) {
			switch c := enc.code[np]; {
			case c == 0xC4 || c == 0xC5 || c == 0x62:
				return fmt.Errorf("SPB (SPL) needs a REX prefix, which a VEX or EVEX instruction cannot have")
			case c&0xF0 != 0x40:
				*enc = enc.insert(np, 0x40)
			}
		}
	}
	if f.seg != 0 {
		*enc = enc.insert(0, f.seg)
	}
	var relocs []gasmReloc
	for _, r := range enc.relocs {
		if r.Ref != pcRelRef {
			relocs = append(relocs, r)
			continue
		}
		// The field holds the displacement from the end of the
		// instruction: golang-asm's addend is that minus the bytes after
		// the field.
		v := r.Add + int64(len(enc.code)-(r.Off+4))
		if v < math.MinInt32 || v > math.MaxInt32 {
			return fmt.Errorf("displacement %d does not fit in 32 bits", v)
		}
		binary.LittleEndian.PutUint32(enc.code[r.Off:], uint32(int32(v)))
	}
	enc.relocs = relocs
	return nil
}

func hasPCRel(relocs []gasmReloc) bool {
	for _, r := range relocs {
		if r.Ref == pcRelRef {
			return true
		}
	}
	return false
}

// insert returns the instruction with byte c inserted at offset i, its
// references moved with the bytes after it.
func (enc encodedInst) insert(i int, c byte) encodedInst {
	code := make([]byte, 0, len(enc.code)+1)
	code = append(append(append(code, enc.code[:i]...), c), enc.code[i:]...)
	relocs := make([]gasmReloc, len(enc.relocs))
	for k, r := range enc.relocs {
		if r.Off >= i {
			r.Off++
		}
		relocs[k] = r
	}
	return encodedInst{code: code, relocs: relocs}
}

// isLegacyPrefix reports whether c is a legacy prefix byte: operand and
// address size, REP/REPNE, LOCK, or a segment override.
func isLegacyPrefix(c byte) bool {
	switch c {
	case 0x66, 0x67, 0xF2, 0xF3, 0xF0, 0x2E, 0x36, 0x3E, 0x26, 0x64, 0x65:
		return true
	}
	return false
}
