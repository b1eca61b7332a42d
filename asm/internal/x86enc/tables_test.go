package x86enc

import (
	"encoding/hex"
	"flag"
	"reflect"
	"testing"

	"github.com/jitrun/jitrun/asm/internal/asmtest"
	"github.com/jitrun/jitrun/asm/internal/ir"
	"github.com/twitchyliquid64/golang-asm/obj/x86"
)

var generate = flag.Bool("generate", false, "TestTablesGenerated: write tables_gen.go from what golang-asm tells now (go generate)")

// TestTablesGenerated checks that the tables a process loads from
// tables_gen.go are exactly what probing golang-asm tells now, and that
// tables_gen.go is what -generate writes: a golang-asm that encodes a
// branch, names a mnemonic or drops a register otherwise fails here. With
// -generate (go generate) it writes tables_gen.go instead.
func TestTablesGenerated(t *testing.T) {
	src, err := tablesSource()
	if err != nil {
		t.Fatal(err)
	}
	if asmtest.Generated(t, "tables_gen.go", src, *generate, "golang-asm", "./asm/internal/x86enc") {
		return
	}
	probed, loaded := probeTables(), loadTables()
	if !reflect.DeepEqual(loaded, probed) {
		t.Error("the tables loaded from tables_gen.go differ from what golang-asm tells now: run go generate ./asm/internal/x86enc")
		for _, f := range []struct {
			name      string
			got, want any
		}{
			{"arch", loaded.arch, probed.arch}, {"ops", loaded.ops, probed.ops}, {"opIndex", loaded.opIndex, probed.opIndex},
			{"branches", loaded.branches, probed.branches}, {"branchByOp", loaded.branchByOp, probed.branchByOp},
			{"mnemonics", loaded.mnemonics, probed.mnemonics}, {"unclassified", loaded.unclassified, probed.unclassified},
			{"regOK", loaded.regOK, probed.regOK}, {"classes", loaded.classes, probed.classes},
		} {
			if !reflect.DeepEqual(f.got, f.want) {
				t.Errorf("%s differ", f.name)
			}
		}
	}
}

// TestUnclassified checks the registers golang-asm drops, as probed: the
// ones validation rejects or (SPB) completes.
func TestUnclassified(t *testing.T) {
	var got []string
	for r, drop := range tables().unclassified {
		if drop {
			got = append(got, ir.Reg(r).String())
		}
	}
	want := []string{"SPB", "CR9", "CR10", "CR11", "CR12", "CR13", "CR14", "CR15"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("unclassified %v, want %v", got, want)
	}
	if tb := tables(); !tb.regOK[x86.REG_SPB] || tb.regOK[x86.REG_CR9] || !tb.regOK[x86.REG_CR8] || tb.regOK[x86.REG_TLS] {
		t.Errorf("regOK SPB %v CR9 %v CR8 %v TLS %v, want true false true false", tb.regOK[x86.REG_SPB], tb.regOK[x86.REG_CR9], tb.regOK[x86.REG_CR8], tb.regOK[x86.REG_TLS])
	}
}

// BenchmarkTables measures what a process's first assembly pays for the
// encoder's tables: loading them from tables_gen.go.
func BenchmarkTables(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		loadTables()
	}
}

// BenchmarkProbeTables measures what probing golang-asm for the tables
// costs: what the first assembly paid before tables_gen.go.
func BenchmarkProbeTables(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		probeTables()
	}
}

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

// TestOpCache looks every mnemonic and a few non-mnemonics up through one
// opCache, twice in a row, three times over in different orders (so that
// names meet in its slots, hits and misses), and requires what
// opIndex.find says.
func TestOpCache(t *testing.T) {
	tb := tables()
	names := append(Mnemonics(), "", "M", "MOV", "movq", "ADDQQ", "MOVQ ", "MOVQ\x00", "VPBROADCASTMB2QQQQQ")
	var c opCache
	for round := range 3 {
		for k := range names {
			// Forwards, backwards, then in steps of 7 (a permutation: the
			// count is not a multiple of 7 or the step is skipped).
			i := k
			switch round {
			case 1:
				i = len(names) - 1 - k
			case 2:
				if len(names)%7 != 0 {
					i = k * 7 % len(names)
				}
			}
			name := names[i]
			wop, wimm, wok := tb.opIndex.find(name)
			for again := range 2 { // the second time a hit
				op, imm, ok := c.find(&tb.opIndex, name)
				if op != wop || imm != wimm || ok != wok {
					t.Fatalf("round %d, lookup %d: opCache find(%q) = %v, %d, %v; opIndex: %v, %d, %v", round, again, name, op, imm, ok, wop, wimm, wok)
				}
			}
		}
	}
}
