// Command tablegen writes asm/internal/x86enc/tables_gen.go: the tables the
// encoder learns by asking golang-asm (its mnemonics, how it encodes each
// branch, which registers it drops), as Go data, so that a process reads
// them instead of probing golang-asm at first use. go generate runs it in
// package x86enc, after a golang-asm upgrade.
package main

import (
	"go/format"
	"log"
	"os"

	"github.com/jitrun/jitrun/asm/internal/x86enc"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("tablegen: ")
	src, err := format.Source(x86enc.TablesSource())
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("tables_gen.go", src, 0o644); err != nil {
		log.Fatal(err)
	}
}
