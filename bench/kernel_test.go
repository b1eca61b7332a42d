package bench

import (
	"errors"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm"
)

func TestCheckKernelErrors(t *testing.T) {
	tests := []struct {
		name       string
		body, init string
		syntax     asm.Syntax
		want       []string // the error list, one line per problem
	}{
		{"r15", "ADDQ $1, R15", "", asm.SyntaxGo, []string{"k.s:1:1: the kernel may not use R15: it counts the iterations of the measuring loop"}},
		{"r15b", "MOVB $1, R15B", "", asm.SyntaxGo, []string{"k.s:1:1: the kernel may not use R15: it counts the iterations of the measuring loop"}},
		{"rsp", "NOP\nADDQ $8, SP", "", asm.SyntaxGo, []string{"k.s:2:1: the kernel may not use RSP as an operand: it points at the measuring harness's frame (PUSH and POP are fine)"}},
		{"rsp in init", "NOP", "MOVQ SP, AX", asm.SyntaxGo, []string{"k.s (init):1:1: the init code may not use RSP as an operand: it points at the measuring harness's frame (PUSH and POP are fine)"}},
		{"text", "TEXT f(SB), $0\nNOP", "", asm.SyntaxGo, []string{"k.s:1:1: the kernel is a sequence of instructions, not a function: remove the TEXT directive"}},
		{"outside label", "JMP elsewhere", "", asm.SyntaxGo, []string{"k.s:1:1: the kernel refers to elsewhere, which it does not define (it is assembled on its own, inside the measuring loop)"}},
		{"init label", "NOP", "JMP done", asm.SyntaxGo, []string{"k.s (init):1:1: the init code refers to done, which it does not define (it is assembled on its own, inside the measuring loop)"}},
		{"intel r15", "add r15, 1", "", asm.SyntaxIntel, []string{"k.s:1:1: the kernel may not use R15: it counts the iterations of the measuring loop"}},
		{"intel rsp", "mov rsp, rax", "", asm.SyntaxIntel, []string{"k.s:1:1: the kernel may not use RSP as an operand: it points at the measuring harness's frame (PUSH and POP are fine)"}},
		{"ret", "ADDQ BX, AX\nRET", "", asm.SyntaxGo, []string{"k.s:2:1: the kernel must not RET: it runs inline in the measuring loop, not as a function, so RET would return into the harness (return only from a CALL of the kernel's own)"}},
		{"intel ret", "ret", "", asm.SyntaxIntel, []string{"k.s:1:1: the kernel must not RET: it runs inline in the measuring loop, not as a function, so RET would return into the harness (return only from a CALL of the kernel's own)"}},
		{"ret imm16", "RET $8", "", asm.SyntaxGo, []string{"k.s:1:1: the kernel must not RET: it runs inline in the measuring loop, not as a function, so RET would return into the harness (return only from a CALL of the kernel's own)"}},
		{"far return", "RETFQ", "", asm.SyntaxGo, []string{"k.s:1:1: the kernel must not RETFQ: it runs inline in the measuring loop, not as a function, so RETFQ would return into the harness (return only from a CALL of the kernel's own)"}},
		{"iret", "IRETQ", "", asm.SyntaxGo, []string{"k.s:1:1: the kernel must not IRETQ: it runs inline in the measuring loop, not as a function, so IRETQ would return into the harness (return only from a CALL of the kernel's own)"}},
		{"ret in init", "NOP", "RET", asm.SyntaxGo, []string{"k.s (init):1:1: the init code must not RET: it runs inline before each timed region, not as a function, so RET would return into the harness (return only from a CALL of the init code's own)"}},
		{"call in the other fragment", "CALL f; f: NOP", "RET", asm.SyntaxGo, []string{"k.s (init):1:1: the init code must not RET: it runs inline before each timed region, not as a function, so RET would return into the harness (return only from a CALL of the init code's own)"}},
		{"two problems", "MOVQ R15, AX\nMOVQ AX, SP", "", asm.SyntaxGo, []string{
			"k.s:1:1: the kernel may not use R15: it counts the iterations of the measuring loop",
			"k.s:2:1: the kernel may not use RSP as an operand: it points at the measuring harness's frame (PUSH and POP are fine)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseKernel("k", "k.s", []byte(tt.body), []byte(tt.init), tt.syntax)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			_, err = checkKernel(k)
			var list asm.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %v (%T), want an asm.ErrorList", err, err)
			}
			var got []string
			for _, e := range list {
				got = append(got, e.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestCheckKernelAccepts(t *testing.T) {
	tests := []struct {
		name       string
		body, init string
		insts      int
		data       int
	}{
		{"chain", "IMULQ BX, AX", "", 1, 0},
		{"own label", "loop: DECQ CX; JNE loop", "MOVQ $3, CX", 2, 0},
		{"relative branch", "JMP 1(PC); NOP", "", 2, 0},
		{"push pop", "PUSHQ AX; POPQ BX", "", 2, 0},
		{"r15 in init", "NOP", "MOVQ $1, R15", 1, 0},
		{"memory through r15", "MOVQ (R15), AX", "", 1, 0},
		{"data", "GLOBL c<>(SB), RODATA, $8\nDATA c<>+0(SB)/8, $7\nADDQ c<>(SB), AX", "", 1, 2},
		{"own call and return", "CALL f; JMP done; f: ADDQ BX, AX; RET; done:", "", 4, 0},
		{"init reads kernel data", "GLOBL c(SB), RODATA, $8\nDATA c+0(SB)/8, $7\nNOP", "MOVQ c(SB), AX", 1, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseKernel("k", "k.s", []byte(tt.body), []byte(tt.init), asm.SyntaxGo)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			kc, err := checkKernel(k)
			if err != nil {
				t.Fatal(err)
			}
			if kc.insts != tt.insts || len(kc.data) != tt.data {
				t.Errorf("%d instructions, %d data statements; want %d, %d", kc.insts, len(kc.data), tt.insts, tt.data)
			}
		})
	}
}

func TestCheckKernelEmpty(t *testing.T) {
	for _, src := range []string{"", "// nothing\n", "label:"} {
		k, err := ParseKernel("empty", "k.s", []byte(src), nil, asm.SyntaxGo)
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if _, err := checkKernel(k); err == nil || err.Error() != `bench: kernel "empty" has no instructions` || !errors.Is(err, ErrEmptyKernel) {
			t.Errorf("%q: error %v, want one that is ErrEmptyKernel", src, err)
		}
	}
}

func TestParseKernelErrors(t *testing.T) {
	_, err := ParseKernel("k", "k.s", []byte("ADDQ $1,"), nil, asm.SyntaxGo)
	var list asm.ErrorList
	if !errors.As(err, &list) || !strings.HasPrefix(list[0].Error(), "k.s:1:") {
		t.Errorf("body error: %v", err)
	}
	_, err = ParseKernel("k", "k.s", []byte("NOP"), []byte("\nMOVQ $1,"), asm.SyntaxGo)
	if !errors.As(err, &list) || !strings.HasPrefix(list[0].Error(), "k.s (init):2:") {
		t.Errorf("init error: %v", err)
	}
}

func TestChooseUnroll(t *testing.T) {
	tests := []struct {
		body string
		opt  int
		want int
	}{
		{"ADDQ BX, AX", 0, 100},
		{"ADDQ BX, AX; ADDQ BX, CX; ADDQ BX, DX; ADDQ BX, SI", 0, 50},
		{strings.Repeat("ADDQ BX, AX\n", 40), 0, 5},
		{strings.Repeat("ADDQ BX, AX\n", 300), 0, 1},
		{"VPADDD Z1, Z0, Z0", 0, 100},
		{strings.Repeat("VPADDD Z1, Z2, Z0\n", 100), 0, 2}, // 6 bytes each: 4096/600 = 6, 200/100 = 2
		{"ADDQ BX, AX", 7, 7},
	}
	for _, tt := range tests {
		k, err := ParseKernel("k", "k.s", []byte(tt.body), nil, asm.SyntaxGo)
		if err != nil {
			t.Fatal(err)
		}
		kc, err := checkKernel(k)
		if err != nil {
			t.Fatal(err)
		}
		got, err := chooseUnroll(kc, tt.opt)
		if err != nil || got != tt.want {
			t.Errorf("%.40q (option %d): unroll %d, %v; want %d", tt.body, tt.opt, got, err, tt.want)
		}
	}
	k, _ := ParseKernel("k", "k.s", []byte(strings.Repeat("VPADDD Z1, Z2, Z0\n", 1000)), nil, asm.SyntaxGo)
	kc, _ := checkKernel(k)
	if _, err := chooseUnroll(kc, MaxUnroll); err == nil || !strings.Contains(err.Error(), "MiB of code") {
		t.Errorf("huge unroll: %v", err)
	}
}
