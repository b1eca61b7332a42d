// Command regen writes the register constants of asm/reg_gen.go and
// asm/internal/ir/reg_gen.go (run by go generate in package asm).
package main

import (
	"log"
	"os"

	"github.com/jitrun/jitrun/asm/internal/regtab"
)

func main() {
	for _, f := range regtab.Files {
		src, err := regtab.Generate(f.Package)
		if err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(f.Path, src, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
