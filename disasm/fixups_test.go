package disasm

import (
	"encoding/hex"
	"strings"
	"testing"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// TestDecoderFixes checks each correction of an x86asm mistake, and what
// is shown as data, in all three syntaxes: the first row's length, text
// (or note) and whether it is data.
func TestDecoderFixes(t *testing.T) {
	tests := []struct {
		name  string
		hex   string
		n     int       // bytes in the first row
		text  [3]string // Go, Intel, GNU; for a bad row, the directive
		note  string    // for a bad row, a substring of the note
		extra []string  // Go text of the rows after the first ("*": any)
	}{
		{"endbr64", "f3 0f 1e fa c3", 4, [3]string{"ENDBR64", "endbr64", "endbr64"}, "", []string{"RET"}},
		{"endbr32", "f3 0f 1e fb", 4, [3]string{"ENDBR32", "endbr32", "endbr32"}, "", nil},
		{"serialize", "0f 01 e8", 3, [3]string{"SERIALIZE", "serialize", "serialize"}, "", nil},
		{"adcx 64", "66 48 0f 38 f6 c3", 6, [3]string{"ADCXQ BX, AX", "adcx rax, rbx", "adcx %rbx,%rax"}, "", nil},
		{"adcx 32", "66 0f 38 f6 c3", 5, [3]string{"ADCXL BX, AX", "adcx eax, ebx", "adcx %ebx,%eax"}, "", nil},
		{"adox memory", "f3 4c 0f 38 f6 43 08", 7, [3]string{"ADOXQ 0x8(BX), R8", "adox r8, qword ptr [rbx+0x8]", "adox 0x8(%rbx),%r8"}, "", nil},
		{"rdseed eax", "0f c7 f8", 3, [3]string{"RDSEED AX", "rdseed eax", "rdseed %eax"}, "", nil},
		{"rdseed r9", "49 0f c7 f9", 4, [3]string{"RDSEED R9", "rdseed r9", "rdseed %r9"}, "", nil},
		{"rdpid", "f3 0f c7 f8", 4, [3]string{"RDPID AX", "rdpid rax", "rdpid %rax"}, "", nil},
		{"rdrand rax", "48 0f c7 f0", 4, [3]string{"RDRAND AX", "rdrand rax", "rdrand %rax"}, "", nil},
		{"rdrand r8", "49 0f c7 f0", 4, [3]string{"RDRAND R8", "rdrand r8", "rdrand %r8"}, "", nil},
		{"vzeroupper then ret", "c5 f8 77 c3", 3, [3]string{"VZEROUPPER", "vzeroupper", "vzeroupper"}, "", []string{"RET"}},
		{"vzeroall then ret", "c5 fc 77 c3", 3, [3]string{"VZEROALL", "vzeroall", "vzeroall"}, "", []string{"RET"}},
		{"mov from cr3, mod bits 10", "0f 20 98 c3", 3, [3]string{"MOVL CR3, AX", "mov rax, cr3", "mov %cr3,%rax"}, "", []string{"RET"}},
		{"mov to dr7", "0f 23 f8 c3", 3, [3]string{"MOVL AX, DR7", "mov dr7, rax", "mov %rax,%db7"}, "", []string{"RET"}},
		{"clwb", "66 0f ae 30", 4, [3]string{"CLWB 0(AX)", "clwb [rax]", "clwb (%rax)"}, "", nil},
		{"clflushopt", "66 0f ae 38", 4, [3]string{"CLFLUSHOPT 0(AX)", "clflushopt zmmword ptr [rax]", "clflushopt (%rax)"}, "", nil},
		{"sysretq", "48 0f 07", 3, [3]string{"SYSRET", "sysretq", "sysretq"}, "", nil},
		{"vpmulld with a 0x65 VEX byte", "c4 e2 65 40 57 20", 6,
			[3]string{"VPMULLD 0x20(DI), Y3, Y2", "vpmulld ymm2, ymm3, ymmword ptr [rdi+0x20]", "vpmulld 0x20(%rdi),%ymm3,%ymm2"}, "", nil},
		{"r12 base", "49 8b 04 24", 4, [3]string{"MOVQ 0(R12), AX", "mov rax, qword ptr [r12]", "mov (%r12),%rax"}, "", nil},
		{"fld qword", "dd 00", 2, [3]string{"FLD 0(AX)", "fld qword ptr [rax]", "fldl (%rax)"}, "", nil},
		{"fstp dword", "d9 1b", 2, [3]string{"FSTP 0(BX)", "fstp dword ptr [rbx]", "fstps (%rbx)"}, "", nil},
		{"fsqrt", "d9 fa", 2, [3]string{"FSQRT", "fsqrt", "fsqrt"}, "", nil},
		{"fadd st0, st1", "d8 c1", 2, [3]string{"FADD F1, F0", "fadd st0, st1", "fadd %st(1),%st"}, "", nil},
		{"pushfw", "66 9c", 2, [3]string{"PUSHF", "pushfw", "pushfw"}, "", nil},
		{"push a word", "66 6a 01", 3, [3]string{"PUSHW $0x1", "push word ptr 0x1", "pushw $0x1"}, "", nil},
		{"xsave: ptr without a size", "0f ae 20", 3, [3]string{"XSAVE 0(AX)", "xsave [rax]", "xsave (%rax)"}, "", nil},
		{"lgdt", "0f 01 10", 3, [3]string{"LGDT 0(AX)", "lgdt [rax]", "lgdt (%rax)"}, "", nil},
		{"repne scasb", "f2 ae", 2, [3]string{"REPNE; SCASB ES:0(DI), AL", "repne scasb", "repnz scas %es:(%rdi),%al"}, "", nil},
		{"rep movsq", "f3 48 a5", 3, [3]string{"REP; MOVSQ DS:0(SI), ES:0(DI)", "rep movsq", "rep movsq %ds:(%rsi),%es:(%rdi)"}, "", nil},
		{"lodsb with an fs override", "64 ac", 2, [3]string{"LODSB FS:0(SI), AL", "lodsb byte ptr fs:[rsi]", "lods %fs:(%rsi),%al"}, "", nil},
		{"byte registers in Go", "40 38 f7", 3, [3]string{"CMPB DIB, SIB", "cmp dil, sil", "cmp %sil,%dil"}, "", nil},
		{"byte register add in Go", "00 c3", 2, [3]string{"ADDB AL, BL", "add bl, al", "add %al,%bl"}, "", nil},
		{"cwd", "66 99", 2, [3]string{"CWD", "cwd", "cwtd"}, "", nil},
		{"lea has no size", "48 8d 04 08", 4, [3]string{"LEAQ 0(AX)(CX*1), AX", "lea rax, [rax+rcx]", "lea (%rax,%rcx),%rax"}, "", nil},
		{"nop with memory", "0f 1f 44 00 00", 5, [3]string{"NOPL 0(AX)(AX*1)", "nop dword ptr [rax+rax]", "nopl (%rax,%rax)"}, "", nil},
		{"padding nop", "66 66 2e 0f 1f 84 00 00 00 00 00", 11,
			[3]string{"CS NOPW 0(AX)(AX*1)", "nop word ptr cs:[rax+rax]", "nopw %cs:(%rax,%rax)"}, "", nil},
		{"notrack jmp", "3e ff e0", 3, [3]string{"DS JMP AX", "notrack jmp rax", "ds jmp *%rax"}, "", nil},
		{"branch hint", "2e 74 00", 3, [3]string{"PN JE 0x1003", "cs jz 0x1003", "je,pn 0x1003"}, "", nil},

		// Shown as data.
		{"wbnoinvd", "f3 0f 09", 3, [3]string{"BYTE $0xf3; BYTE $0x0f; BYTE $0x09", "db 0xf3, 0x0f, 0x09", ".byte 0xf3, 0x0f, 0x09"}, "reads wbinvd", nil},
		{"tpause", "66 0f ae f1 c3", 4, [3]string{"BYTE $0x66; BYTE $0x0f; BYTE $0xae; BYTE $0xf1", "db 0x66, 0x0f, 0xae, 0xf1", ".byte 0x66, 0x0f, 0xae, 0xf1"}, "tpause (WAITPKG)", []string{"RET"}},
		{"vaddph", "62 f5 74 48 58 c2", 6, [3]string{"BYTE $0x62; BYTE $0xf5; BYTE $0x74; BYTE $0x48; BYTE $0x58; BYTE $0xc2",
			"db 0x62, 0xf5, 0x74, 0x48, 0x58, 0xc2", ".byte 0x62, 0xf5, 0x74, 0x48, 0x58, 0xc2"}, "EVEX map 5", nil},
		// x86asm gives no length: one byte is data, the rest decodes as
		// whatever it is.
		{"EVEX map 4", "62 f4 7c 48 58 c2", 1, [3]string{"BYTE $0x62", "db 0x62", ".byte 0x62"}, "EVEX map 4", []string{"*"}},
		{"invalid in 64-bit mode", "06", 1, [3]string{"BYTE $0x06", "db 0x06", ".byte 0x06"}, "not an instruction", nil},
		{"lone prefix (movdir64b)", "66 0f 38 f8 01 c3", 1, [3]string{"BYTE $0x66", "db 0x66", ".byte 0x66"}, "a prefix with no instruction", []string{"*"}},
		{"truncated", "48 c7 c0", 1, [3]string{"BYTE $0x48", "db 0x48", ".byte 0x48"}, "an instruction of 7 bytes starts here, and the code ends after 3", []string{"BYTE $0xc7", "BYTE $0xc0"}},
	}
	for _, tt := range tests {
		code := mustHex(t, tt.hex)
		for s := SyntaxGo; s <= SyntaxGNU; s++ {
			rows := Decode(code, Options{Syntax: s, Base: 0x1000})
			r := rows[0]
			switch {
			case len(r.Bytes) != tt.n || r.Text != tt.text[s]:
				t.Errorf("%s, %s: first row %d bytes %q; want %d bytes %q", tt.name, s, len(r.Bytes), r.Text, tt.n, tt.text[s])
			case r.Bad != (tt.note != ""):
				t.Errorf("%s, %s: Bad = %v (note %q)", tt.name, s, r.Bad, r.Note)
			case !strings.Contains(r.Note, tt.note):
				t.Errorf("%s, %s: note %q does not say %q", tt.name, s, r.Note, tt.note)
			}
			if s != SyntaxGo || (len(tt.extra) == 1 && tt.extra[0] == "*") {
				continue
			}
			var extra []string
			for _, r := range rows[1:] {
				extra = append(extra, r.Text)
			}
			if strings.Join(extra, "|") != strings.Join(tt.extra, "|") {
				t.Errorf("%s: rows after the first: %q; want %q", tt.name, extra, tt.extra)
			}
		}
	}
}
