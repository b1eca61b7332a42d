package asm

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// TestStreamReusesMemory checks that each front end uses the memory of the
// statements the encoder let go of again, a batch at a time
// (ir.HandOverBatch, Options.read's letGo): an assembly of a long source
// allocates about what its Program keeps of each line (the line's bytes,
// its line map entry, its pieces) and a few batches' worth of
// statements, not a statement and its operands for every line. Without
// letGo, the batches were let go of only when the encoder happened to
// have just encoded its chunk: an assembly of the Intel corpus allocated
// 490 bytes a line instead of 146, one of the AT&T corpus 522 instead of
// 157.
func TestStreamReusesMemory(t *testing.T) {
	if raceEnabled {
		t.Skip("SKIP: under the race detector sync.Pool drops a quarter of what is put back, so an assembly's allocations are not what it needs")
	}
	read := func(parts ...string) []byte {
		data, err := os.ReadFile(filepath.Join(parts...))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	var goSrc strings.Builder
	goSrc.WriteString("TEXT f(SB), 0, $0\n")
	for i := range 5000 {
		fmt.Fprintf(&goSrc, "ADDQ $%d, AX\nVPADDD %d(SP), Y1, Y2\n", i, 8*i)
	}
	goSrc.WriteString("RET\n")
	// most is about 1.5 times what an assembly allocated a line when this
	// was written, less than that and a statement with its operands.
	tests := []struct {
		name   string
		src    []byte
		syntax Syntax
		most   float64
	}{
		{"go", []byte(goSrc.String()), SyntaxGo, 420},
		{"intel", read("testdata", "intel", "corpus.s"), SyntaxIntel, 220},
		{"att", read("testdata", "att", "corpus.s"), SyntaxATT, 240},
	}
	// No collection empties the pools between the assemblies, or during
	// one.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The least of four assemblies: the first fills the pools,
			// and a later one may find a pool's buffers on another
			// processor, out of its reach.
			least := ^uint64(0)
			for range 4 {
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				if _, err := AssembleSource("t.s", tt.src, tt.syntax); err != nil {
					t.Fatal(err)
				}
				runtime.ReadMemStats(&after)
				least = min(least, after.TotalAlloc-before.TotalAlloc)
			}
			lines := bytes.Count(tt.src, []byte("\n"))
			perLine := float64(least) / float64(lines)
			t.Logf("%d lines: %.0f bytes a line", lines, perLine)
			if perLine > tt.most {
				t.Errorf("%d lines: %.0f bytes allocated a line, want at most %.0f (statements kept that should have been let go of?)", lines, perLine, tt.most)
			}
		})
	}
}
