package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/internal/hostcpu"
)

// lanesCases are the vector register listings (--regs, --lanes, --json):
// avx512 marks a case that needs AVX-512 (skipped, loudly, without).
var lanesCases = []struct {
	runCase
	avx512 bool
}{
	// VPADDD on ymm and xmm: the default view, hex and f64 lanes.
	{runCase{"lanes-vpaddd", []string{"run", "--regs", td("lanes-vpaddd.s")}, "", exitOK}, false},
	{runCase{"lanes-vpaddd-i32", []string{"run", "--regs", "--lanes", "i32", td("lanes-vpaddd.s")}, "", exitOK}, false},
	{runCase{"lanes-vpaddd-u8", []string{"run", "--regs", "--lanes", "U8", td("lanes-vpaddd.s")}, "", exitOK}, false},
	{runCase{"lanes-vpaddd-json", []string{"run", "--json", td("lanes-vpaddd.s")}, "", exitOK}, false},
	// VADDPS on ymm, in f32 lanes.
	{runCase{"lanes-vaddps-f32", []string{"run", "--regs", "--lanes", "f32", td("lanes-vaddps.s")}, "", exitOK}, false},
	// A fault shows the vector registers too, in the view asked for.
	{runCase{"lanes-fault", []string{"run", "--lanes", "i64", "--syntax", "intel", "-e", "vpcmpeqq ymm5, ymm5, ymm5; ud2"}, "", exitFault}, false},
	// Bad input.
	{runCase{"lanes-bad", []string{"run", "--regs", "--lanes", "int32", "-e", "RET"}, "", exitInput}, false},
	{runCase{"lanes-json-conflict", []string{"run", "--json", "--lanes", "i32", "-e", "RET"}, "", exitInput}, false},
	// AVX-512: ZMM registers, zmm16-31 and k0-k7.
	{runCase{"lanes-zmm", []string{"run", "--regs", td("lanes-zmm.s")}, "", exitOK}, true},
	{runCase{"lanes-zmm-i32", []string{"run", "--regs", "--lanes", "i32", td("lanes-zmm.s")}, "", exitOK}, true},
	{runCase{"lanes-zmm-json", []string{"run", "--json", td("lanes-zmm.s")}, "", exitOK}, true},
}

// hasAVX512 reports whether the CPU and the OS give AVX-512.
func hasAVX512(t *testing.T) bool {
	f, err := hostcpu.Read()
	if err != nil {
		t.Fatal(err)
	}
	return f.AVX512F
}

func TestRunLanesGolden(t *testing.T) {
	for _, tc := range lanesCases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.avx512 && !hasAVX512(t) {
				t.Skip("SKIP: this CPU (or OS) has no AVX-512: no ZMM or opmask registers to show")
			}
			got, stdout, stderr, status := transcriptParts(strings.NewReader(""), tc.args...)
			if status != tc.status {
				t.Errorf("exit status %d, want %d:\n%s", status, tc.status, got)
			}
			if tc.status == exitInput && (stdout != "" || strings.Count(stderr, "\n") != 1) {
				t.Errorf("want one line on standard error and none on standard output:\n%s", got)
			}
			if tc.status != exitInput && stderr != "" {
				t.Errorf("standard error is not empty:\n%s", got)
			}
			checkGolden(t, td(tc.name+".golden"), mask(got))
		})
	}
}

// TestRunLanesJSON decodes the vector registers of --json: xmm stays as
// it was, ymm and zmm are whole registers in hex, k the opmasks; code
// that leaves them zero has none of the three.
func TestRunLanesJSON(t *testing.T) {
	type regs struct {
		XMM []string `json:"xmm"`
		YMM []string `json:"ymm"`
		ZMM []string `json:"zmm"`
		K   []string `json:"k"`
	}
	decode := func(args ...string) regs {
		t.Helper()
		_, out, errOut := runCmd(t, "", args...)
		var d struct {
			Regs regs `json:"regs"`
		}
		if err := json.Unmarshal([]byte(out), &d); err != nil {
			t.Fatalf("%v: %v\n%s%s", args, err, out, errOut)
		}
		return d.Regs
	}
	r := decode("run", "--json", "-e", "PCMPEQB X3, X3; RET")
	if len(r.XMM) != 16 || r.XMM[3] != "0x"+strings.Repeat("f", 32) || r.YMM != nil || r.ZMM != nil || r.K != nil {
		t.Errorf("SSE code: %+v", r)
	}
	r = decode("run", "--json", td("lanes-vpaddd.s"))
	if len(r.YMM) != 16 || r.ZMM != nil || r.K != nil ||
		r.YMM[2] != "0xffffffb80000004d0000004200000037"+"0000002c00000021000000160000000b" ||
		r.YMM[3] != "0x000000000000000000000000000000000000002c00000021000000160000000b" ||
		r.XMM[2] != "0x0000002c00000021000000160000000b" {
		t.Errorf("VPADDD: %+v", r)
	}
	if !hasAVX512(t) {
		t.Skip("SKIP: this CPU (or OS) has no AVX-512: no ZMM or opmask registers to decode")
	}
	r = decode("run", "--json", td("lanes-zmm.s"))
	if len(r.ZMM) != 32 || len(r.YMM) != 16 || len(r.K) != 8 ||
		r.ZMM[17] != "0x"+strings.Repeat("f", 128) || r.ZMM[16] != "0x"+strings.Repeat("0", 128) ||
		r.K[1] != "0xff00" || r.K[2] != "0x5" || r.K[0] != "0x0" {
		t.Errorf("AVX-512: %+v", r)
	}
}
