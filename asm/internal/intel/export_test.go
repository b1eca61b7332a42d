package intel

// What the external tests (package intel_test) read of the lexer: the
// tokens of a corpus line, to vary its registers and immediates.

// Token is a token as the tests see it.
type Token struct {
	Kind itokKind
	Text string
	Col  int
}

// Token kinds the tests look for.
const (
	Ident = itIdent
	Int   = itInt
)

// LexLine is lexIntelLine with its tokens as Tokens.
func LexLine(line string) ([]Token, string, int, string) {
	toks, text, col, msg := lexIntelLine(line)
	out := make([]Token, len(toks))
	for i, t := range toks {
		out[i] = Token{Kind: t.kind, Text: t.text, Col: t.col}
	}
	return out, text, col, msg
}
