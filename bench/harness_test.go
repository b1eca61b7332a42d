package bench

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/disasm"
	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/trampoline"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func mustKernel(t *testing.T, body, init string) *kernelCode {
	t.Helper()
	k, err := ParseKernel("k", "k.s", []byte(body), []byte(init), asm.SyntaxGo)
	if err != nil {
		t.Fatal(err)
	}
	kc, err := checkKernel(k)
	if err != nil {
		t.Fatal(err)
	}
	return kc
}

// TestHarnessListing pins the measuring code for each clock, byte for byte:
// the clock reads between LFENCEs, the saved registers, the loop.
func TestHarnessListing(t *testing.T) {
	kc := mustKernel(t, "loop: ADCQ BX, AX; JCS loop", "MOVQ DI, SI")
	for _, tt := range []struct {
		clock       Clock
		avx, avx512 bool
	}{
		{ClockTSC, false, false},
		{ClockAPERF, true, false},
		{ClockPerf, true, true},
	} {
		t.Run(tt.clock.String(), func(t *testing.T) {
			prog, err := buildHarness(harnessSpec{file: "k.s", clock: tt.clock, unroll: 2, kernel: kc, avx: tt.avx, avx512: tt.avx512})
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			rows := disasm.Decode(prog.Code, disasm.Options{Program: prog})
			// Print the rows without the source column, whose Go file
			// positions change with every edit of codegen.go.
			if err := disasm.WriteAsm(&b, rows); err != nil {
				t.Fatal(err)
			}
			golden(t, "harness_"+tt.clock.String()+".golden", b.String())
			if tt.clock == ClockAPERF && !bytes.Contains(prog.Code, []byte{0xb9, 1, 0, 0, 0, 0x0f, 0x01, 0xfd}) {
				t.Error("no MOVL $1, CX; RDPRU")
			}
		})
	}
}

// TestHarnessRegisters runs the measuring code and checks the register
// contract: everything zero but RDI at the start, the init code's registers
// and flags carried through the clock reads into the loop.
func TestHarnessRegisters(t *testing.T) {
	p := probeForTest(t)
	tests := []struct {
		name, body, init string
		check            func(r *trampoline.Regs) string
	}{
		{
			// Without init, every register but RDI (the buffer) and RSP
			// is zero when the kernel starts: OR them all into R14.
			name: "zero",
			body: "ORQ AX, R14; ORQ BX, R14; ORQ CX, R14; ORQ DX, R14; ORQ SI, R14; ORQ BP, R14; ORQ R8, R14; ORQ R9, R14; ORQ R10, R14; ORQ R11, R14; ORQ R12, R14; ORQ R13, R14; MOVQ DI, R13",
			check: func(r *trampoline.Regs) string {
				if r.GPR[trampoline.R14] != 0 {
					return "a register was not zero"
				}
				if r.GPR[trampoline.R13] == 0 || r.GPR[trampoline.R13]%64 != 0 {
					return "RDI is not the 64-byte-aligned buffer"
				}
				return ""
			},
		},
		{
			// Init's RAX, RCX, RDX (which RDTSC and RDPRU clobber) and
			// its carry flag survive the clock reads.
			name: "carried",
			init: "MOVQ $5, AX; MOVQ $7, CX; MOVQ $9, DX; STC",
			body: "SETCS R11B; MOVQ AX, R8; MOVQ CX, R9; MOVQ DX, R10; CLC",
			check: func(r *trampoline.Regs) string {
				if r.GPR[trampoline.R8] != 5 || r.GPR[trampoline.R9] != 7 || r.GPR[trampoline.R10] != 9 || r.GPR[trampoline.R11]&0xff != 1 {
					return "init registers lost: " + r.String()
				}
				return ""
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kc := mustKernel(t, tt.body, tt.init)
			buf, err := execmem.Map(4096, execmem.MapOptions{Prot: execmem.ProtRW})
			if err != nil {
				t.Fatal(err)
			}
			defer buf.Close()
			tm, err := newTimer(&subjectSpec{name: "k", file: "k.s", kernel: kc, clock: ClockTSC, cpu: p.CPU, timeout: DefaultTimeout}, 1, buf.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer tm.close()
			var regs trampoline.Regs
			args := trampoline.Args{Int: [6]uint64{uint64(buf.Addr()), 1}} // L = 1: one copy runs
			res, err := trampoline.Run(context.Background(), tm.entry, &args, &trampoline.Options{Regs: &regs})
			if err != nil {
				t.Fatal(err)
			}
			if res.RAX == 0 || res.RAX != res.RDX {
				t.Errorf("TSC clock: RAX %d, RDX %d; want the same nonzero tick count", res.RAX, res.RDX)
			}
			if msg := tt.check(&regs); msg != "" {
				t.Error(msg)
			}
		})
	}
}
