package x86enc

import (
	"encoding/binary"
	"slices"
	"strings"
	"sync"

	"github.com/jitrun/jitrun/asm/internal/ir"
	"github.com/twitchyliquid64/golang-asm/obj"
	"github.com/twitchyliquid64/golang-asm/objabi"
)

// Batch encodes the instructions of one assembly. Add validates an
// instruction and says how it becomes bytes; the ones golang-asm encodes
// wait in the batch until Encode returns their results, a chunk at a
// time, so that the encoder's scratch state stays small whatever the size
// of the source (golang-asm itself runs every runSize of them). A Batch
// is not safe for concurrent use; Batches are independent of each other.
type Batch struct {
	t     *gasmTables
	b     *progBuilder
	queue []queued
	// run is how many instructions of queue golang-asm has encoded (their
	// results are out[:run]): Add runs it every runSize instructions
	// (runQueued), Encode for the rest.
	run int
	// stale says out and relocs hold the last Encode's results, which the
	// next run replaces.
	stale bool
	// ops remembers the mnemonics Add looked up (it holds no pointers:
	// nothing of an assembly).
	ops opCache
	// Buffers Encode reuses from one chunk to the next, and from one
	// assembly to the next (batches). progs holds the Progs of the
	// instructions golang-asm has not run over yet (queue[run:]).
	progs  []*obj.Prog
	raw    []encodedInst
	out    []Encoded
	relocs []Reloc
	// most is the most instructions a chunk has had since NewBatch: what
	// of the buffers Release clears.
	most int
}

// runSize is how many queued instructions golang-asm encodes in one run.
// Small enough that their Progs (200 bytes each, from the builder's
// blocks, reused run after run) stay in the processor's first-level data
// cache from Add to the end of the run: golang-asm walks the Prog list
// several times, and a chunk's worth of Progs (Encode's) does not fit
// there. Encodings do not depend on the run an instruction is in.
const runSize = 64

// queued is an instruction waiting for golang-asm.
type queued struct {
	inst     *ir.Inst
	op       obj.As
	prog     *obj.Prog // until its run ends (runQueued): then handed out again
	fix      progFix
	highByte bool // instFacts.highByte
}

// Plan says how Add will turn an instruction into bytes: exactly one of
// Bytes, Branch and Queued is set.
type Plan struct {
	// Bytes are the instruction's bytes (not to be modified), known
	// without golang-asm: the one-byte NOP, RET $n.
	Bytes []byte
	// Branch is how the branch encodes for a label target (Args[0], a
	// LabelOperand): the layout picks the short or the near form.
	Branch *BranchForm
	// Queued says the instruction waits for Encode.
	Queued bool
}

// Encoded is one instruction golang-asm encoded: its bytes and the
// references they hold, or the error that stopped it (named in the
// instruction's own syntax, without a position).
type Encoded struct {
	Code   []byte
	Relocs []Reloc
	Err    error
}

// Reloc is a 4-byte PC-relative field at Off in an instruction's bytes
// that must hold Sym + Add - (the address of the end of the field).
type Reloc struct {
	Off int
	Add int64
	Sym ir.SymRef
}

// Float is a floating-point constant instructions read from memory
// (MOVSD $(1.5), X0): a read-only data symbol the layout places.
type Float struct {
	Sym   ir.SymRef
	Bytes []byte
	Pos   ir.Pos // where it was first used
}

// batches recycles Batches between assemblies (a cache: a released Batch
// holds nothing of its assembly, only the capacity of its buffers).
// Making one makes a golang-asm Link, and obj.Linknew reads the working
// directory (system calls), which costs more than assembling a few
// instructions; its buffers are a few hundred kilobytes.
var batches sync.Pool

// NewBatch returns an empty Batch with room for n queued instructions (it
// grows past them). Release it when done.
func NewBatch(n int) *Batch {
	t := tables()
	if b, ok := batches.Get().(*Batch); ok && b.t == t {
		return b
	}
	return &Batch{
		t:     t,
		b:     newProgBuilder(t),
		queue: make([]queued, 0, n),
		progs: make([]*obj.Prog, 0, n),
		raw:   make([]encodedInst, 0, n),
		out:   make([]Encoded, 0, n),
	}
}

// Release returns the Batch's scratch memory for reuse. The Batch must not
// be used afterwards, nor what its last Encode returned.
func (b *Batch) Release() {
	b.b.release()
	n := max(b.most, len(b.queue))
	clear(b.queue[:min(n, cap(b.queue))])
	clear(b.progs[:min(n, cap(b.progs))])
	clear(b.raw[:min(n, cap(b.raw))])
	clear(b.out[:min(n, cap(b.out))])
	clear(b.relocs[:cap(b.relocs)])
	b.queue, b.progs, b.raw, b.out, b.relocs = b.queue[:0], b.progs[:0], b.raw[:0], b.out[:0], b.relocs[:0]
	b.most, b.run, b.stale = 0, 0, false
	batches.Put(b)
}

