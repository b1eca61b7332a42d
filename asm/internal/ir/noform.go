package ir

import (
	"fmt"
	"strings"
)

// maxFormsListed is how many operand lists NoFormMessage shows.
const maxFormsListed = 8

// NoFormMessage says that mnem does not take the operand classes got and
// lists what it does take: forms holds each form's operand classes
// joined with ", " ("" for none), in the order the syntax writes them,
// which order names when it is not the Intel one (" (AT&T order)"). The
// list shows each distinct entry once, the first 8, then how many more:
//
//	movzx does not take (r32, r64); its forms: r16, m16 | r16, m8 | r16, r16 | r16, r8 | r32, m16 | r32, m8 | r32, r16 | r32, r8; and 4 more
func NoFormMessage(mnem, order string, got, forms []string) string {
	var list []string
	seen := map[string]bool{}
	n := 0
	for _, s := range forms {
		if s == "" {
			s = "no operands"
		}
		if seen[s] {
			continue
		}
		seen[s] = true
		n++
		if len(list) < maxFormsListed {
			list = append(list, s)
		}
	}
	more := ""
	if n > len(list) {
		more = fmt.Sprintf("; and %d more", n-len(list))
	}
	what := "no operands"
	if len(got) > 0 {
		what = strings.Join(got, ", ")
	}
	return fmt.Sprintf("%s does not take (%s); its forms%s: %s%s", mnem, what, order, strings.Join(list, " | "), more)
}
