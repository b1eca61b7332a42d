package asm_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/asm/internal/inteltab"
)

// TestIntelGenerated checks that internal/intel/table_gen.go and the corpus are what
// go generate (./internal/intelgen) makes from the Go toolchain's encoder
// tests, x86asm and GNU as now.
func TestIntelGenerated(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIP: regenerating the Intel form table takes a few seconds (-short)")
	}
	if _, err := os.Stat(filepath.Join(runtime.GOROOT(), "src", "cmd", "asm", "internal", "asm", "testdata", "amd64enc.s")); err != nil {
		t.Skipf("SKIP: the Go assembler's encoder tests are not installed (%v): cannot regenerate the Intel form table", err)
	}
	version, err := inteltab.GNUVersion()
	if errors.Is(err, inteltab.ErrNoGNU) {
		t.Skip("SKIP: GNU as (binutils) is not installed: cannot regenerate the Intel form table")
	}
	if err != nil {
		t.Fatal(err)
	}
	report, err := os.ReadFile(filepath.Join("testdata", "intel", "table_report.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "# " + inteltab.GNUVersionLabel + ": " + version + "\n"; !strings.Contains(string(report), want) {
		t.Skipf("SKIP: the Intel form table was generated with another GNU as than %q (see testdata/intel/table_report.txt): its probes and corpus could differ", version)
	}
	files, err := inteltab.Generate(runtime.GOROOT(), func(line string) []byte {
		p, err := asm.Assemble(line)
		if err != nil {
			return nil
		}
		return p.Code
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		have, err := os.ReadFile(f.Path)
		if err != nil {
			t.Errorf("%s: %v (run go generate in package asm)", f.Path, err)
			continue
		}
		if !bytes.Equal(have, f.Data) {
			t.Errorf("%s is out of date: run go generate in package asm", f.Path)
		}
	}
}
