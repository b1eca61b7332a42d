package asm

import (
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm/internal/inteltab"
)

// hereCase is one instruction using the current address in code: in
// NASM syntax ($), in GNU as's Intel syntax (.) and in AT&T syntax (.),
// and the bytes all three give (GNU as 2.40's, checked by
// TestCurrentAddressGNU).
type hereCase struct {
	intel, gnuIntel, att string
	want                 string
}

var hereCases = []hereCase{
	{"jmp $", "jmp .", "jmp .", "ebfe"},
	{"jmp $+2", "jmp .+2", "jmp .+2", "eb00"},
	{"jmp $-2", "jmp .-2", "jmp .-2", "ebfc"},
	{"jmp $+0x100", "jmp .+0x100", "jmp .+0x100", "e9fb000000"},
	{"jnz $-0x100", "jnz .-0x100", "jnz .-0x100", "0f85fafeffff"},
	{"jz $", "jz .", "jz .", "74fe"},
	{"loop $", "loop .", "loop .", "e2fe"},
	{"call $+5", "call .+5", "call .+5", "e800000000"},
	{"lea rax, [rel $]", "lea rax, [rip+.]", "leaq .(%rip), %rax", "488d05f9ffffff"},
	{"lea rax, [$+7]", "lea rax, [rip+.+7]", "leaq .+7(%rip), %rax", "488d0500000000"},
	{"mov eax, [rel $]", "mov eax, [rip+.]", "movl .(%rip), %eax", "8b05faffffff"},
	{"jmp [rel $]", "jmp qword ptr [rip+.]", "jmp *.(%rip)", "ff25faffffff"},
	// A prefix belongs to the instruction: $ is the address of the lock.
	{"lock inc qword [rel $]", "lock inc qword ptr [rip+.]", "lock incq .(%rip)", "f048ff05f8ffffff"},
	// $ - $ is a constant.
	{"mov eax, $-$+1", "mov eax, .-.+1", "movl $.-.+1, %eax", "b801000000"},
}

// TestCurrentAddress checks the bytes of each form of the current address
// in code, alone and after other code (the label it stands for moves with
// the instruction), in both syntaxes, and that the labels it makes are
// not the program's.
func TestCurrentAddress(t *testing.T) {
	for _, tc := range hereCases {
		for _, src := range []struct {
			syn  Syntax
			text string
		}{{SyntaxIntel, tc.intel}, {SyntaxATT, tc.att}} {
			if src.syn == SyntaxATT && strings.Contains(src.text, "$.-.") {
				continue // GNU as reads it; jitrun refuses a label difference as an immediate (TestCurrentAddressErrors)
			}
			t.Run(src.syn.String()+"/"+src.text, func(t *testing.T) {
				for _, before := range []string{"", "nop\n"} {
					p, err := AssembleSource("t.s", []byte(before+src.text), src.syn)
					if err != nil {
						t.Fatal(err)
					}
					want := tc.want
					if before != "" {
						want = "90" + want
					}
					if got := hex.EncodeToString(p.Code); got != want {
						t.Errorf("%q: got %s, want %s", before+src.text, got, want)
					}
					if len(p.Labels) != 0 {
						t.Errorf("%q: labels %+v, want none", before+src.text, p.Labels)
					}
				}
			})
		}
	}
}

// TestCurrentAddressMore checks the current address next to labels, in
// times, and on several lines, and $$ in code.
func TestCurrentAddressMore(t *testing.T) {
	tests := []struct {
		syn    Syntax
		src    string
		want   string
		labels string // the program's labels, name@offset
	}{
		// Each copy of times has its own $.
		{SyntaxIntel, "times 3 jmp $", "ebfeebfeebfe", ""},
		{SyntaxIntel, "times 2 lea rax, [rel $]", "488d05f9ffffff488d05f9ffffff", ""},
		// A label and $ at the same instruction; a label after it.
		{SyntaxIntel, "top: nop\nl: jmp $-1\njmp l", "90ebfdebfc", "l@1"},
		{SyntaxATT, "top: nop\nl: jmp .-1\njmp l", "90ebfdebfc", "l@1"},
		// Two uses of $ in one instruction are the same address.
		{SyntaxIntel, "nop\nmov eax, [rel $-$+$]", "908b05faffffff", ""},
		{SyntaxATT, "nop\n1: jmp 1b\njmp .\njmp 1b", "90ebfeebfeebfa", "1·1@1"},
		{SyntaxIntel, "nop\njmp $ ; a comment\nnop", "90ebfe90", ""},
		// $$ in code is the start of .text: the first byte of the code,
		// whatever comes before it in the source.
		{SyntaxIntel, "nop\nnop\njmp $$\nlea rax, [rel $$+1]\nl: jmp $$+2", "9090ebfc488d05f6ffffffebf5", "l@11"},
		{SyntaxIntel, "start: nop\njmp $$\ntimes 2 jmp $$", "90ebfdebfbebf9", ""},
		{SyntaxIntel, "section .data\nx: dq 1\nsection .text\njmp $$\nsection .data\ny: dq $-$$", "ebfe" + strings.Repeat("cc", 4094) + "01000000000000000800000000000000", ""},
		// In data sections $ is still the offset in the section.
		{SyntaxIntel, "section .data\na: dq 1\nb: dq $-a\nsection .text\njmp $", "ebfe" + strings.Repeat("cc", 4094) + "01000000000000000800000000000000", ""},
	}
	for _, tt := range tests {
		t.Run(tt.syn.String()+"/"+tt.src, func(t *testing.T) {
			p, err := AssembleSource("t.s", []byte(tt.src), tt.syn)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(p.Code); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			var labels []string
			for _, l := range p.Labels {
				labels = append(labels, l.Name+"@"+strconv.Itoa(l.Offset))
			}
			if got := strings.Join(labels, " "); got != tt.labels {
				t.Errorf("labels %q, want %q", got, tt.labels)
			}
		})
	}
}