// Add validates an instruction and plans its encoding. A queued
// instruction gets its Encoded from the next Encode.
func (b *Batch) Add(in *ir.Inst) (Plan, error) {
	if in.Op == "NOP" && len(in.Args) == 0 {
		// go tool asm's NOP is a zero-byte pseudo-instruction; here it is
		// the one-byte NOP a reader of the source expects.
		return Plan{Bytes: nop}, nil
	}
	var facts instFacts
	op, err := checkInst(b.t, &b.ops, in, &facts)
	if err != nil {
		return Plan{}, err
	}
	if f := b.t.branch(op); f != nil && len(in.Args) == 1 && in.Args[0].Kind == ir.LabelOperand {
		return Plan{Branch: f}, nil
	}
	if op == obj.ARET && len(in.Args) == 1 && in.Args[0].Kind == ir.ImmOperand {
		// RET $n (C2 iw): go tool asm has no such form, golang-asm no
		// encoding. checkInst has checked that n fits in 16 bits.
		n := uint16(in.Args[0].Imm)
		return Plan{Bytes: []byte{0xC2, byte(n), byte(n >> 8)}}, nil
	}
	p, err := b.b.prog(in, op)
	if err != nil {
		return Plan{}, err
	}
	b.queue = append(b.queue, queued{inst: in, op: op, prog: p, fix: facts.fix, highByte: facts.highByte})
	b.progs = append(b.progs, p) // for runQueued, while p is in cache
	if len(b.queue)-b.run >= runSize {
		b.runQueued()
	}
	return Plan{Queued: true}, nil
}

// nop is the one-byte NOP, read-only.
var nop = []byte{0x90}

// Queued is the number of instructions waiting for Encode.
func (b *Batch) Queued() int { return len(b.queue) }

// Encode encodes the queued instructions and returns one Encoded for each,
// in the order they were added; the slice, and the Relocs of its
// elements, are valid until the next Add or Encode. Add has already run
// golang-asm over all but the last few (runQueued).
func (b *Batch) Encode() []Encoded {
	if len(b.queue) == 0 {
		return nil
	}
	b.most = max(b.most, len(b.queue))
	if b.run < len(b.queue) {
		b.runQueued()
	}
	out := b.out
	// The buffers keep what they held until the next chunk overwrites it:
	// at most a chunk of instructions.
	b.queue = b.queue[:0]
	b.run = 0
	b.stale = true
	return out
}

// runQueued encodes the queued instructions not encoded yet, appending
// their results to out. Encodings do not depend on position, so they are
// encoded in one golang-asm run; when that run fails, one at a time, to
// find which failed and why. Their Progs are handed out again afterwards.
func (b *Batch) runQueued() {
	if b.stale {
		// The results of the last Encode are not wanted any more.
		b.out = b.out[:0]
		b.relocs = b.relocs[:0]
		b.stale = false
	}
	pending := b.queue[b.run:]
	b.run = len(b.queue)
	// b.progs holds the Progs of pending (Add appended them).
	raw, ok := b.b.assemble(b.progs, b.raw)
	if ok {
		b.raw = raw // the buffer, for the next run
	}
	first := len(b.out)
	b.out = append(b.out, make([]Encoded, len(pending))...)
	out := b.out[first:]
	for i := range pending {
		q := &pending[i]
		if ok {
			b.finish(q, &raw[i], &out[i])
			continue
		}
		enc, err := b.encodeAlone(*q)
		if err != nil {
			out[i].Err = err
			continue
		}
		b.finish(q, &enc, &out[i])
	}
	b.progs = b.progs[:0]
	b.b.reset()
}

// encodeAlone encodes one instruction on its own, and explains why
// golang-asm refused it.
func (b *Batch) encodeAlone(q queued) (encodedInst, error) {
	enc, msg := b.b.assembleOne(q.prog)
	if msg == "" {
		return enc, nil
	}
	return b.explain(q, msg)
}

// finish completes golang-asm's bytes for an instruction (progFix), checks
// them, and keeps the references a layout resolves: PC-relative ones to a
// symbol of the source. It writes out, which is zero.
func (b *Batch) finish(q *queued, enc *encodedInst, out *Encoded) {
	in := q.inst
	// fix has nothing to do without a progFix or references, checkEncoded
	// nothing for bytes without a high-byte register: most instructions
	// skip both calls.
	if q.fix != (progFix{}) || len(enc.relocs) > 0 {
		if err := enc.fix(q.fix); err != nil {
			out.Err = ir.Spell(in).Errorf("%v", err)
			return
		}
	}
	if len(enc.code) == 0 || q.highByte {
		if err := checkEncoded(in, enc.code, q.highByte); err != nil {
			out.Err = err
			return
		}
	}
	if len(enc.relocs) == 0 {
		out.Code = enc.code
		return
	}
	start := len(b.relocs)
	for _, r := range enc.relocs {
		if r.Ref.Name == "" || r.Kind != objabi.R_PCREL {
			b.relocs = b.relocs[:start]
			out.Err = ir.Spell(in).Errorf("this reference needs a linker (relocation %v); only PC-relative references to symbols of the same source work", r.Kind)
			return
		}
		b.relocs = append(b.relocs, Reloc{Off: r.Off, Add: r.Add, Sym: r.Ref})
	}
	out.Code = enc.code
	out.Relocs = b.relocs[start:len(b.relocs):len(b.relocs)]
}

// Floats returns the float constants the instructions added so far read,
// sorted by name.
func (b *Batch) Floats() []Float {
	if len(b.b.floats) == 0 {
		return nil
	}
	out := make([]Float, 0, len(b.b.floats))
	for ref, bits := range b.b.floats {
		f := Float{Sym: ref, Pos: b.b.floatPos[ref]}
		if strings.HasPrefix(ref.Name, "$f32.") {
			f.Bytes = binary.LittleEndian.AppendUint32(nil, uint32(bits))
		} else {
			f.Bytes = binary.LittleEndian.AppendUint64(nil, bits)
		}
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, c Float) int { return strings.Compare(a.Sym.Name, c.Sym.Name) })
	return out
}
