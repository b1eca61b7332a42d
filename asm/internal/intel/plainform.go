package intel

// The forms as buildPlain reads them. Building an instruction from the
// signature table's pick went through a chain of loads, each of memory
// the previous one named and each a miss of the cache more often than
// not: the slot, the mnemonic's list of forms, the form, its Go
// arguments. plainForms holds what building reads of every form in one
// array, in the order of the mnemonics' numbers and of each one's forms
// (a mnemonic's forms start at plainBase[id]), 4 bytes a form: the number
// of its Go mnemonic, its flags, and the number of its list of Go
// arguments among the few lists the table's forms have (argLists), which
// stay in the cache. The slot's place of the form then names the form's
// entry.

import "github.com/jitrun/jitrun/asm/internal/ir"

// plainForm is what buildPlain reads of a form.
type plainForm struct {
	goName uint16 // the Go mnemonic: formLists.names[goName]
	args   uint8  // the Go arguments: plainTables.argLists[args]
	flags  plainFlags
}

// plainFlags are a form's flags and whether buildPlain builds it.
type plainFlags uint8

const (
	plainMask    plainFlags = 1 << iota // intelForm.mask
	plainMaskReq                        // intelForm.maskReq
	plainZeroing                        // intelForm.zeroing
	plainRC                             // intelForm.rc
	plainSAE                            // intelForm.sae
	// plainBuilds is set for a form buildPlain builds: one golang-asm
	// has a mnemonic for (no bytes), without two x87 operands, whose Go
	// arguments are all good and whose argument list has a number, and
	// not fst's register form (instructionOf writes fst st0 as bytes).
	plainBuilds
)

// plainArg is a Go argument of a form as buildPlain reads it (formArg):
// the Intel operand op, the opmask, or the fixed register reg.
type plainArg struct {
	kind argKind
	op   uint8
	reg  ir.Reg
}

// plainTables are the forms as buildPlain reads them, made when go
// generate runs (newPlainTables, TestFormsGenerated) and only read.
type plainTables struct {
	forms []plainForm
	// base is where the forms of the mnemonic numbered id start in
	// forms.
	base []uint16
	// argLists are the forms' lists of Go arguments, each once.
	argLists [][]plainArg
}

// decorationsFit reports whether checkDecorations has nothing to say of
// decorations d and rounding operand rounding on a form whose flags are
// fl: its cases, without the messages.
func decorationsFit(fl plainFlags, d decor, rounding string) bool {
	switch {
	case d.mask < 0,
		d.mask > 0 && fl&plainMask == 0,
		d.mask == 0 && fl&plainMaskReq != 0,
		d.zeroing && d.mask == 0,
		d.zeroing && fl&plainZeroing == 0,
		rounding == "sae" && fl&plainSAE == 0,
		rounding != "" && rounding != "sae" && fl&plainRC == 0:
		return false
	}
	return true
}