// TestCurrentAddressErrors checks what stays refused: $, $$ and . outside
// an instruction's operands in code, an absolute address, and label
// differences and registers with the current address.
func TestCurrentAddressErrors(t *testing.T) {
	tests := []struct {
		syn  Syntax
		src  string
		want string
	}{
		{SyntaxIntel, "mov rax, $", "t.s:1:10: $ is an address, not a constant: read memory there with [rel $], get the address with lea reg, [rel $]"},
		{SyntaxIntel, "lea rax, [rax+$]", "t.s:1:10: [$ + register]: a label's address is RIP-relative and cannot add registers; load it first with lea reg, [rel $]"},
		{SyntaxIntel, "mov eax, [abs $]", "t.s:1:10: abs: an absolute address of a label needs a linker; code assembled here is position independent"},
		{SyntaxIntel, "mov rax, $$", "t.s:1:10: $$ is an address, not a constant: read memory there with [rel $$], get the address with lea reg, [rel $$]"},
		{SyntaxIntel, "dq $$", "t.s:1:4: $$ (the start of the section) is only known in data sections and in an instruction's operands (jmp $$, [rel $$+8]); here, use a label"},
		{SyntaxIntel, "jmp $-$$", "t.s:1:6: the distance between two labels is only known here when both are in the same data section and defined above this line"},
		{SyntaxIntel, "dq $", "t.s:1:4: $ (the current address) is only known in data sections and in an instruction's operands (jmp $, [rel $+8]); here, use a label"},
		{SyntaxIntel, "x equ $", "t.s:1:7: $ (the current address) is only known in data sections and in an instruction's operands (jmp $, [rel $+8]); here, use a label"},
		{SyntaxIntel, "times $ nop", "t.s:1:7: $ (the current address) is only known in data sections and in an instruction's operands (jmp $, [rel $+8]); here, use a label"},
		{SyntaxIntel, "a: jmp $-a", "t.s:1:9: the distance between two labels is only known here when both are in the same data section and defined above this line"},
		{SyntaxATT, "movq $., %rax", "t.s:1:6: $. is an absolute address, which needs a linker (jitrun code is position independent): get it with leaq .(%rip), %reg"},
		{SyntaxATT, "movq ., %rax", "t.s:1:6: . is an address, not an operand: read memory there with .(%rip), get the address with leaq .(%rip), %reg"},
		{SyntaxATT, "leaq .(%rax), %rax", "t.s:1:6: .(%rax): an absolute address of a label needs a linker; address it PC-relative: .(%rip)"},
		{SyntaxATT, "a: jmp .-a", "t.s:1:8: .-a: a label difference is not an address"},
		{SyntaxATT, ".quad .", "t.s:1:7: . (the current address) is only supported in an instruction's operands (jmp ., .+8(%rip)): use a label"},
		{SyntaxATT, ".data\n.quad .", "t.s:2:7: . (the current address) is only supported in an instruction's operands (jmp ., .+8(%rip)): use a label"},
		{SyntaxATT, "x = .", "t.s:1:5: . (the current address) is only supported in an instruction's operands (jmp ., .+8(%rip)): use a label"},
		// The encoder's messages show the instruction as written.
		{SyntaxIntel, "add qword [rel $+8], 0xffffffff", "t.s:1:1: add qword [rel $+8], 0xffffffff: immediate 0xffffffff does not fit in a sign-extended 32-bit field"},
		{SyntaxATT, "addq $0xffffffff, .+8(%rip)", "t.s:1:1: addq $0xffffffff, .+8(%rip): immediate $0xffffffff does not fit in a sign-extended 32-bit field"},
		{SyntaxATT, "movl $.-., %eax", "t.s:1:6: $.-.: a label difference is known only once the code is laid out"},
	}
	for _, tt := range tests {
		t.Run(tt.syn.String()+"/"+tt.src, func(t *testing.T) {
			_, err := AssembleSource("t.s", []byte(tt.src), tt.syn)
			var list ErrorList
			if !errors.As(err, &list) || len(list) != 1 {
				t.Fatalf("got %v, want one error %q", err, tt.want)
			}
			if got := list[0].Error(); !strings.HasPrefix(got, tt.want) {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestCurrentAddressGNU checks hereCases against GNU as: its Intel
// syntax, which spells $ as ., and its AT&T syntax.
func TestCurrentAddressGNU(t *testing.T) {
	var intel, att []string
	for _, tc := range hereCases {
		intel = append(intel, tc.gnuIntel)
		att = append(att, tc.att)
	}
	for _, run := range []struct {
		name  string
		lines []string
		as    func([]string) ([]inteltab.GNUResult, error)
	}{{"intel", intel, inteltab.AssembleGNU}, {"att", att, inteltab.AssembleGNUATT}} {
		got, err := run.as(run.lines)
		if errors.Is(err, inteltab.ErrNoGNU) {
			t.Skip("SKIP: GNU as is not installed")
		}
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range got {
			if r.Err != "" {
				t.Errorf("%s: GNU as: %q: %s", run.name, run.lines[i], r.Err)
			} else if h := hex.EncodeToString(r.Code); h != hereCases[i].want {
				t.Errorf("%s: GNU as: %q gives %s, the table says %s", run.name, run.lines[i], h, hereCases[i].want)
			}
		}
	}
}
