package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm"
)

// TestHelpLib checks `jitrun help lib` against its golden file, and that
// it names every routine of the library.
func TestHelpLib(t *testing.T) {
	status, out, errOut := runCmd(t, "", "help", "lib")
	if status != exitOK || errOut != "" {
		t.Fatalf("status %d, stderr %q", status, errOut)
	}
	for _, r := range asm.Library() {
		if !strings.Contains(out, "\n  "+r.Name+"(") {
			t.Errorf("help lib does not list %s", r.Name)
		}
	}
	checkGolden(t, filepath.Join("testdata", "help", "lib.golden"), out)
	if _, usage, _ := runCmd(t, "", "help"); !strings.Contains(usage, "'jitrun help lib'") {
		t.Errorf("jitrun help does not point at help lib:\n%s", usage)
	}
}

// TestAsmLibGolden checks the listings of a program that calls the I/O
// library: its routines are symbols after the code, and their lines name
// the library's source file.
func TestAsmLibGolden(t *testing.T) {
	for _, format := range []string{"listing", "json", "go"} {
		t.Run(format, func(t *testing.T) {
			status, out, errOut := runCmd(t, "", "asm", "--format", format, "-e", "mov rdi, 7; call print_uint; ret")
			if status != exitOK || errOut != "" {
				t.Fatalf("status %d, stderr %q", status, errOut)
			}
			if !strings.Contains(out, "iolib/print.s") || !strings.Contains(out, "__jitrun_write") {
				t.Errorf("the library's lines or helpers are missing:\n%s", out)
			}
			checkGolden(t, filepath.Join("testdata", "asm", "lib."+format+".golden"), out)
		})
	}
}
