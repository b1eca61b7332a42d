package asm

import (
	"errors"
	"strings"
	"testing"
)

// TestErrorsBeforeTheCap checks that an error golang-asm finds when it
// encodes (PSHUFD's immediate, found at the encoder's flush) is kept
// when more errors than the collection holds (4×MaxErrors) follow it,
// each found when its instruction is validated: the errors are
// collected in the order of the source, so the cap drops only later
// ones, in every syntax.
func TestErrorsBeforeTheCap(t *testing.T) {
	for _, tc := range []struct {
		syntax       Syntax
		first, flood string
		want         string
	}{
		{SyntaxGo, "PSHUFD $300, X1, X0", "ADDQ $0xffffffff, AX", "t.s:1:1: PSHUFD: immediate 0x12c does not fit in 8 bits (0x0..0xff)"},
		{SyntaxIntel, "pshufd xmm0, xmm1, 300", "add rax, 0xffffffff", "t.s:1:1: pshufd xmm0, xmm1, 300: immediate 300 does not fit in 8 bits (-128..255)"},
		{SyntaxATT, "pshufd $300, %xmm1, %xmm0", "addq $0xffffffff, %rax", "t.s:1:1: pshufd $300, %xmm1, %xmm0: immediate $300 does not fit in 8 bits (-128..255)"},
	} {
		t.Run(tc.syntax.String(), func(t *testing.T) {
			src := tc.first + "\n" + strings.Repeat(tc.flood+"\n", 5*MaxErrors)
			_, err := AssembleSource("t.s", []byte(src), tc.syntax)
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("got %v, want an ErrorList", err)
			}
			if got := list[0].Error(); got != tc.want {
				t.Errorf("first error %q, want %q (of %d)", got, tc.want, len(list))
			}
		})
	}
}
