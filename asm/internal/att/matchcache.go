package att

// The parser's memory of matches. A source says the same few kinds of
// instruction many times (movq %rax, 8(%rsp); movq %rcx, 16(%rsp)), and
// matching one against the form table (its AT&T names, suffix readings,
// string and shift forms, the forms that fit, the pick among them) costs
// more than reading its operands. So the parser remembers what match
// made of each mnemonic and operand signature that matched: the form,
// the Intel name, the sizes it gave the memory operands, and the
// operands it dropped or added.
//
// The signature holds what match reads of the operands: their kinds,
// register classes, memory sizes, broadcasts and vector index classes.
// Some paths of match read more, and say so before they do: fitting a
// form with a fixed register (add $1, %al; shl %cl, %eax) reads which of
// those registers an operand is (readsLitRegs); the string instructions,
// xlat, %st and the implicit operands of monitor read which registers
// and addresses the operands are (readsAll). Whether match reads more,
// and how much, up to its first such reading, depends on the signature
// alone; so the parser remembers, under the signature, the most any
// match of it read, and each match under the finer signature of what it
// read: the fixed register each register operand is, or every register,
// base, index, displacement and immediate as they are. Only matches that
// succeed are remembered, so a mistake is always explained by match
// itself.
//
// The signature is a string of bytes (matchKey), except the usual one:
// a mnemonic of up to 16 bytes and up to 4 plain operands pack in three
// words (packSig), looked up in a table of its own (sigTable) without
// hashing a string or copying the key.
//
// Most signatures a source has are those of the form table's forms,
// under the names AT&T writes them with; so go generate matches those
// once (TestSigsGenerated) and keeps what match made of each that it
// reads no further than its signature in a read-only table
// (genSigSlots, findGenSig). It keeps there too the finer signatures of
// those whose match reads which fixed registers the registers are (the
// shifts, in and out, blendv, x87 arithmetic: litSig), for every choice
// of the fixed registers of their classes. An instruction of such a
// signature is matched by one or two look ups there, in every source
// from its first line; the parser's memory holds the others (on the
// AT&T amd64enc.s, 33 of 10,063 instructions, the string instructions
// that read every part of their operands, where it held 279).

