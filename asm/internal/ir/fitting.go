package ir

// Form is an instruction form of a front end's table, as Fitting sees it:
// how many operands it takes, and whether an operand fits the class of
// its i-th one (Intel order).
type Form[O any] interface {
	Arity() int
	Fits(i int, o O) bool
}

// Fitting appends to out the forms whose operand classes ops (Intel
// order) fit, in the order of forms.
func Fitting[F Form[O], O any](out, forms []F, ops []O) []F {
	for _, f := range forms {
		if f.Arity() != len(ops) {
			continue
		}
		ok := true
		for i, o := range ops {
			if !f.Fits(i, o) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, f)
		}
	}
	return out
}
