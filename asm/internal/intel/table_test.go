package intel

import (
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm/internal/x86enc"
)

// TestIntelTable checks that every line of the generated form table
// parses: the loader skips a line it cannot read.
func TestIntelTable(t *testing.T) {
	intelForms()
	n := 0
	for _, forms := range intelTable.byMnem {
		n += len(forms)
	}
	lines := 0
	for _, l := range strings.Split(intelFormTable, "\n") {
		if strings.TrimSpace(l) != "" {
			lines++
		}
	}
	if n != lines || n < 4000 {
		t.Errorf("%d forms loaded from %d table lines", n, lines)
	}
	known := map[string]bool{}
	for _, m := range x86enc.Mnemonics() {
		known[m] = true
	}
	for _, forms := range intelTable.byMnem {
		for _, f := range forms {
			if !known[f.goOp()] && f.bytes() == nil {
				t.Errorf("%s %v: Go mnemonic %s unknown to the encoder", f.mnem(), f.classes(), f.goOp())
			}
		}
	}
}
