package disasm

import (
	"encoding/hex"
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"

	"github.com/jitrun/jitrun/asm"
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
		{"fld tbyte", "41 db 6d 00", 4, [3]string{"FLD 0(R13)", "fld tbyte ptr [r13]", "fldt (%r13)"}, "", nil},
		{"fbstp", "df 30", 2, [3]string{"FBSTP 0(AX)", "fbstp tbyte ptr [rax]", "fbstp (%rax)"}, "", nil},
		{"fadd st(0), st(1)", "d8 c1", 2, [3]string{"FADD F1, F0", "fadd st(0), st(1)", "fadd %st(1),%st"}, "", nil},
		{"riz, scale 8", "89 24 e6", 3, [3]string{"MOVL SP, 0(SI)", "mov dword ptr [rsi], esp", "mov %esp,(%rsi)"}, "", nil},
		{"eiz, scale 2", "67 89 24 66", 4, [3]string{"MOVL SP, 0(SI)", "mov dword ptr [esi], esp", "mov %esp,(%esi)"}, "", nil},
		{"riz, scale 1", "8b 04 24", 3, [3]string{"MOVL 0(SP), AX", "mov eax, dword ptr [rsp]", "mov (%rsp),%eax"}, "", nil},
		{"neither base nor index, scale 2", "8b 04 65 10 00 00 00", 7, [3]string{"MOVL 0x10, AX", "mov eax, dword ptr [0x10]", "mov 0x10,%eax"}, "", nil},
		{"neither base nor index at 0, scale 4", "8b 04 a5 00 00 00 00", 7, [3]string{"MOVL 0, AX", "mov eax, dword ptr [0x0]", "mov 0x0,%eax"}, "", nil},
		{"int1", "f1", 1, [3]string{"ICEBP", "int1", "int1"}, "", nil},
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
		{"nop with a register", "66 0f 1f c2", 4, [3]string{"NOPW DX", "nop dx", "nop %dx"}, "", nil},
		{"cmpsd (SSE2)", "f2 0f c2 13 07", 5, [3]string{"CMPSD 0(BX), X2, $0x7", "cmpsd xmm2, qword ptr [rbx], 0x7", "cmpordsd (%rbx),%xmm2"}, "", nil},
		{"cmpps", "0f c2 13 07", 4, [3]string{"CMPPS 0(BX), X2, $0x7", "cmpps xmm2, xmmword ptr [rbx], 0x7", "cmpordps (%rbx),%xmm2"}, "", nil},
		{"push -1", "6a ff", 2, [3]string{"PUSHQ $-0x1", "push -0x1", "pushq $-0x1"}, "", nil},
		{"push a negative imm32", "68 67 45 23 f1", 5, [3]string{"PUSHQ $-0xedcba99", "push -0xedcba99", "pushq $-0xedcba99"}, "", nil},
		{"push a negative word", "66 6a ff", 3, [3]string{"PUSHW $-0x1", "push word ptr -0x1", "pushw $-0x1"}, "", nil},
		{"clac", "0f 01 ca", 3, [3]string{"CLAC", "clac", "clac"}, "", nil},
		{"rdpkru", "0f 01 ee", 3, [3]string{"RDPKRU", "rdpkru", "rdpkru"}, "", nil},
		{"clui (F3 before rdpkru's bytes)", "f3 0f 01 ee", 4, [3]string{"CLUI", "clui", "clui"}, "", nil},
		{"mov with 67 and RIP: EIP", "67 8b 05 40 00 00 00", 7, [3]string{"MOVL 0x40(IP), AX", "mov eax, dword ptr [eip+0x40]", "mov 0x40(%eip),%eax"}, "", nil},

		// VEX and EVEX (evex.go).
		{"VEX RIP-relative", "c4 e2 20 f3 1d 40 00 00 00", 9,
			[3]string{"BLSIL 0x40(IP), R11", "blsi r11d, dword ptr [rip+0x40]", "blsil 0x40(%rip),%r11d"}, "", nil},
		{"EVEX RIP-relative, no displacement, broadcast", "62 f1 24 ba 58 35 00 00 00 00", 10,
			[3]string{"VADDPS.BCST.Z 0(IP), Y11, K2, Y6", "vaddps ymm6 {k2} {z}, ymm11, dword ptr [rip]{1to8}", "vaddps (%rip){1to8},%ymm11,%ymm6 {%k2} {z}"}, "", nil},
		{"EVEX payload byte 0x2e is no cs:", "62 71 5c 2e 54 bb 08 00 00 00", 10,
			[3]string{"VANDPS 0x8(BX), Y4, K6, Y15", "vandps ymm15 {k6}, ymm4, ymmword ptr [rbx+0x8]", "vandps 0x8(%rbx),%ymm4,%ymm15 {%k6}"}, "", nil},
		{"broadcast of a widening conversion", "62 51 7e bd e6 57 30", 7,
			[3]string{"VCVTDQ2PD.BCST.Z 0xc0(R15), K5, Y10", "vcvtdq2pd ymm10 {k5} {z}, dword ptr [r15+0xc0]{1to4}", "vcvtdq2pd 0xc0(%r15){1to4},%ymm10 {%k5} {z}"}, "", nil},
		{"broadcast of a narrowing conversion", "62 f1 ff 38 e6 00", 6,
			[3]string{"VCVTPD2DQY.BCST 0(AX), X0", "vcvtpd2dq xmm0, qword ptr [rax]{1to4}", "vcvtpd2dqy (%rax){1to4},%xmm0"}, "", nil},
		{"broadcast into a k register", "62 b2 3d 17 27 5c 4a 10", 8,
			[3]string{"VPTESTMD.BCST 0x40(DX)(R9*2), X24, K7, K3", "vptestmd k3 {k7}, xmm24, dword ptr [rdx+2*r9+0x40]{1to4}", "vptestmd 0x40(%rdx,%r9,2){1to4},%xmm24,%k3 {%k7}"}, "", nil},
		{"vpmovm2d: k4 is an operand", "62 f2 7e 08 38 e4", 6, [3]string{"VPMOVM2D K4, X4", "vpmovm2d xmm4, k4", "vpmovm2d %k4,%xmm4"}, "", nil},
		{"vpmovm2d from k0", "62 f2 7e 08 38 e0", 6, [3]string{"VPMOVM2D K0, X4", "vpmovm2d xmm4, k0", "vpmovm2d %k0,%xmm4"}, "", nil},
		{"vpbroadcastmw2d", "62 f2 7e 28 3a e1", 6, [3]string{"VPBROADCASTMW2D K1, Y4", "vpbroadcastmw2d ymm4, k1", "vpbroadcastmw2d %k1,%ymm4"}, "", nil},
		{"scatter prefetch: opmask after the operand", "62 92 fd 45 c6 2c ea", 7,
			[3]string{"VSCATTERPF0DPD K5, 0(R10)(Y29*8)", "vscatterpf0dpd qword ptr [r10+8*ymm29] {k5}", "vscatterpf0dpd (%r10,%ymm29,8) {%k5}"}, "", nil},
		{"{sae}, not a rounding mode", "62 d1 36 18 5a e6", 6,
			[3]string{"VCVTSS2SD.SAE X14, X9, X4", "vcvtss2sd xmm4, xmm9, xmm14, {sae}", "vcvtss2sd {sae},%xmm14,%xmm9,%xmm4"}, "", nil},
		{"{sae} and an immediate", "62 f3 7d 18 26 ca 03", 7,
			[3]string{"VGETMANTPS.SAE $0x3, Z2, Z1", "vgetmantps zmm1, zmm2, {sae}, 0x3", "vgetmantps $0x3,{sae},%zmm2,%zmm1"}, "", nil},
		{"rounding mode of a conversion from a GPR", "62 f1 ef 38 2a c8", 6,
			[3]string{"VCVTSI2SDQ.RD_SAE AX, X2, X1", "vcvtsi2sd xmm1, xmm2, rax, {rd-sae}", "vcvtsi2sd %rax,{rd-sae},%xmm2,%xmm1"}, "", nil},
		{"vcvtpd2dq of 512-bit memory", "62 f1 ff 48 e6 00", 6, [3]string{"VCVTPD2DQ 0(AX), Y0", "vcvtpd2dq ymm0, zmmword ptr [rax]", "vcvtpd2dq (%rax),%ymm0"}, "", nil},
		{"fs: before VEX", "64 c5 f8 28 00", 5, [3]string{"VMOVAPS FS:0(AX), X0", "vmovaps xmm0, xmmword ptr fs:[rax]", "vmovaps %fs:(%rax),%xmm0"}, "", nil},
		{"67 before EVEX: EIP", "67 62 f1 74 58 58 05 10 00 00 00", 11,
			[3]string{"VADDPS.BCST 0x10(IP), Z1, Z0", "vaddps zmm0, zmm1, dword ptr [eip+0x10]{1to16}", "vaddps 0x10(%eip){1to16},%zmm1,%zmm0"}, "", nil},
		{"67 before VEX: 32-bit registers", "67 c5 f8 28 00", 5, [3]string{"VMOVAPS 0(AX), X0", "vmovaps xmm0, xmmword ptr [eax]", "vmovaps (%eax),%xmm0"}, "", nil},

		// Shown as data.
		{"wbnoinvd", "f3 0f 09", 3, [3]string{"WBNOINVD", "wbnoinvd", "wbnoinvd"}, "", nil},
		{"incsspq", "f3 48 0f ae e8", 5, [3]string{"BYTE $0xf3; BYTE $0x48; BYTE $0x0f; BYTE $0xae; BYTE $0xe8", ".byte 0xf3, 0x48, 0x0f, 0xae, 0xe8", ".byte 0xf3, 0x48, 0x0f, 0xae, 0xe8"}, "reads lfence", nil},
		{"tpause", "66 0f ae f1 c3", 4, [3]string{"BYTE $0x66; BYTE $0x0f; BYTE $0xae; BYTE $0xf1", ".byte 0x66, 0x0f, 0xae, 0xf1", ".byte 0x66, 0x0f, 0xae, 0xf1"}, "tpause (WAITPKG)", []string{"RET"}},
		{"vaddph", "62 f5 74 48 58 c2", 6, [3]string{"BYTE $0x62; BYTE $0xf5; BYTE $0x74; BYTE $0x48; BYTE $0x58; BYTE $0xc2",
			".byte 0x62, 0xf5, 0x74, 0x48, 0x58, 0xc2", ".byte 0x62, 0xf5, 0x74, 0x48, 0x58, 0xc2"}, "EVEX map 5", nil},
		{"EVEX.b on a register form that takes no rounding", "62 f1 6d 18 fe cb", 6,
			[3]string{"BYTE $0x62; BYTE $0xf1; BYTE $0x6d; BYTE $0x18; BYTE $0xfe; BYTE $0xcb", ".byte 0x62, 0xf1, 0x6d, 0x18, 0xfe, 0xcb", ".byte 0x62, 0xf1, 0x6d, 0x18, 0xfe, 0xcb"},
			"vpaddd, which takes neither: the CPU raises #UD", nil},
		{"EVEX.b on vcvtsi2sd of a 32-bit register", "62 f1 6f 18 2a c8", 6,
			[3]string{"BYTE $0x62; BYTE $0xf1; BYTE $0x6f; BYTE $0x18; BYTE $0x2a; BYTE $0xc8", ".byte 0x62, 0xf1, 0x6f, 0x18, 0x2a, 0xc8", ".byte 0x62, 0xf1, 0x6f, 0x18, 0x2a, 0xc8"},
			"vcvtsi2sd, which takes neither", nil},
		{"EVEX.b on memory with no broadcast form", "62 f1 7d 18 f9 00", 6,
			[3]string{"BYTE $0x62; BYTE $0xf1; BYTE $0x7d; BYTE $0x18; BYTE $0xf9; BYTE $0x00", ".byte 0x62, 0xf1, 0x7d, 0x18, 0xf9, 0x00", ".byte 0x62, 0xf1, 0x7d, 0x18, 0xf9, 0x00"},
			"vpsubw, which has no broadcast form", nil},
		{"zeroing without an opmask", "62 f1 7c c8 58 c1", 6,
			[3]string{"BYTE $0x62; BYTE $0xf1; BYTE $0x7c; BYTE $0xc8; BYTE $0x58; BYTE $0xc1", ".byte 0x62, 0xf1, 0x7c, 0xc8, 0x58, 0xc1", ".byte 0x62, 0xf1, 0x7c, 0xc8, 0x58, 0xc1"},
			"zeroing-masking) is set with no opmask", nil},
		{"zeroing on a store", "62 f1 7c cb 11 00", 6,
			[3]string{"BYTE $0x62; BYTE $0xf1; BYTE $0x7c; BYTE $0xcb; BYTE $0x11; BYTE $0x00", ".byte 0x62, 0xf1, 0x7c, 0xcb, 0x11, 0x00", ".byte 0x62, 0xf1, 0x7c, 0xcb, 0x11, 0x00"},
			"zeroing-masking) is set on a store", nil},
		{"lock with a register destination", "f0 01 c8 c3", 3, [3]string{"BYTE $0xf0; BYTE $0x01; BYTE $0xc8", ".byte 0xf0, 0x01, 0xc8", ".byte 0xf0, 0x01, 0xc8"},
			"lock before add, which takes none (only a read-modify-write of memory does): the CPU raises #UD", []string{"RET"}},
		{"lock on mov", "f0 48 89 07", 4, [3]string{"BYTE $0xf0; BYTE $0x48; BYTE $0x89; BYTE $0x07", ".byte 0xf0, 0x48, 0x89, 0x07", ".byte 0xf0, 0x48, 0x89, 0x07"},
			"lock before mov", nil},
		{"lock add to memory", "f0 01 08", 3, [3]string{"LOCK ADDL CX, 0(AX)", "lock add dword ptr [rax], ecx", "lock add %ecx,(%rax)"}, "", nil},
		{"66 before VEX", "66 c5 f8 28 00", 5,
			[3]string{"BYTE $0x66; BYTE $0xc5; BYTE $0xf8; BYTE $0x28; BYTE $0x00", ".byte 0x66, 0xc5, 0xf8, 0x28, 0x00", ".byte 0x66, 0xc5, 0xf8, 0x28, 0x00"},
			"a 66 prefix before a VEX or EVEX prefix", nil},
		{"mov from a test register", "0f 24 c0 c3", 3, [3]string{"BYTE $0x0f; BYTE $0x24; BYTE $0xc0", ".byte 0x0f, 0x24, 0xc0", ".byte 0x0f, 0x24, 0xc0"},
			"mov from a test register (0f 24), which 64-bit mode does not have: the CPU raises #UD", []string{"RET"}},
		{"mov to a test register, mod 10", "48 0f 26 80 c3", 4, [3]string{"BYTE $0x48; BYTE $0x0f; BYTE $0x26; BYTE $0x80", ".byte 0x48, 0x0f, 0x26, 0x80", ".byte 0x48, 0x0f, 0x26, 0x80"},
			"mov to a test register (0f 26)", []string{"RET"}},
		// x86asm gives no length: one byte is data, the rest decodes as
		// whatever it is.
		{"EVEX map 4", "62 f4 7c 48 58 c2", 1, [3]string{"BYTE $0x62", ".byte 0x62", ".byte 0x62"}, "EVEX map 4", []string{"*"}},
		{"invalid in 64-bit mode", "06", 1, [3]string{"BYTE $0x06", ".byte 0x06", ".byte 0x06"}, "not an instruction", nil},
		{"lone prefix (movdir64b)", "66 0f 38 f8 01 c3", 1, [3]string{"BYTE $0x66", ".byte 0x66", ".byte 0x66"}, "a prefix with no instruction", []string{"*"}},
		{"truncated", "48 c7 c0", 1, [3]string{"BYTE $0x48", ".byte 0x48", ".byte 0x48"}, "an instruction of 7 bytes starts here, and the code ends after 3", []string{"BYTE $0xc7", "BYTE $0xc0"}},
	}
	for _, tt := range tests {
		code := mustHex(t, tt.hex)
		for s := asm.SyntaxGo; s <= asm.SyntaxATT; s++ {
			rows := Decode(code, Options{Syntax: s, Base: 0x1000})
			r := rows[0]
			switch {
			case len(r.Bytes) != tt.n || r.Text != tt.text[slot(s)]:
				t.Errorf("%s, %s: first row %d bytes %q; want %d bytes %q", tt.name, s, len(r.Bytes), r.Text, tt.n, tt.text[slot(s)])
			case r.Bad != (tt.note != ""):
				t.Errorf("%s, %s: Bad = %v (note %q)", tt.name, s, r.Bad, r.Note)
			case !strings.Contains(r.Note, tt.note):
				t.Errorf("%s, %s: note %q does not say %q", tt.name, s, r.Note, tt.note)
			}
			if s != asm.SyntaxGo || (len(tt.extra) == 1 && tt.extra[0] == "*") {
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

// TestInstruction: Instruction gives the decoding explain reads operands
// and the operation from. An instruction x86asm has no Op for, which this
// package shows through a stand-in of another (adcx through imul, rdseed
// through rdrand, clwb through xsaveopt) or by its bytes alone (endbr64),
// is not ok: its Op would name the wrong instruction. An alias encoding
// has its documented twin's Op, and sysret and sysexit, whose text only
// is corrected, their own.
func TestInstruction(t *testing.T) {
	for _, tc := range []struct {
		name, hex string
		op        x86asm.Op // 0: not ok
	}{
		{"mov", "48 8b 04 25 00 00 00 00", x86asm.MOV},
		{"sysret", "0f 07", x86asm.SYSRET},
		{"sysretq", "48 0f 07", x86asm.SYSRET},
		{"sysexit", "0f 35", x86asm.SYSEXIT},
		{"sysexitq", "48 0f 35", x86asm.SYSEXIT},
		{"sal alias", "d1 f4", x86asm.SHL},
		{"test alias", "f6 c8 01", x86asm.TEST},
		{"fstp1 alias", "d9 d9", x86asm.FSTP},
		{"adcx", "66 48 0f 38 f6 c1", 0},
		{"adox", "f3 0f 38 f6 c1", 0},
		{"rdseed", "0f c7 f8", 0},
		{"rdpid", "f3 0f c7 f8", 0},
		{"clwb", "66 0f ae 30", 0},
		{"clflushopt", "66 0f ae 38", 0},
		{"endbr64", "f3 0f 1e fa", 0},
		{"not an instruction", "06", 0},
		{"lock on a register", "f0 01 c8", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inst, ok := Instruction(mustHex(t, tc.hex))
			if ok != (tc.op != 0) || ok && inst.Op != tc.op {
				t.Errorf("Instruction(%s) = %v, %v; want %v, %v", tc.hex, inst.Op, ok, tc.op, tc.op != 0)
			}
		})
	}
}
