package att

// Making the generated signature table (genSigSlots, matchcache.go), as
// go generate does (TestSigsGenerated), and checking it against match.

import (
	"bytes"
	"fmt"
	"go/format"
	"slices"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm/internal/asmtest"
	"github.com/jitrun/jitrun/asm/internal/ir"
)

// sigRegNames are the registers the signatures' register operands are
// made of, one of each class (regClasses); "" for a class no operand has.
var sigRegNames = []string{"", "bl", "bx", "ebx", "rbx", "xmm1", "ymm1", "zmm1", "k1", "mm1", "st1", "fs", "cr0", "dr0", "", "bnd0", "tmm0"}

// sigSpellings returns the mnemonics the generated table holds
// signatures of: each mnemonic of the form table as it is and with each
// size suffix, the AT&T names, and every mnemonic of the oracle corpora
// (the pseudo-mnemonics objdump writes: vcmpltps …), sorted.
func sigSpellings(t testing.TB) []string {
	set := map[string]bool{}
	for i := range genMnems {
		name := genMnems[i].name.String()
		set[name] = true
		for _, s := range []string{"b", "w", "l", "q", "x", "y", "z"} {
			set[name+s] = true
		}
		if name[0] == 'f' {
			for _, s := range []string{"s", "t", "ll"} {
				set[name+s] = true
			}
		}
	}
	for name := range attNames {
		set[name] = true
	}
	for name := range stringOps {
		set[name] = true
	}
	for _, c := range corpora {
		for _, l := range strings.Split(corpusText(t, c), "\n") {
			fields := strings.Fields(l)
			for len(fields) > 0 && prefixes[fields[0]] != "" {
				fields = fields[1:]
			}
			if len(fields) > 0 && fields[0][0] != '#' {
				set[mnemonic(fields[0])] = true
			}
		}
	}
	var out []string
	for name := range set {
		if len(name) <= 16 {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// sigBases returns the Intel mnemonics whose forms mnem may match: itself,
// its AT&T name's, its suffix readings' (and their x87 reversals), its
// pseudo-mnemonic's base.
func sigBases(mnem string) []string {
	bases := []string{mnem}
	if a, ok := attNames[mnem]; ok {
		bases = append(bases, a.intel)
	}
	for _, r := range suffixReadings(mnem, nil) {
		bases = append(bases, r.base)
	}
	if base, _, ok := pseudoOp(mnem); ok {
		bases = append(bases, base)
	}
	for _, b := range bases {
		if other, ok := x87Reversed[b]; ok {
			bases = append(bases, other)
		}
	}
	slices.Sort(bases)
	return slices.Compact(bases)
}

// sigOperands returns operands (Intel order) of the signature of the
// classes cs: for a fixed register, a register of its class (which
// litEntries makes the fixed one too); false when a class fixes an
// immediate, or has no such operand.
func sigOperands(cs []class) ([]*operand, bool) {
	var ops []*operand
	for _, c := range cs {
		o := &operand{col: 1, text: "x"}
		switch c.kind {
		case cReg, cLitReg:
			id := c.id
			if c.kind == cLitReg {
				id = regClassID(ir.LookupIntelRegRef(litRegName(int(c.lit))).Class())
			}
			if int(id) >= len(sigRegNames) || sigRegNames[id] == "" {
				return nil, false
			}
			r := ir.LookupIntelRegRef(sigRegNames[id])
			if r.ID == 0 {
				return nil, false
			}
			o.kind, o.reg, o.class, o.regText = oReg, r, id, "%"+r.Name()
		case cImm:
			o.kind, o.imm = oImm, 2
		case cMem, cMemN, cBcst, cVSIB:
			o.kind, o.base = oMem, ir.LookupIntelRegRef("rax")
			if c.kind == cBcst {
				o.bcst = c.n
			}
			if c.kind == cVSIB {
				index := ir.LookupIntelRegRef(regClasses[c.id] + "2")
				if index.ID == 0 {
					return nil, false
				}
				o.index, o.indexClass, o.scale = index, c.id, 1
			}
		default:
			return nil, false
		}
		ops = append(ops, o)
	}
	return ops, true
}

// packEntry packs e in a word (entryOf unpacks it); false when it does
// not fit: more than one added immediate or one outside 0-255, a size
// not whole bytes or 256 bytes or more, an operand past maxSigOps with
// a size.
func packEntry(e *matchEntry) (uint64, bool) {
	v := uint64(e.form) | uint64(e.keep)<<entryKeepShift
	if e.keep > 7 || e.nExtras > 1 {
		return 0, false
	}
	if e.nExtras == 1 {
		x := e.extras[0]
		if x.imm < 0 || x.imm > 0xff {
			return 0, false
		}
		v |= entryExtraBit | uint64(x.imm)<<entryImmShift
		if x.dollar {
			v |= entryDollarBit
		}
	}
	for i, size := range e.sizes {
		if size == 0 {
			continue
		}
		if size&7 != 0 || size>>3 > 0xff || i >= maxSigOps {
			return 0, false
		}
		v |= uint64(size>>3) << (entrySizesShift + 8*i)
	}
	return v, true
}

// entryOf unpacks an entry packEntry packed.
func entryOf(v uint64) matchEntry {
	e := matchEntry{form: uint16(v), keep: uint8(v >> entryKeepShift & 7)}
	if v&entryExtraBit != 0 {
		e.nExtras = 1
		e.extras[0] = extraImm{imm: int16(v >> entryImmShift & 0xff), dollar: v&entryDollarBit != 0}
	}
	for i := range maxSigOps {
		e.sizes[i] = uint16(v>>(entrySizesShift+8*i)&0xff) << 3
	}
	return e
}

// cloneOps returns copies of ops.
func cloneOps(ops []*operand) []*operand {
	out := make([]*operand, len(ops))
	for i, o := range ops {
		c := *o
		out[i] = &c
	}
	return out
}

// matchEntryOf returns what match makes of mnem and ops (Intel order,
// not changed) as the parser would remember it; false when match fails,
// reads more of the operands than their signature, or the parser would
// not remember it.
func matchEntryOf(mnem string, ops []*operand) (matchEntry, bool) {
	return matchEntryUpTo(mnem, ops, 0)
}

// matchEntryUpTo is matchEntryOf of a match that may read the operands
// up to level (0 or readsLitRegs) beyond their signature.
func matchEntryUpTo(mnem string, ops []*operand, level uint8) (matchEntry, bool) {
	p := newParser("t.s", nil, Options{}, false, 8)
	in := cloneOps(ops)
	work := slices.Clone(in)
	tok := token{kind: tIdent, text: mnem, col: 1}
	f, name, out, ok := p.match(mnem, tok, work)
	if !ok || p.namesRead > level || len(p.errs.List()) > 0 {
		return matchEntry{}, false
	}
	e, ok := p.remembered(f, name, in, out, tok)
	if !ok {
		return matchEntry{}, false
	}
	return *e, true
}

// genSigTable is the generated signature table: genSigSlots and
// genSigIndex (findGenSig).
type genSigTable struct {
	slots []sigSlot
	index []uint16
}

// newSigSlots matches, as go generate does, every signature of the
// forms of each spelling's bases (sigBases; with and without a last
// immediate, which a pseudo-mnemonic adds) and lays out in an open
// addressed table, at most three quarters full, what match makes of
// those it remembers (matchEntryOf) and packEntry packs, by key, and
// indexes them.
func newSigSlots(tb testing.TB) genSigTable {
	var t genSigTable
	if len(genLitNames) >= 16 {
		tb.Fatalf("%d fixed registers: litSig packs their numbers in 4 bits", len(genLitNames))
	}
	var entries []sigEntry
	seen := map[sigKey]bool{}
	for _, mnem := range sigSpellings(tb) {
		for _, base := range sigBases(mnem) {
			mf := formsOf(base)
			for j := mf.first; j < mf.end; j++ {
				cs := genForms[j].classList()
				variants := [][]class{cs}
				if n := len(cs); n > 0 && cs[n-1].kind == cImm {
					variants = append(variants, cs[:n-1])
				}
				for _, v := range variants {
					ops, ok := sigOperands(v)
					if !ok {
						continue
					}
					key, ok := packSig(mnem, mnemKey{}, ops)
					if !ok || seen[key] {
						continue
					}
					seen[key] = true
					e, ok := matchEntryOf(mnem, ops)
					if !ok {
						// Its match may read which fixed registers
						// the registers are.
						entries = append(entries, litEntries(mnem, ops, seen)...)
						continue
					}
					val, ok := packEntry(&e)
					if !ok {
						continue
					}
					entries = append(entries, sigEntry{key, val})
				}
			}
		}
	}
	slices.SortFunc(entries, func(a, b sigEntry) int {
		for i := range a.key {
			if a.key[i] != b.key[i] {
				if a.key[i] < b.key[i] {
					return -1
				}
				return 1
			}
		}
		return 0
	})
	// An index of half its slots or fewer: about one look in
	// the index a search.
	size := 1
	for size < len(entries)*2 {
		size *= 2
	}
	t.index = make([]uint16, size)
	for j, e := range entries {
		i := e.key.slot(size)
		for t.index[i] != 0 {
			i = (i + 1) & (size - 1)
		}
		t.index[i] = uint16(j + 1)
		t.slots = append(t.slots, sigSlot{e.key, e.val})
	}
	return t
}

// sigEntry is an entry of the generated table: a signature's key and
// what match makes of it, packed (packEntry).
type sigEntry struct {
	key sigKey
	val uint64
}

// litEntries returns the entries of level readsLitRegs (litSig) of mnem
// and the operands ops, whose signature match reads beyond: one for each
// choice, for every register operand, of the register sigOperands made
// or one of the fixed registers of its class, whose match reads no
// further and packs; seen holds the keys taken already.
func litEntries(mnem string, ops []*operand, seen map[sigKey]bool) []sigEntry {
	choices := make([][]*operand, len(ops))
	for i, o := range ops {
		choices[i] = []*operand{o}
		if o.kind != oReg {
			continue
		}
		for n := range genLitNames {
			r := ir.LookupIntelRegRef(litRegName(n))
			if r.ID != 0 && regClassID(r.Class()) == o.class {
				c := *o
				c.reg, c.regText = r, "%"+r.Name()
				choices[i] = append(choices[i], &c)
			}
		}
	}
	var out []sigEntry
	pick := make([]int, len(ops))
	for {
		in := make([]*operand, len(ops))
		for i, k := range pick {
			in[i] = choices[i][k]
		}
		if sig, ok := packSig(mnem, mnemKey{}, in); ok {
			if key := litSig(&sig, in); !seen[key] {
				seen[key] = true
				if e, ok := matchEntryUpTo(mnem, in, readsLitRegs); ok {
					if val, ok := packEntry(&e); ok {
						out = append(out, sigEntry{key, val})
					}
				}
			}
		}
		// The next choice, the last operand's first.
		i := len(pick) - 1
		for i >= 0 && pick[i] == len(choices[i])-1 {
			pick[i] = 0
			i--
		}
		if i < 0 {
			return out
		}
		pick[i]++
	}
}

// sigsSource writes data_sigs_gen.go: t as genSigSlots and genSigIndex.
func sigsSource(t genSigTable) ([]byte, error) {
	if len(t.slots) >= 1<<16 {
		return nil, fmt.Errorf("%d signatures: more than genSigIndex numbers", len(t.slots))
	}
	var b bytes.Buffer
	b.WriteString("// Code generated by go test -run ^TestSigsGenerated$ -generate; DO NOT EDIT.\n\n")
	b.WriteString("package att\n\n")
	fmt.Fprintf(&b, "// genSigSlots are the signatures go generate matched, by key, and what\n")
	b.WriteString("// match makes of them (packEntry): see findGenSig.\n")
	fmt.Fprintf(&b, "var genSigSlots = [%d]sigSlot{\n", len(t.slots))
	for _, s := range t.slots {
		fmt.Fprintf(&b, "{sigKey{%#x, %#x, %#x}, %#x},\n", s.key[0], s.key[1], s.key[2], s.val)
	}
	b.WriteString("}\n\n")
	b.WriteString("// genSigIndex is the open addressed table of genSigSlots (findGenSig):\n")
	b.WriteString("// 1 + an index in it; the slots not listed are empty.\n")
	fmt.Fprintf(&b, "var genSigIndex = [%d]uint16{\n", len(t.index))
	for i, j := range t.index {
		if j != 0 {
			fmt.Fprintf(&b, "%d: %d,\n", i, j)
		}
	}
	b.WriteString("}\n")
	return format.Source(b.Bytes())
}

// TestSigsGenerated checks that data_sigs_gen.go is what -generate
// writes from the form table and match as they are now (newSigSlots):
// a form table or a match changed without go generate fails here. With
// -generate (go generate) it writes data_sigs_gen.go instead.
//
//go:generate go test -run ^TestSigsGenerated$ -generate .
func TestSigsGenerated(t *testing.T) {
	src, err := sigsSource(newSigSlots(t))
	if err != nil {
		t.Fatal(err)
	}
	asmtest.Generated(t, "data_sigs_gen.go", src, *generate, "the form table and match", "./asm/internal/att")
}

// sigKeyOperands returns the mnemonic and operands (Intel order) of a
// signature packSig packed, as sigOperands makes them (a memory operand
// with a general index register when generalIndex); false when it has
// an operand sigOperands does not make.
func sigKeyOperands(key sigKey, generalIndex bool) (string, []*operand, bool) {
	var name []byte
	for _, w := range key[:2] {
		for ; w != 0; w >>= 8 {
			name = append(name, byte(w))
		}
	}
	var ops []*operand
	for i := range maxSigOps {
		v := key[2] >> (sigOpBits * i) & (1<<sigOpBits - 1)
		if v == 0 {
			break
		}
		o := &operand{col: 1, text: "x", kind: opKind(v & 7)}
		switch o.kind {
		case oReg:
			o.class = uint8(v >> 3 & 31)
			if int(o.class) >= len(sigRegNames) || sigRegNames[o.class] == "" {
				return "", nil, false
			}
			o.reg = ir.LookupIntelRegRef(sigRegNames[o.class])
			if n := v >> 8 & 15; n > 0 && key[2]&litSigBit != 0 {
				// A fixed register (litSig).
				o.reg = ir.LookupIntelRegRef(litRegName(int(n - 1)))
			}
			o.regText = "%" + o.reg.Name()
		case oImm:
			o.imm = 2
		case oMem:
			o.base = ir.LookupIntelRegRef("rax")
			if b := v >> 8 & 15; b > 0 {
				o.bcst = 1 << (b - 1)
			}
			if c := uint8(v >> 3 & 31); c != 0 {
				o.index, o.indexClass, o.scale = ir.LookupIntelRegRef(regClasses[c]+"2"), c, 1
			} else if generalIndex {
				o.index, o.indexClass, o.scale = ir.LookupIntelRegRef("rcx"), regClassID("r64"), 4
			}
		default:
			return "", nil, false
		}
		ops = append(ops, o)
	}
	return string(name), ops, true
}

// TestGenSigEntries checks every entry of the compiled table against
// match: findGenSig finds it, and it is what match makes (matchEntryOf)
// of operands of its signature, with and without a general index
// register (which the signature leaves out).
func TestGenSigEntries(t *testing.T) {
	for i := range genSigSlots {
		s := &genSigSlots[i]
		if v, ok := findGenSig(&s.key); !ok || v != s.val {
			t.Fatalf("entry %d: findGenSig does not find its key", i)
		}
		for _, generalIndex := range []bool{false, true} {
			mnem, ops, ok := sigKeyOperands(s.key, generalIndex)
			if !ok {
				t.Fatalf("entry %d: %#x: an operand the generator does not make", i, s.key)
			}
			key, ok := packSig(mnem, mnemKey{}, ops)
			level := uint8(0)
			if s.key[2]&litSigBit != 0 {
				key = litSig(&key, ops)
				level = readsLitRegs
			}
			if !ok || key != s.key {
				t.Fatalf("entry %d: %s %d operands packs to %#x, not its key %#x", i, mnem, len(ops), key, s.key)
			}
			e, ok := matchEntryUpTo(mnem, ops, level)
			if !ok {
				t.Fatalf("entry %d: match does not make an entry of %s %d operands", i, mnem, len(ops))
			}
			if v, ok := packEntry(&e); !ok || v != s.val || entryOf(v) != e {
				t.Errorf("entry %d: %s %d operands: match makes %+v, the table says %+v", i, mnem, len(ops), e, entryOf(s.val))
			}
		}
	}
	if n := len(genSigSlots); n < 1000 {
		t.Errorf("only %d signatures in the generated table", n)
	}
}
