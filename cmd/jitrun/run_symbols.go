package main

import (
	"fmt"
	"strings"

	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/explain"
)

// loadOptions lays the code out as a loader lays out an executable
// (asm.Program.LoadLayout): the code read+exec, the read-only data
// (.rodata, float constants) read-only, the writable data (.data, .bss)
// read+write, no data page executable. Raw machine code (--hex, --bin) is
// all code.
func (rc *runnable) loadOptions() execmem.LoadOptions {
	if rc.prog == nil {
		return execmem.LoadOptions{}
	}
	ro, w := rc.prog.LoadLayout()
	return execmem.LoadOptions{Readonly: ro, Writable: w}
}

// symbolJSON is a symbol of the program in run's --json "symbols": where
// it lives. Offset is from the start of the code; Section is ".text",
// ".rodata" or ".data" (Intel's .bss is part of .data); Prot is the
// protection of its pages as loaded ("r-x", "r--", "rw-"); Addr is where
// it was loaded.
type symbolJSON struct {
	Name    string `json:"name"`
	Offset  int    `json:"offset"`
	Size    int    `json:"size"`
	Section string `json:"section"`
	Prot    string `json:"prot"`
	Addr    string `json:"addr"`
}

// placedSymbol is a symbol of the program with where it was loaded.
type placedSymbol struct {
	name    string
	offset  int
	size    int
	section string
	prot    execmem.Prot
	addr    uint64
}

// symbols lists the program's symbols in offset order with their section
// and the protection of their pages as loaded; none for raw machine code.
func (r *report) symbols() []placedSymbol {
	if r.rc.prog == nil {
		return nil
	}
	var out []placedSymbol
	for _, s := range r.rc.prog.Symbols {
		out = append(out, placedSymbol{
			name: explain.SymbolName(s), offset: s.Offset, size: s.Size, section: s.Kind.SectionName(),
			prot: r.protAt(s.Offset), addr: r.base() + uint64(s.Offset),
		})
	}
	return out
}

// protAt is the protection the code was loaded with at offset off: read+
// write from the block's writable data, read-only from its read-only data,
// read+exec before.
func (r *report) protAt(off int) execmem.Prot {
	switch {
	case r.blk.Writable() > 0 && off >= r.blk.Writable():
		return execmem.ProtRW
	case r.blk.Readonly() > 0 && off >= r.blk.Readonly():
		return execmem.ProtRead
	}
	return execmem.ProtRX
}

// symbolsJSON is the program's symbols for --json, nil for raw machine
// code.
func (r *report) symbolsJSON() []symbolJSON {
	var out []symbolJSON
	for _, s := range r.symbols() {
		out = append(out, symbolJSON{Name: s.name, Offset: s.offset, Size: s.size, Section: s.section, Prot: s.prot.String(), Addr: hexJSON(s.addr)})
	}
	return out
}

// writeSymbols prints, above --disasm's listing of a program with data,
// where each symbol lives: its offset, size, section and the protection
// of its pages.
//
//	symbols:
//	  main     +0x0     24 bytes  .text  r-x
//	  counter  +0x1000   8 bytes  .data  rw-
func (r *report) writeSymbols(b *strings.Builder) {
	syms := r.symbols()
	hasData := false
	for _, s := range syms {
		hasData = hasData || s.section != ".text"
	}
	if !hasData {
		return
	}
	nameW, offW, sizeW := 0, 0, 0
	for _, s := range syms {
		nameW = max(nameW, len(s.name))
		offW = max(offW, len(fmt.Sprintf("+%#x", s.offset)))
		sizeW = max(sizeW, len(fmt.Sprint(s.size)))
	}
	b.WriteString("symbols:\n")
	for _, s := range syms {
		unit := "bytes"
		if s.size == 1 {
			unit = "byte"
		}
		fmt.Fprintf(b, "  %-*s  %-*s  %*d %-5s  %-7s  %s\n", nameW, s.name, offW, fmt.Sprintf("+%#x", s.offset), sizeW, s.size, unit, s.section, s.prot)
	}
}