import (
	"math/bits"
	"strconv"
	"strings"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

const (
	// maxCachedOps is the most operands a remembered match has.
	maxCachedOps = 6
	// maxCachedExtras is the most operands a remembered match adds (the
	// 1 of a shift, the predicate of a pseudo-mnemonic).
	maxCachedExtras = 2
	// maxMatches bounds the matches a parser remembers.
	maxMatches = 4096
	// keyChunk is the room each block of remembered keys is made with.
	keyChunk = 8 << 10
)

// What match read beyond the signature.
const (
	readsLitRegs uint8 = 1 + iota // which fixed register each register is
	readsAll                      // every part of every operand
)

// matchEntry is what match made of a mnemonic and an operand signature.
type matchEntry struct {
	// named is, under a signature, the most any match of it read beyond
	// it (readsLitRegs, readsAll): look up the finer signatures.
	named uint8
	// keep is how many of the operands (Intel order) the form takes as
	// they are; extras are the nExtras immediates match adds after them
	// (nil when it adds none, as most do).
	keep, nExtras uint8
	// sizes are the memory operands' sizes after match (suffixes and
	// AT&T names size them), by operand.
	sizes [maxCachedOps]uint16
	// form is 1 + the index in genForms of the form match found (its
	// mnemonic is the Intel name match returned); 0 in an entry that
	// only says named.
	form   uint16
	extras [maxCachedExtras]extraImm
}

// extraImm is an immediate match adds (the 1 of a shift, a predicate):
// its value, and whether its text is $ and the value (else the value).
// An entry holds no pointer, so the garbage collector never reads the
// parser's memory of matches.
type extraImm struct {
	imm    int16
	dollar bool
}

// text is the immediate as match wrote it.
func (x extraImm) text() string {
	switch {
	case x.dollar && x.imm == 1:
		return "$1"
	case x.dollar:
		return "$" + strconv.Itoa(int(x.imm))
	}
	return strconv.Itoa(int(x.imm))
}

// readsNames records that match reads which registers the operands are,
// or the values of their parts, beyond what the signature holds. It
// returns true, to sit in a condition before the reading.
func (p *parser) readsNames() bool {
	p.namesRead = readsAll
	return true
}

// litName returns 1 + the index of a register among the fixed registers
// of the forms, or 0.
func litName(r *operand) byte {
	for i := range genLitNames {
		if r.reg.Name() == litRegName(i) && i < 255 {
			return byte(i + 1)
		}
	}
	return 0
}

// matchKey appends to buf[:0] the signature of mnem and ops, the finer
// one of what match read (level: 0, readsLitRegs, readsAll); false when
// the match is not one to remember.
func matchKey(buf []byte, mnem string, ops []*operand, level uint8) ([]byte, bool) {
	if len(ops) > maxCachedOps || strings.HasPrefix(mnem, "movabs") {
		// movabs makes its bytes from the operands' values.
		return buf, false
	}
	fine := level == readsAll
	b := append(buf[:0], level)
	b = append(b, mnem...)
	b = append(b, 0)
	for _, o := range ops {
		b = append(b, byte(o.kind))
		switch o.kind {
		case oReg:
			b = append(b, o.class)
			if level == readsLitRegs {
				b = append(b, litName(o))
			}
			if fine {
				b = append(b, byte(o.reg.Reg), byte(o.reg.Reg>>8))
			}
		case oImm:
			if fine {
				b = appendInt64(b, o.imm)
			}
		case oMem:
			if o.size > 0xffff || o.bcst > 0xff {
				return b, false
			}
			b = append(b, byte(o.size), byte(o.size>>8), byte(o.bcst), vsibClass(o))
			if fine {
				if len(o.sym) > 0xff {
					return b, false
				}
				b = append(b, byte(o.base.Reg), byte(o.base.Reg>>8), byte(o.index.Reg), byte(o.index.Reg>>8))
				b = appendInt64(b, o.disp)
				b = append(b, byte(len(o.sym)))
				b = append(b, o.sym...)
			}
		default:
			return b, false
		}
	}
	return b, true
}

func appendInt64(b []byte, v int64) []byte {
	for i := 0; i < 64; i += 8 {
		b = append(b, byte(v>>i))
	}
	return b
}

// keyString returns key as a string that lives as long as the parser's
// memory of matches: its bytes are copied into the current block of keys
// (one allocation for many keys; a strings.Builder never changes the
// bytes it has handed out).
func (p *parser) keyString(key []byte) string {
	b := &p.keyBlock
	if b.Cap()-b.Len() < len(key) {
		b.Reset()
		b.Grow(max(keyChunk, len(key)))
	}
	start := b.Len()
	b.Write(key)
	return b.String()[start:]
}

// sigKey is the signature matchKey writes at level 0, packed in words
// (packSig): the mnemonic's bytes, then sigOpBits bits an operand
// (sigOp), with the mnemonic's length above them.
type sigKey [3]uint64

// maxSigOps is the most operands a signature that packs has.
const maxSigOps = 4

// sigOpBits is the room of an operand in a packed signature (sigOp).
const sigOpBits = 12

// movabsWord is "movabs" packed as packSig packs a mnemonic's first 8
// bytes.
const movabsWord = uint64('m') | uint64('o')<<8 | uint64('v')<<16 | uint64('a')<<24 | uint64('b')<<32 | uint64('s')<<40

// vsibClass is what match reads of a memory operand's index: the class
// of a vector index register (xmm, ymm, zmm), 0 for a general register
// or none (fits tells them apart no further).
func vsibClass(o *operand) uint8 {
	if o.indexClass >= 5 && o.indexClass <= 7 {
		return o.indexClass
	}
	return 0
}

// sigOp packs what the signature holds of an operand in sigOpBits bits:
// its kind (bits 0-2); a register's class or a memory operand's vector
// index class (vsibClass) (3-7); a memory operand's broadcast, as the
// length of its binary (8-11). false when they do not fit: a class of 32
// or more, a memory operand with a size (match gives it one; a parsed
// operand has none) or a broadcast that is not a power of two below
// 256, another kind.
func sigOp(o *operand) (uint64, bool) {
	switch {
	case o.kind == oReg && o.class < 32:
		return uint64(oReg) | uint64(o.class)<<3, true
	case o.kind == oImm:
		return uint64(oImm), true
	}
	if o.kind != oMem || o.size != 0 || uint(o.bcst) > 0xff || o.bcst&(o.bcst-1) != 0 {
		return 0, false
	}
	return uint64(oMem) | uint64(vsibClass(o))<<3 | uint64(bits.Len(uint(o.bcst)))<<8, true
}

// packSig packs the level-0 signature of mnem and ops (matchKey); false
// when it does not pack (a mnemonic of more than 16 bytes, more than
// maxSigOps operands, an operand sigOp does not pack) or matchKey would
// not remember it (movabs). A signature that packs says all its level-0
// key says: the mnemonic (its bytes and length), and every operand (the
// kinds, none zero, say how many).
// mk is mnem packed already, when mk.ok.
func packSig(mnem string, mk mnemKey, ops []*operand) (sigKey, bool) {
	var k sigKey
	if len(mnem) > 16 || len(ops) > maxSigOps {
		return k, false
	}
	lo, hi := mk.lo, mk.hi
	if !mk.ok {
		n := min(len(mnem), 8)
		for i := 0; i < n; i++ {
			lo |= uint64(mnem[i]) << (8 * (i & 7))
		}
		for i := 8; i < len(mnem); i++ {
			hi |= uint64(mnem[i]) << (8 * (i & 7))
		}
	}
	if lo&(1<<48-1) == movabsWord {
		return k, false // movabs…: matchKey does not remember it
	}
	word := uint64(len(mnem)) << (maxSigOps * sigOpBits)
	for i, o := range ops {
		var v uint64
		// sigOp, its usual cases here where they cost no call.
		switch {
		case o.kind == oReg && o.class < 32:
			v = uint64(oReg) | uint64(o.class)<<3
		case o.kind == oImm:
			v = uint64(oImm)
		default:
			var ok bool
			if v, ok = sigOp(o); !ok {
				return k, false
			}
		}
		word |= v << (sigOpBits * i)
	}
	return sigKey{lo, hi, word}, true
}

// litSigBit marks a packed signature of level readsLitRegs (litSig):
// above the mnemonic's length, which a level-0 one leaves clear.
const litSigBit = 1 << 63

// litSig returns the signature of level readsLitRegs of ops, whose
// level-0 signature packed as sig: sig, marked (litSigBit), with each
// register operand's fixed-register number (litName) in the bits of its
// sigOp that a register leaves clear (8-11).
func litSig(sig *sigKey, ops []*operand) sigKey {
	k := *sig
	k[2] |= litSigBit
	for i, o := range ops {
		if o.kind == oReg {
			k[2] |= uint64(litName(o)) << (sigOpBits*i + 8)
		}
	}
	return k
}

// mnemKey is a mnemonic of up to 16 bytes packed as packSig packs it,
// when ok: its bytes little-endian, zero after its end.
type mnemKey struct {
	lo, hi uint64
	ok     bool
}

// packMnem packs the mnemonic wide[start:end] (1 to 16 bytes): read 16
// bytes at once when wide has them, the bytes after end masked off.
func packMnem(wide string, start, end int) mnemKey {
	n := end - start
	if start+16 <= len(wide) {
		return mnemKey{lo: ir.LowBytes(ir.LoadWord(wide, start), n), hi: ir.LowBytes(ir.LoadWord(wide, start+8), max(n-8, 0)), ok: true}
	}
	var k mnemKey
	for i := start; i < end; i++ {
		j := i - start
		if j < 8 {
			k.lo |= uint64(wide[i]) << (8 * (j & 7))
		} else {
			k.hi |= uint64(wide[i]) << (8 * (j & 7))
		}
	}
	k.ok = true
	return k
}

// sigTable is the parser's memory of matches under signatures that
// pack (packSig): open addressing, kept at most three quarters full.
type sigTable struct {
	keys []sigKey
	vals []*matchEntry // nil: an empty slot
	n    int           // the entries held
}

// slot is where key's search starts in a table of size slots (a power
// of two).
func (k *sigKey) slot(size int) int {
	h := (k[0] ^ k[1]<<7 ^ k[2]*0x9e3779b97f4a7c15) * 0xbf58476d1ce4e5b9
	return int(h>>40) & (size - 1)
}

// get returns key's entry; false when it has none.
func (st *sigTable) get(key *sigKey) (*matchEntry, bool) {
	size := len(st.keys)
	if size == 0 {
		return nil, false
	}
	for i := key.slot(size); ; i = (i + 1) & (size - 1) {
		e := st.vals[i]
		if e == nil {
			return nil, false
		}
		if st.keys[i] == *key {
			return e, true
		}
	}
}

// put enters e as key's entry (key has none), making room first when
// the table is three quarters full; hint is the room to make at first.
func (st *sigTable) put(key *sigKey, e *matchEntry, hint int) {
	if size := len(st.keys); (st.n+1)*4 > size*3 {
		old, oldVals := st.keys, st.vals
		size = max(2*size, 64)
		for size*3 < hint*4 {
			size *= 2
		}
		st.keys, st.vals, st.n = make([]sigKey, size), make([]*matchEntry, size), 0
		for i, v := range oldVals {
			if v != nil {
				st.put(&old[i], v, 0)
			}
		}
	}
	size := len(st.keys)
	i := key.slot(size)
	for st.vals[i] != nil {
		i = (i + 1) & (size - 1)
	}
	st.keys[i], st.vals[i] = *key, e
	st.n++
}

// matchCached is match, through the parser's memory of matches: the
// signatures that pack in p.sigs, the others and the finer signatures
// under their keys as strings in p.matches. mk is mnem packed, when
// the reader packed it (packMnem).
func (p *parser) matchCached(mnem string, mk mnemKey, t token, ops []*operand) (*form, string, []*operand, bool) {
	sig, packed := packSig(mnem, mk, ops)
	var key []byte // the signature as matchKey writes it, when it does not pack
	var e *matchEntry
	var hit bool
	if packed {
		if !p.noSigTable {
			// A signature matched when go generate ran; else one whose
			// match reads which fixed registers its registers are (shl
			// %cl, %eax), matched so too.
			v, ok := findGenSig(&sig)
			if !ok {
				lit := litSig(&sig, ops)
				v, ok = findGenSig(&lit)
			}
			if ok {
				f, name, out := p.applyPacked(v, t, ops)
				return f, name, out, true
			}
		}
		e, hit = p.sigs.get(&sig)
	} else {
		var ok bool
		key, ok = matchKey(p.matchKeyBuf, mnem, ops, 0)
		p.matchKeyBuf = key[:0]
		if !ok {
			return p.match(mnem, t, ops)
		}
		e, hit = p.matches[string(key)]
	}
	if hit && e.named > 0 {
		most := e.named
		hit = false
		for level := readsLitRegs; level <= most && !hit; level++ {
			fine, _ := matchKey(p.fineKeyBuf, mnem, ops, level)
			p.fineKeyBuf = fine[:0]
			e, hit = p.matches[string(fine)]
		}
	}
	if hit {
		f, name, out := p.applyEntry(e, t, ops)
		return f, name, out, true
	}
	var in [maxCachedOps]*operand
	n := copy(in[:], ops)
	var sizes [maxCachedOps]int // before match sizes them
	for i, o := range ops {
		sizes[i] = o.size
	}
	p.namesRead = 0
	f, name, out, ok := p.match(mnem, t, ops)
	if !ok || len(p.matches)+p.sigs.n >= maxMatches {
		return f, name, out, ok
	}
	e, ok = p.remembered(f, name, in[:n], out, t)
	if !ok {
		return f, name, out, true
	}
	if p.matches == nil {
		p.matches = make(map[string]*matchEntry)
	}
	level := p.namesRead
	if level == 0 {
		p.remember(packed, &sig, key, e)
		return f, name, out, true
	}
	// The signature is not enough: remember under it how much more
	// matches of it read, and the match under the finer signature of
	// what this one read, of the operands as they were.
	var mark *matchEntry
	if packed {
		mark, ok = p.sigs.get(&sig)
	} else {
		mark, ok = p.matches[string(key)]
	}
	if !ok {
		p.remember(packed, &sig, key, p.entries.New(matchEntry{named: level}))
	} else {
		mark.named = max(mark.named, level)
	}
	for i := range n {
		in[i].size, sizes[i] = sizes[i], in[i].size
	}
	fine, _ := matchKey(p.fineKeyBuf, mnem, in[:n], level)
	p.fineKeyBuf = fine[:0]
	for i := range n {
		in[i].size = sizes[i]
	}
	p.matches[p.keyString(fine)] = e
	return f, name, out, true
}

// applyEntry is what match makes of ops (Intel order) when the entry
// e is what it made of their signature: their memory operands sized as
// match sized them, the form, its Intel name, and the operands the form
// takes.
func (p *parser) applyEntry(e *matchEntry, t token, ops []*operand) (*form, string, []*operand) {
	for i, o := range ops {
		if o.kind == oMem {
			o.size = int(e.sizes[i])
		}
	}
	out := ops[:e.keep]
	for j := range int(e.nExtras) {
		x := &p.extraOps[j]
		*x = operand{kind: oImm, imm: int64(e.extras[j].imm), col: t.col, text: e.extras[j].text()}
		out = append(out, x)
	}
	f := &genForms[e.form-1]
	return f, f.mnem.String(), out
}

// applyPacked is applyEntry of the entry packEntry packed in v.
func (p *parser) applyPacked(v uint64, t token, ops []*operand) (*form, string, []*operand) {
	if sizes := v >> entrySizesShift; sizes != 0 {
		// Else every memory operand keeps its size, 0 (packSig).
		for i, o := range ops {
			if o.kind == oMem {
				o.size = int(sizes>>(8*i)&0xff) << 3
			}
		}
	}
	out := ops[:v>>entryKeepShift&7]
	if v&entryExtraBit != 0 {
		x := &p.extraOps[0]
		imm := extraImm{imm: int16(v >> entryImmShift & 0xff), dollar: v&entryDollarBit != 0}
		*x = operand{kind: oImm, imm: int64(imm.imm), col: t.col, text: imm.text()}
		out = append(out, x)
	}
	f := &genForms[uint16(v)-1]
	return f, f.mnem.String(), out
}

// sigSlot is an entry of the generated signature table (genSigSlots):
// a signature that packs (packSig) and what match makes of it
// (packEntry).
type sigSlot struct {
	key sigKey
	val uint64
}

// findGenSig returns the packed entry (packEntry) of what match makes of
// signature key, when go generate matched it. genSigSlots holds the
// signatures of the form table's forms, under the names AT&T writes them
// with, whose match reads no more of the operands than their signature
// (namesRead 0) and succeeds; genSigIndex is an open addressed table of
// them (1 + the index of a signature in genSigSlots, 0 for an empty
// slot: a signature is in the first slot from key.slot on that is empty
// or holds it), a small array the search runs through before it reads
// an entry. Both are made when go generate runs (TestSigsGenerated) and
// only read.
func findGenSig(key *sigKey) (uint64, bool) {
	mask := len(genSigIndex) - 1
	for i := key.slot(len(genSigIndex)); ; i = (i + 1) & mask {
		j := int(genSigIndex[i])
		if j == 0 {
			return 0, false
		}
		if s := &genSigSlots[j-1]; s.key == *key {
			return s.val, true
		}
	}
}

// A matchEntry packed in a word (packEntry, in the generator): the form + 1 (bits 0-15),
// keep (16-18), whether match adds an immediate (19), and its dollar
// (20) and value (21-28), then the memory operands' sizes in bytes, 8
// bits each (32-63).
const (
	entryKeepShift  = 16
	entryExtraBit   = 1 << 19
	entryDollarBit  = 1 << 20
	entryImmShift   = 21
	entrySizesShift = 32
)

// remember enters e under a level-0 signature that has none: sig when
// it packed, else key.
func (p *parser) remember(packed bool, sig *sigKey, key []byte, e *matchEntry) {
	if packed {
		p.sigs.put(sig, e, p.matchesHint)
		return
	}
	p.matches[p.keyString(key)] = e
}

// remembered returns the entry of a match of operands in that made form
// f, name and operands out; false when out is not in's first operands
// followed by small immediates match added, or f is not a form of the
// table named name.
func (p *parser) remembered(f *form, name string, in, out []*operand, t token) (*matchEntry, bool) {
	if f != &genForms[f.id] || f.mnem.String() != name {
		return nil, false // movabsForm
	}
	e := matchEntry{form: f.id + 1}
	keep := 0
	for keep < len(out) && keep < len(in) && out[keep] == in[keep] {
		keep++
	}
	e.keep = uint8(keep)
	for _, x := range out[keep:] {
		if e.nExtras == maxCachedExtras {
			return nil, false
		}
		plain := operand{kind: oImm, imm: x.imm, col: t.col, text: x.text}
		if *x != plain {
			return nil, false // one of in, or more than an immediate
		}
		for _, o := range in {
			if x == o {
				return nil, false
			}
		}
		xi := extraImm{imm: int16(x.imm), dollar: strings.HasPrefix(x.text, "$")}
		if int64(xi.imm) != x.imm || xi.text() != x.text {
			return nil, false
		}
		e.extras[e.nExtras] = xi
		e.nExtras++
	}
	for i, o := range in {
		if o.size < 0 || o.size > 0xffff {
			return nil, false
		}
		e.sizes[i] = uint16(o.size)
	}
	return p.entries.New(e), true
}
