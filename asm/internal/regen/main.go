// Command regen writes asm/reg_gen.go (run by go generate in package asm).
package main

import (
	"log"
	"os"

	"github.com/jitrun/jitrun/asm/internal/regtab"
)

func main() {
	src, err := regtab.Generate()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("reg_gen.go", src, 0o644); err != nil {
		log.Fatal(err)
	}
}
