package asm_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/asm/internal/inteltab"
	"github.com/jitrun/jitrun/disasm"
)

// corpusLines returns the instruction lines of the GNU-spelling oracle
// corpus.
func corpusLines(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "intel", "corpus.s"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if l != "" && l[0] != '#' {
			out = append(out, l)
		}
	}
	return out
}

// TestIntelRoundTrip disassembles the bytes of every corpus line with
// disasm in Intel syntax and assembles the text again: it must give the
// same bytes for every row the decoder prints correctly. A row is printed
// correctly when GNU as reads its text back into the same bytes; rows the
// decoder marks Bad (its known mistakes) are left out, and rows GNU as
// does not read back either are counted as the decoder's misprints, each
// one logged.
func TestIntelRoundTrip(t *testing.T) {
	reproduced, _ := intelRoundTrip(t)
	if len(reproduced) == 0 {
		t.Fatal("no line round-trips")
	}
}

// intelRoundTrip runs the per-line round trip and returns the lines that
// came back byte for byte.
func intelRoundTrip(t *testing.T) (reproduced []string, misprinted int) {
	type trip struct {
		line string
		code []byte
		text string
		back []byte
		err  error
	}
	var trips []*trip
	total, bad := 0, 0
	for _, line := range corpusLines(t) {
		p, err := asm.AssembleSource("corpus.s", []byte(line), asm.SyntaxIntel)
		if err != nil {
			continue // counted by the oracle test
		}
		total++
		rows := disasm.Decode(p.Code, disasm.Options{Syntax: asm.SyntaxIntel})
		var text []string
		skip := false
		for _, r := range rows {
			if r.End() {
				continue
			}
			if r.Bad || r.Data {
				skip = true
			}
			text = append(text, r.Text)
		}
		if skip {
			bad++
			continue
		}
		tr := &trip{line: line, code: p.Code, text: strings.Join(text, "\n")}
		q, err := asm.AssembleSource("roundtrip.asm", []byte(tr.text), asm.SyntaxIntel)
		tr.err = err
		if err == nil {
			tr.back = q.Code
		}
		trips = append(trips, tr)
	}
	// The texts that did not come back: does GNU as read them back?
	var check []*trip
	var texts []string
	for _, tr := range trips {
		if tr.err != nil || !bytes.Equal(tr.back, tr.code) {
			check = append(check, tr)
			texts = append(texts, strings.ReplaceAll(tr.text, "\n", " ; "))
		}
	}
	gnu, err := inteltab.AssembleGNU(texts)
	if errors.Is(err, inteltab.ErrNoGNU) {
		t.Skip("SKIP: GNU as (binutils) is not installed: the round trip needs it to tell the decoder's misprints from the assembler's mistakes")
	}
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for i, tr := range check {
		if gnu[i].Err != "" || !bytes.Equal(gnu[i].Code, tr.code) || phantomSegment(tr.text, tr.code) {
			misprinted++
			t.Logf("decoder misprint: %s: %x disassembles to %q (GNU as: %x %s)", tr.line, tr.code, tr.text, gnu[i].Code, gnu[i].Err)
			continue
		}
		failed++
		if tr.err != nil {
			t.Errorf("%s: %x disassembles to %q, which GNU as reads back but jitrun does not: %v", tr.line, tr.code, tr.text, tr.err)
		} else {
			t.Errorf("%s: %x disassembles to %q, which GNU as reads back but jitrun assembles to %x", tr.line, tr.code, tr.text, tr.back)
		}
	}
	for _, tr := range trips {
		if tr.err == nil && bytes.Equal(tr.back, tr.code) {
			reproduced = append(reproduced, tr.line)
		}
	}
	t.Logf("round trip: %d lines assemble; %d the decoder marks bad; of the other %d, %d reproduced, %d misprinted by the decoder, %d failed",
		total, bad, len(trips), len(reproduced), misprinted, failed)
	return reproduced, misprinted
}

// TestIntelRoundTripProgram assembles the corpus lines that round-trip one
// by one as one program,
// lists it with disasm (its labels and RIP-relative targets named from the
// Program), writes the listing back as source and assembles that: the
// code must come back byte for byte.
func TestIntelRoundTripProgram(t *testing.T) {
	src, _ := intelRoundTrip(t)
	p, err := asm.AssembleSource("corpus.s", []byte(strings.Join(src, "\n")), asm.SyntaxIntel)
	if err != nil {
		t.Fatal(err)
	}
	rows := disasm.Decode(p.Code, disasm.Options{Syntax: asm.SyntaxIntel, Program: p})
	for _, r := range rows {
		if r.Bad {
			t.Skipf("SKIP: the listing has rows the decoder marks bad (%s at %#x: %s); the per-line round trip covers the rest", r.Text, r.Addr, r.Note)
		}
	}
	var out strings.Builder
	if err := disasm.WriteAsm(&out, rows); err != nil {
		t.Fatal(err)
	}
	listing := out.String()
	q, err := asm.AssembleSource("listing.asm", []byte(listing), asm.SyntaxIntel)
	if err != nil {
		t.Fatalf("the listing does not assemble: %v", err)
	}
	if !bytes.Equal(q.Code, p.Code) {
		n := 0
		for n < len(p.Code) && n < len(q.Code) && p.Code[n] == q.Code[n] {
			n++
		}
		t.Fatalf("the listing assembles to %d bytes, the corpus to %d; first difference at %#x", len(q.Code), len(p.Code), n)
	}
	t.Logf("round trip of the whole corpus: %d lines, %d bytes reproduced", len(src), len(p.Code))
}

// phantomSegment reports whether text shows a cs:, ds:, es: or ss:
// override that code does not have (x86asm takes an EVEX payload byte
// 0x2e/0x3e/0x26/0x36 for one): GNU as drops such an override where it
// is redundant, so reading the text back does not show the misprint.
func phantomSegment(text string, code []byte) bool {
	seg := map[string]byte{"cs:": 0x2e, "ds:": 0x3e, "es:": 0x26, "ss:": 0x36}
	for name, b := range seg {
		if !strings.Contains(text, name+"[") {
			continue
		}
		has := false
		for _, c := range code {
			switch c {
			case 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x64, 0x65, 0x2e, 0x3e, 0x26, 0x36:
				if c == b {
					has = true
				}
				continue
			}
			break
		}
		if !has {
			return true
		}
	}
	return false
}
