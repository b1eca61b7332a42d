package intel

// Making the signature table (matchcache.go) and the mnemonics' table
// (mnemtable.go) from the form table, as go generate does
// (TestFormsGenerated).

import (
	"cmp"
	"maps"
	"slices"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// operandCodes are the codes (opSignature) of every operand a signature
// holds: registers of each class, an immediate, and memory of each size,
// broadcast and vector index.
var operandCodes = func() []uint64 {
	var codes []uint64
	for c := uint64(ir.IntelR8); c <= ir.IntelDR; c++ {
		codes = append(codes, 1|c<<2)
	}
	codes = append(codes, 3)
	for size := uint64(0); size <= 9; size++ {
		for bcst := uint64(0); bcst <= 6; bcst++ {
			for vsib := uint64(0); vsib <= 3; vsib++ {
				codes = append(codes, 2|size<<2|bcst<<6|vsib<<9)
			}
		}
	}
	return codes
}()

// newSigTable matches the forms of the mnemonics of mnems for every
// signature (what go generate keeps in data_forms_gen.go): the forms of a
// mnemonic that fix no operand, of up to sigOps operands, by the
// signatures each fits (fitsCode, operand by operand), and for each
// signature the pick of pickOf among the forms that fit it, in table
// order.
func newSigTable(mnems map[string]*mnemInfo) *sigTable {
	// In the order of their numbers, so that the slots are the same
	// at every go generate.
	infos := slices.SortedFunc(maps.Values(mnems), func(a, b *mnemInfo) int { return cmp.Compare(a.id, b.id) })
	// About two signatures a form, in the generated table.
	entries := make([]uint64, 0, 4*len(mnems))
	// classCodes are the codes that fit each class, by its text.
	classCodes := map[string][]uint64{}
	// fits are a mnemonic's signatures with a form each fits, as slots
	// (the key above the form's place among the mnemonic's forms); cands
	// the forms of one signature.
	var fits []uint64
	var cands []*intelForm
	for _, info := range infos {
		if info.fixes || len(info.forms) == 0 || info.id >= 1<<15 {
			continue
		}
		fits = fits[:0]
		for place, f := range info.forms {
			if len(f.cls()) > sigOps || place >= 1<<slotFormBits {
				continue
			}
			// The codes each operand of f may have, and every
			// signature of them.
			var codesOf [sigOps][]uint64
			codes := codesOf[:len(f.cls())]
			for i, class := range f.classes() {
				cc, ok := classCodes[class]
				if !ok {
					for _, code := range operandCodes {
						if f.cls()[i].fitsCode(code) {
							cc = append(cc, code)
						}
					}
					classCodes[class] = cc
				}
				codes[i] = cc
			}
			var each func(i int, sig uint64)
			each = func(i int, sig uint64) {
				if i == len(codes) {
					fits = append(fits, sigKey(info.id, sig)<<slotFormBits|uint64(place))
					return
				}
				for _, code := range codes[i] {
					each(i+1, sig|code<<(sigOpBits*i))
				}
			}
			each(0, 0)
		}
		// By signature, each signature's forms in table order.
		slices.Sort(fits)
		for start := 0; start < len(fits); {
			key, first := fits[start]>>slotFormBits, fits[start]&(1<<slotFormBits-1)
			cands = cands[:0]
			for ; start < len(fits) && fits[start]>>slotFormBits == key; start++ {
				cands = append(cands, info.forms[fits[start]&(1<<slotFormBits-1)])
			}
			sig := key & (1<<(sigOps*sigOpBits) - 1)
			f, open, _ := pickOf(cands, len(cands[0].cls()), func(i int) bool {
				code := sig >> (sigOpBits * i) & (1<<sigOpBits - 1)
				return code&3 == 2 && code>>2&15 == 0 // memory, no size
			})
			if open < 0 {
				// pickOf picks the first form or fails: f is at first.
				if f != info.forms[first] {
					continue
				}
				entries = append(entries, key<<slotFormBits|first)
			}
		}
	}
	// Slots three in four at most, so that a probe is short.
	size, shift := 16, uint(60)
	for 3*size < 4*len(entries) {
		size *= 2
		shift--
	}
	t := &sigTable{slots: make([]uint64, size), shift: shift}
	for _, e := range entries {
		i := t.slot(e >> slotFormBits)
		for t.slots[i] != 0 {
			i = (i + 1) & uint64(len(t.slots)-1)
		}
		t.slots[i] = e
	}
	return t
}

// newMnemTable makes the table of the words of m that pack (what go
// generate keeps in data_forms_gen.go).
func newMnemTable(m map[string]*mnemInfo) *mnemTable {
	size, shift := 16, uint(60)
	for size < 2*len(m) {
		size *= 2
		shift--
	}
	t := &mnemTable{keys: make([]mnemKey, size), infos: make([]*mnemInfo, size), shift: shift}
	// In the order of their numbers, so that the slots are the same at
	// every go generate.
	for _, w := range slices.SortedFunc(maps.Keys(m), func(a, b string) int { return cmp.Compare(m[a].id, m[b].id) }) {
		info := m[w]
		k, ok := packMnem(w)
		if !ok {
			continue
		}
		i := t.slot(k)
		for t.keys[i] != (mnemKey{}) {
			i = (i + 1) & uint64(len(t.keys)-1)
		}
		t.keys[i], t.infos[i] = k, info
	}
	return t
}
