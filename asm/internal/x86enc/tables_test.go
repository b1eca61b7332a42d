package x86enc

import (
	"encoding/hex"
	"testing"
)

// TestBranchForms checks the branch encodings derived from golang-asm
// against the Intel manual.
func TestBranchForms(t *testing.T) {
	tests := map[string]struct{ short, near string }{
		"JMP":    {"eb", "e9"},
		"JEQ":    {"74", "0f84"},
		"JNE":    {"75", "0f85"},
		"JLT":    {"7c", "0f8c"},
		"JHI":    {"77", "0f87"},
		"JA":     {"77", "0f87"},
		"CALL":   {"", "e8"},
		"LOOP":   {"e2", ""},
		"LOOPEQ": {"e1", ""},
		"LOOPNE": {"e0", ""},
		"JCXZL":  {"67e3", ""},
		"JCXZQ":  {"e3", ""},
		"XBEGIN": {"", "c7f8"},
	}
	tb := tables()
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			f := tb.branches[tb.ops[name]]
			if f == nil {
				t.Fatal("no branch form")
			}
			if hex.EncodeToString(f.Short) != want.short || hex.EncodeToString(f.Near) != want.near {
				t.Errorf("short %x near %x, want %s %s", f.Short, f.Near, want.short, want.near)
			}
		})
	}
}

// TestOpIndex checks that the hash table every instruction looks its
// mnemonic up in holds exactly the mnemonics of the map it was made from.
func TestOpIndex(t *testing.T) {
	tb := tables()
	for name, want := range tb.ops {
		if got, ok := tb.opIndex.lookup(name); !ok || got != want {
			t.Errorf("lookup(%q) = %v, %v; want %v, true", name, got, ok, want)
		}
	}
	for _, name := range []string{"", "MOV", "movq", "ADDQQ", "MOVQ ", "MOVQ\x00", "VPADDDD", "X", "VPBROADCASTMW2DX", "VCVTTPD2UDQXYZW", "VPBROADCASTMB2QQQQQ"} {
		if op, ok := tb.opIndex.lookup(name); ok {
			t.Errorf("lookup(%q) = %v, true; want not found", name, op)
		}
	}
	if len(tb.opIndex.long) == 0 {
		t.Error("no mnemonic longer than 16 bytes: the test of the long ones tests nothing")
	}
	if got, want := len(tb.opIndex.keys), 2*len(tb.ops); got < want || got&(got-1) != 0 {
		t.Errorf("%d slots for %d mnemonics: want a power of two of at least %d", got, len(tb.ops), want)
	}
	// The hash spreads the mnemonics: a lookup probes few slots.
	probes := 0
	for name := range tb.ops {
		key, ok := pack(name)
		if !ok {
			continue
		}
		for i := key.hash() >> tb.opIndex.shift; tb.opIndex.keys[i] != key; i = (i + 1) & tb.opIndex.mask {
			probes++
		}
	}
	if avg := float64(probes) / float64(len(tb.ops)); avg > 0.5 {
		t.Errorf("a lookup probes %.2f slots past its first on average; want at most 0.5", avg)
	}
}
