// Command intelgen writes the Intel-syntax form table of the Intel front end
// (asm/internal/intel/table_gen.go), the oracle corpus in GNU and NASM spellings
// (asm/testdata/intel/corpus.s, corpus_nasm.asm) and the report of what the
// table leaves out (asm/testdata/intel/table_report.txt). go generate runs
// it in package asm; it needs the Go toolchain's assembler tests
// ($GOROOT/src/cmd/asm) and GNU as (binutils), which checks every form.
package main

import (
	"log"
	"os"
	"path/filepath"
	"runtime"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/asm/internal/inteltab"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("intelgen: ")
	files, err := inteltab.Generate(runtime.GOROOT(), goBytes)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range files {
		if err := os.MkdirAll(filepath.Dir(f.Path), 0o755); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(f.Path, f.Data, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

// goBytes assembles one line of Go syntax with jitrun's own encoder.
func goBytes(line string) []byte {
	p, err := asm.Assemble(line)
	if err != nil {
		return nil
	}
	return p.Code
}
