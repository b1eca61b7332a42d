package intel

import (
	"fmt"
	"slices"
	"testing"
)

// newPlainTables makes the plain forms of the mnemonics of mnems (what
// go generate keeps in data_forms_gen.go).
func newPlainTables(mnems map[string]*mnemInfo) *plainTables {
	t := &plainTables{}
	maxID := 0
	for _, info := range mnems {
		maxID = max(maxID, int(info.id))
	}
	t.base = make([]uint16, maxID+1)
	byID := make([]*mnemInfo, maxID+1)
	n := 0
	for _, info := range mnems {
		byID[info.id] = info
		n += len(info.forms)
	}
	t.forms = make([]plainForm, 0, n)
	for id, info := range byID {
		if info == nil {
			continue
		}
		t.base[id] = uint16(len(t.forms))
		for _, f := range info.forms {
			t.forms = append(t.forms, t.plainFormOf(f))
		}
	}
	return t
}

// isFstToST reports whether f is fst's form with a register operand
// (FMOVD F0, Fi): instructionOf writes fst st0 as bytes (golang-asm
// would encode fld st0), so buildPlain leaves that form to it.
func isFstToST(f *intelForm) bool { return f.mnem() == "fst" && f.goOp() == "FMOVD" && f.stOps == 1 }

// plainFormOf compiles f, numbering its list of Go arguments if it is
// new.
func (t *plainTables) plainFormOf(f *intelForm) plainForm {
	pf := plainForm{goName: f.goName}
	if f.mask {
		pf.flags |= plainMask
	}
	if f.maskReq {
		pf.flags |= plainMaskReq
	}
	if f.zeroing {
		pf.flags |= plainZeroing
	}
	if f.rc {
		pf.flags |= plainRC
	}
	if f.sae {
		pf.flags |= plainSAE
	}
	if f.bytes() != nil || f.stOps == 2 || isFstToST(f) {
		return pf
	}
	for _, a := range f.goArgs() {
		switch a.kind {
		case argOperand:
			if a.op < 0 || a.op >= len(f.cls()) {
				return pf // reported by buildInst
			}
		case argOpmask, argFixed:
		default:
			return pf // reported by buildInst
		}
	}
	args := make([]plainArg, len(f.goArgs()))
	for i, a := range f.goArgs() {
		args[i] = plainArg{kind: a.kind, op: uint8(a.op), reg: a.reg}
	}
	n := slices.IndexFunc(t.argLists, func(l []plainArg) bool { return slices.Equal(l, args) })
	if n < 0 {
		if len(t.argLists) > 255 {
			return pf
		}
		n = len(t.argLists)
		t.argLists = append(t.argLists, args)
	}
	pf.args = uint8(n)
	pf.flags |= plainBuilds
	return pf
}

// TestPlainForms checks the forms as buildPlain reads them against the
// forms: every form of every mnemonic at its place, with its Go
// mnemonic, flags and Go arguments, built by buildPlain unless it is
// bytes, has two x87 operands or a bad argument.
func TestPlainForms(t *testing.T) {
	intelForms()
	pt := intelTable.plain
	n := 0
	for name, info := range intelTable.mnems {
		for place, f := range info.forms {
			n++
			pf := pt.forms[int(pt.base[info.id])+place]
			where := fmt.Sprintf("%s form %d (%s %v)", name, place, f.goOp(), f.classes())
			if got := formShared.names[pf.goName]; got != f.goOp() {
				t.Errorf("%s: plain Go mnemonic %s", where, got)
			}
			for _, fl := range []struct {
				name string
				set  bool
				bit  plainFlags
			}{{"mask", f.mask, plainMask}, {"maskReq", f.maskReq, plainMaskReq}, {"zeroing", f.zeroing, plainZeroing}, {"rc", f.rc, plainRC}, {"sae", f.sae, plainSAE}} {
				if got := pf.flags&fl.bit != 0; got != fl.set {
					t.Errorf("%s: plain %s %v, form %v", where, fl.name, got, fl.set)
				}
			}
			builds := f.bytes() == nil && f.stOps != 2 && !isFstToST(f)
			for _, a := range f.goArgs() {
				if a.kind == argBadFixed || a.kind == argBadOperand {
					builds = false
				}
			}
			if got := pf.flags&plainBuilds != 0; got != builds {
				t.Errorf("%s: plain builds %v, want %v", where, got, builds)
				continue
			}
			if !builds {
				continue
			}
			args := pt.argLists[pf.args]
			if len(args) != len(f.goArgs()) {
				t.Errorf("%s: %d plain arguments, form has %d", where, len(args), len(f.goArgs()))
				continue
			}
			for i, a := range f.goArgs() {
				want := plainArg{kind: a.kind}
				switch a.kind {
				case argOperand:
					want.op = uint8(a.op)
				default:
					want.reg = a.reg
				}
				if args[i] != want {
					t.Errorf("%s: argument %d is %+v, want %+v", where, i, args[i], want)
				}
			}
		}
	}
	if n != len(pt.forms) {
		t.Errorf("%d plain forms for %d forms", len(pt.forms), n)
	}
}
