package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/internal/testsupport"
)

// sectionCases are programs with read-only and writable data, as a loader
// lays them out (run_symbols.go): each in Intel and Go syntax.
var sectionCases = []runCase{
	// A counter in .data incremented 3 times; --disasm lists where each
	// symbol lives.
	{"sections-counter-intel", []string{"run", "--disasm", "--syntax", "intel", "-e",
		"section .data; counter: dq 41; section .text; inc qword [rel counter]; inc qword [rel counter]; inc qword [rel counter]; mov rax, [rel counter]; ret"}, "", exitOK},
	{"sections-counter-go", []string{"run", "--disasm", "-e",
		"GLOBL counter(SB), NOPTR, $8; DATA counter+0(SB)/8, $41; TEXT f(SB), NOSPLIT, $0; INCQ counter(SB); INCQ counter(SB); INCQ counter(SB); MOVQ counter(SB), AX; RET"}, "", exitOK},
	// A .bss array filled by a loop: arr[i] = i for i < 8, then
	// arr[7] + arr[1] = 8; --json lists the symbols.
	{"sections-bss-intel", []string{"run", "--json", "--syntax", "intel", "-e",
		"section .bss; arr: resq 8; section .text; lea rdi, [rel arr]; xor ecx, ecx; fill: mov [rdi+rcx*8], rcx; inc ecx; cmp ecx, 8; jne fill; mov rax, [rel arr+56]; add rax, [rel arr+8]; ret"}, "", exitOK},
	{"sections-bss-go", []string{"run", "--json", "-e",
		"GLOBL arr(SB), NOPTR, $64; TEXT f(SB), NOSPLIT, $0; LEAQ arr(SB), DI; XORL CX, CX; fill: MOVQ CX, (DI)(CX*8); INCL CX; CMPL CX, $8; JNE fill; MOVQ arr+56(SB), AX; ADDQ arr+8(SB), AX; RET"}, "", exitOK},
	// A write to read-only data faults (error code 0x7), and the report
	// says what to do.
	{"sections-rodata-write-intel", []string{"run", "--syntax", "intel", "-e",
		"section .rodata; counter: dq 41; section .text; inc qword [rel counter]; mov rax, [rel counter]; ret"}, "", exitFault},
	{"sections-rodata-write-go", []string{"run", "-e",
		"GLOBL counter(SB), RODATA, $8; DATA counter+0(SB)/8, $41; TEXT f(SB), NOSPLIT, $0; INCQ counter(SB); MOVQ counter(SB), AX; RET"}, "", exitFault},
	// Float constants are read-only data too.
	{"sections-float-constants", []string{"run", "--disasm", "-e", "MOVSD $1.5, X0; ADDSD $(2.25), X0; RET"}, "", exitOK},
	// Read-only data is not executable either (error code 0x15).
	{"sections-rodata-exec", []string{"run", "--syntax", "intel", "-e",
		"section .rodata; table: dq 1, 2; section .text; lea rax, [rel table+8]; call rax; ret"}, "", exitFault},
}

func TestSectionsGolden(t *testing.T) {
	for _, tc := range sectionCases {
		t.Run(tc.name, func(t *testing.T) {
			got, _, stderr, status := transcriptParts(strings.NewReader(""), tc.args...)
			if status != tc.status || stderr != "" {
				t.Errorf("exit status %d, want %d; standard error %q", status, tc.status, stderr)
			}
			checkGolden(t, td(tc.name+".golden"), maskLoc(mask(got)))
		})
	}
}

// locName is the name disasm gives an address with no name Go syntax can
// read (a float constant's $f64.…): loc_ and the address.
var locName = regexp.MustCompile(`\bloc_[0-9a-f]{6,}([0-9a-f]{3})\b`)

// maskLoc masks the address in loc_ names as mask masks addresses: all
// but the offset in the page.
func maskLoc(s string) string { return locName.ReplaceAllString(s, "loc_XXX${1}") }

// TestSectionsWX runs the programs with data while /proc/self/maps is
// sampled: no page is ever writable and executable at once.
func TestSectionsWX(t *testing.T) {
	w := testsupport.StartWXWatch(time.Millisecond)
	for range 3 {
		for _, tc := range sectionCases {
			if _, _, _, status := transcriptParts(strings.NewReader(""), tc.args...); status != tc.status {
				t.Errorf("%s: exit status %d, want %d", tc.name, status, tc.status)
			}
		}
	}
	bad, samples := w.Stop()
	if bad != "" {
		t.Errorf("W^X violated (%d samples): %s", samples, bad)
	}
	if samples < 2 {
		t.Errorf("%d samples of /proc/self/maps", samples)
	}
}

// TestLoadOptionsPages loads every example, and the programs above, as run
// loads them and checks each page's protection in /proc/self/maps: the
// code's r-x, the read-only data's r--, the writable data's rw-; no data
// page is executable.
func TestLoadOptionsPages(t *testing.T) {
	type source struct {
		name   string
		src    []byte
		syntax asm.Syntax
	}
	var sources []source
	paths, _ := filepath.Glob("../../examples/*.[sa]*")
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, source{filepath.Base(p), src, asm.SyntaxAuto})
	}
	if len(sources) < 20 {
		t.Fatalf("%d examples", len(sources))
	}
	for _, tc := range sectionCases {
		syntax := asm.SyntaxGo
		if tc.args[len(tc.args)-3] == "intel" {
			syntax = asm.SyntaxIntel
		}
		sources = append(sources, source{tc.name, []byte(tc.args[len(tc.args)-1]), syntax})
	}
	withData := 0
	ps := execmem.PageSize()
	for _, s := range sources {
		t.Run(s.name, func(t *testing.T) {
			opts := asm.Options{Syntax: s.syntax, Semicolons: strings.HasPrefix(s.name, "sections-")}
			prog, err := opts.Assemble(s.name, s.src)
			if err != nil {
				t.Fatal(err)
			}
			rc := &runnable{code: prog.Code, prog: prog}
			blk, err := execmem.LoadWith(rc.code, rc.loadOptions())
			if err != nil {
				t.Fatal(err)
			}
			defer blk.Close()
			if prog.RodataStart() < len(prog.Code) {
				withData++
			}
			maps, err := execmem.Maps()
			if err != nil {
				t.Fatal(err)
			}
			for off := 0; off < blk.Cap(); off += ps {
				want := execmem.ProtRX
				switch {
				case off >= prog.WritableStart():
					want = execmem.ProtRW
				case off >= prog.RodataStart():
					want = execmem.ProtRead
				}
				reg, ok := execmem.FindRegion(maps, blk.Addr()+uintptr(off))
				if !ok || reg.Prot != want {
					t.Errorf("page at +%#x: %v (%v), want %s", off, reg, ok, want)
				}
			}
		})
	}
	if withData < 8 {
		t.Errorf("only %d programs with data", withData)
	}
}
