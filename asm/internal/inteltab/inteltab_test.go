package inteltab

import (
	"encoding/hex"
	"errors"
	"testing"
)

func TestParseGoArg(t *testing.T) {
	tests := []struct {
		in   string
		want goArg
		ok   bool
	}{
		{"AX", goArg{kind: goReg, reg: "AX"}, true},
		{"$-7", goArg{kind: goImm, imm: -7}, true},
		{"$0xffffffffffffffff", goArg{kind: goImm, imm: -1}, true},
		{"(BX)", goArg{kind: goMem, base: "BX"}, true},
		{"-17(BP)(SI*4)", goArg{kind: goMem, base: "BP", index: "SI", scale: 4, disp: -17}, true},
		{"8(X4*1)", goArg{kind: goMem, index: "X4", scale: 1, disp: 8}, true},
		{"x(SB)", goArg{}, false},
		{"[Z0-Z3]", goArg{}, false},
		{"2(PC)", goArg{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseGoArg(tt.in)
			if ok != tt.ok || (ok && got != tt.want) {
				t.Errorf("parseGoArg(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestAssembleGNU(t *testing.T) {
	res, err := AssembleGNU([]string{"nop", "frobnicate rax", "ret", "mov rax, 1 ; two"})
	if errors.Is(err, ErrNoGNU) {
		t.Skip("SKIP: GNU as (binutils) is not installed")
	}
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(res[0].Code) != "90" || res[0].Err != "" {
		t.Errorf("nop: %+v", res[0])
	}
	if res[1].Err == "" || res[1].Code != nil {
		t.Errorf("frobnicate: %+v, want an error", res[1])
	}
	if hex.EncodeToString(res[2].Code) != "c3" {
		t.Errorf("ret: %+v", res[2])
	}
	if res[3].Err == "" {
		t.Errorf("a line with ';': %+v, want an error", res[3])
	}
}

func TestDecodeGNU(t *testing.T) {
	// vcvtps2pd zmm0, ymm5, {sae} with EVEX.L'L 10 and 00: x86asm reads the
	// first as {ru-sae}, objdump both as {sae}; and two instructions.
	a, _ := hex.DecodeString("62f17c585ac5")
	b, _ := hex.DecodeString("62f17c185ac5")
	texts, err := DecodeGNU(a, b, []byte{0x90, 0x90})
	if err != nil {
		t.Skipf("SKIP: %v", err)
	}
	if texts[0] == "" || texts[0] != texts[1] {
		t.Errorf("objdump: %q and %q, want the same instruction", texts[0], texts[1])
	}
	if texts[2] != "" {
		t.Errorf("objdump on two nops: %q, want \"\" (not one instruction)", texts[2])
	}
}
