package disasm

import (
	"fmt"
	"strings"
)

// corpus returns instructions in GNU as Intel syntax (.intel_syntax
// noprefix), generated from operand tables: GPR arithmetic in every size
// and addressing form, shifts, bit manipulation (BMI1/BMI2, ADX), SSE,
// AVX/AVX2, AVX-512 with masks, broadcasts and rounding, and the system
// and odd instructions the decoder is known to get wrong. An entry may
// hold several lines (a branch and the label it targets); the oracle
// tests put a label of their own before each entry.
func corpus() []string {
	var c []string
	add := func(format string, args ...any) { c = append(c, fmt.Sprintf(format, args...)) }

	r64 := []string{"rax", "rcx", "rsp", "rbp", "r8", "r13", "r15"}
	r32 := []string{"eax", "ecx", "esp", "r9d", "r15d"}
	r16 := []string{"ax", "si", "r10w"}
	r8 := []string{"al", "cl", "ah", "sil", "r11b"}
	mems := []string{"[rax]", "[rax+0x8]", "[rsp]", "[rbp-0x10]", "[r12]", "[r13+0x100]",
		"[rax+rcx*4]", "[rsp+rbx*8+0x7f]", "[r8+r15*2-0x80]", "[rcx*8+0x1000]", "[rip+0x40]", "[0x12345678]"}
	sized := func(size, m string) string { return size + " ptr " + m }

	for _, op := range []string{"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "mov"} {
		for i, r := range r64 {
			add("%s %s, %s", op, r, r64[(i+1)%len(r64)])
			add("%s %s, %s", op, r, mems[i%len(mems)])
			add("%s %s, %s", op, mems[(i+3)%len(mems)], r)
		}
		for i, r := range r32 {
			add("%s %s, %s", op, r, r32[(i+2)%len(r32)])
		}
		for i, r := range r16 {
			add("%s %s, %s", op, r, r16[(i+1)%len(r16)])
		}
		for i, r := range r8 {
			if r != "ah" || r8[(i+1)%len(r8)] != "sil" {
				add("%s %s, %s", op, r, r8[(i+1)%len(r8)])
			}
		}
		for _, imm := range []string{"0x1", "-0x80", "0x7f", "0x1234", "-0x12345678"} {
			add("%s rax, %s", op, imm)
			add("%s rbx, %s", op, imm)
			add("%s %s, %s", op, sized("qword", "[rsp+0x8]"), imm)
			add("%s %s, %s", op, sized("dword", "[rip+0x100]"), imm)
		}
		add("%s %s, 0x7f", op, sized("byte", "[rax]"))
		add("%s %s, 0x7fff", op, sized("word", "[rax+rbx*2]"))
	}
	for _, imm := range []string{"0x0", "0x7fffffff", "-0x1", "0x123456789abcdef0"} {
		add("mov rax, %s", imm)
		add("mov r11, %s", imm)
	}
	for _, op := range []string{"test", "xchg"} {
		for i, r := range r64 {
			add("%s %s, %s", op, mems[i%len(mems)], r)
			add("%s %s, %s", op, r, r64[(i+2)%len(r64)])
		}
	}
	for _, op := range []string{"inc", "dec", "neg", "not", "mul", "imul", "div", "idiv"} {
		for _, r := range []string{"rax", "r12", "ecx", "dx", "bl"} {
			add("%s %s", op, r)
		}
		for _, size := range []string{"qword", "dword", "byte"} {
			add("%s %s", op, sized(size, "[rbx+rsi*4+0x20]"))
		}
	}
	for _, op := range []string{"rol", "ror", "rcl", "rcr", "shl", "shr", "sar"} {
		for _, r := range []string{"rax", "r9d", "bx", "dl"} {
			add("%s %s, 1", op, r)
			add("%s %s, cl", op, r)
			add("%s %s, 0x5", op, r)
		}
		add("%s %s, 0x3", op, sized("qword", "[rdi]"))
	}
	for _, r := range []string{"rax", "rcx", "r8", "r15"} {
		add("imul %s, rdx", r)
		add("imul %s, qword ptr [rsi+0x10], 0x7", r)
		add("imul %s, rbx, 0x12345", r)
		add("lea %s, [rdi+rsi*8+0x28]", r)
		add("lea %s, [rip+0x1234]", r)
		add("push %s", r)
		add("pop %s", r)
		add("bswap %s", r)
		add("movzx %s, byte ptr [rax]", r)
		add("movsx %s, word ptr [rax+0x2]", r)
		add("movsxd %s, dword ptr [rcx]", r)
		add("cmovne %s, rdi", r)
		add("cmovg %s, qword ptr [rsp+0x18]", r)
		add("bsf %s, rcx", r)
		add("bsr %s, rcx", r)
		add("popcnt %s, rcx", r)
		add("lzcnt %s, rcx", r)
		add("tzcnt %s, rcx", r)
		add("bt %s, 0x3", r)
		add("bts %s, rcx", r)
		add("btr %s, 0x3f", r)
		add("btc %s, rdx", r)
		add("xadd qword ptr [rdi], %s", r)
		add("lock xadd qword ptr [rdi], %s", r)
		add("lock cmpxchg qword ptr [rsi], %s", r)
		add("crc32 %s, byte ptr [rdi]", r)
		add("movbe %s, qword ptr [rdi]", r)
		add("rdrand %s", r)
		add("rdseed %s", r)
		add("adcx %s, rbx", r)
		add("adox %s, qword ptr [rbx+0x8]", r)
	}
	for _, cc := range []string{"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"} {
		add("set%s al", cc)
		add("j%s 1f\n1:", cc)
	}
	add("jmp 1f\n1:")
	add("call 1f\n1:")
	add("jmp rax")
	add("call qword ptr [rip+0x10]")
	add("jmp qword ptr [rax+0x8]")
	add("loop 1f\n1:")
	add("jrcxz 1f\n1:")

	// BMI1, BMI2.
	for _, rs := range [][3]string{{"rax", "rbx", "rcx"}, {"r8d", "r9d", "r10d"}, {"r15", "rsi", "r12"}} {
		add("andn %s, %s, %s", rs[0], rs[1], rs[2])
		add("bextr %s, %s, %s", rs[0], rs[1], rs[2])
		add("bzhi %s, %s, %s", rs[0], rs[1], rs[2])
		add("pdep %s, %s, %s", rs[0], rs[1], rs[2])
		add("pext %s, %s, %s", rs[0], rs[1], rs[2])
		add("mulx %s, %s, %s", rs[0], rs[1], rs[2])
		add("sarx %s, %s, %s", rs[0], rs[1], rs[2])
		add("shlx %s, %s, %s", rs[0], rs[1], rs[2])
		add("shrx %s, %s, %s", rs[0], rs[1], rs[2])
		add("rorx %s, %s, 0xd", rs[0], rs[1])
		add("blsi %s, %s", rs[0], rs[1])
		add("blsmsk %s, %s", rs[0], rs[1])
		add("blsr %s, %s", rs[0], rs[1])
	}
	add("andn rax, rbx, qword ptr [rdi+0x8]")
	add("shlx rax, qword ptr [rdi], rcx")

	// SSE.
	xmm := []string{"xmm0", "xmm1", "xmm7", "xmm8", "xmm15"}
	for _, op := range []string{"movaps", "movups", "movapd", "movdqa", "movdqu", "addps", "addpd", "subps",
		"mulps", "mulpd", "divps", "sqrtps", "maxps", "minpd", "andps", "orps", "xorps", "pxor", "por", "pand",
		"paddd", "paddq", "psubb", "pmulld", "pmuludq", "pcmpeqb", "pcmpgtd", "unpcklps", "punpckhqdq",
		"cvtdq2ps", "pshufb", "ptest", "pminsd", "pmaxub", "haddps", "rcpps", "rsqrtps"} {
		for i, x := range xmm {
			add("%s %s, %s", op, x, xmm[(i+1)%len(xmm)])
		}
		add("%s xmm3, xmmword ptr [rax+0x10]", op)
		add("%s xmm12, xmmword ptr [rip+0x20]", op)
	}
	for _, op := range []string{"addss", "addsd", "mulss", "divsd", "sqrtsd", "minss", "comiss", "ucomisd", "movss", "movsd"} {
		add("%s xmm0, xmm9", op)
	}
	add("movss xmm2, dword ptr [rdi]")
	add("movsd qword ptr [rdi+0x8], xmm3")
	add("movaps xmmword ptr [rsp+0x10], xmm4")
	add("cvtsi2sd xmm0, rax")
	add("cvtsi2ss xmm1, dword ptr [rax]")
	add("cvttsd2si rax, xmm1")
	add("cvtss2sd xmm2, xmm3")
	add("cvtps2pd xmm3, qword ptr [rax+0x10]")
	add("movd xmm0, eax")
	add("movq xmm0, rax")
	add("movq rcx, xmm5")
	add("pinsrd xmm1, eax, 0x2")
	add("pextrq rax, xmm1, 0x1")
	add("pshufd xmm0, xmm1, 0x1b")
	add("shufps xmm2, xmm3, 0x44")
	add("roundps xmm0, xmm1, 0x4")
	add("blendps xmm0, xmm1, 0x5")
	add("pmovmskb eax, xmm3")
	add("movmskps ecx, xmm2")
	add("pslld xmm1, 0x4")
	add("psrlq xmm2, xmm3")

	// AVX, AVX2, FMA.
	ymm := []string{"ymm0", "ymm1", "ymm9", "ymm15"}
	for _, op := range []string{"vaddps", "vaddpd", "vmulps", "vsubpd", "vdivps", "vandps", "vxorps", "vpaddd",
		"vpaddq", "vpsubw", "vpmulld", "vpxor", "vpand", "vpor", "vpcmpeqd", "vpshufb", "vpermd", "vpermps",
		"vfmadd231ps", "vfmadd132pd", "vfnmadd213ps", "vmaxps", "vminpd", "vpunpcklbw", "vpmaxsd"} {
		for i, y := range ymm {
			add("%s %s, %s, %s", op, y, ymm[(i+1)%len(ymm)], ymm[(i+2)%len(ymm)])
		}
		if !strings.HasPrefix(op, "vperm") {
			add("%s xmm1, xmm2, xmm3", op)
		}
		add("%s ymm2, ymm3, ymmword ptr [rdi+0x20]", op)
	}
	for _, op := range []string{"vmovaps", "vmovups", "vmovdqa", "vmovdqu", "vsqrtps", "vrcpps", "vcvtdq2ps"} {
		add("%s ymm0, ymm1", op)
		add("%s ymm3, ymmword ptr [rsi]", op)
		add("%s xmm5, xmm14", op)
	}
	add("vmovdqu ymmword ptr [rdi+0x40], ymm7")
	add("vbroadcastss ymm0, dword ptr [rax]")
	add("vpbroadcastd ymm1, xmm2")
	add("vpbroadcastq ymm1, qword ptr [rdi]")
	add("vinserti128 ymm0, ymm1, xmm2, 0x1")
	add("vextracti128 xmm0, ymm1, 0x1")
	add("vperm2f128 ymm0, ymm1, ymm2, 0x20")
	add("vpermq ymm0, ymm1, 0xd8")
	add("vpshufd ymm2, ymm3, 0x4e")
	add("vpsllq ymm1, ymm2, 0x3")
	add("vpgatherdd ymm0, dword ptr [rax+ymm1*4], ymm2")
	add("vzeroupper")
	add("vzeroall")
	add("vmovd xmm0, eax")
	add("vmovq rax, xmm1")
	add("vcvtsi2sd xmm0, xmm1, rax")
	add("vaddss xmm0, xmm1, dword ptr [rax]")
	add("vptest ymm0, ymm1")
	add("vblendvps ymm0, ymm1, ymm2, ymm3")

	// AVX-512.
	zmm := []string{"zmm0", "zmm1", "zmm17", "zmm31"}
	for _, op := range []string{"vaddps", "vaddpd", "vmulps", "vpaddd", "vpaddq", "vpxord", "vpandq",
		"vpmulld", "vpermd", "vfmadd231ps", "vmaxpd", "vpminud", "vpternlogd", "vpermt2d", "vpsubb"} {
		imm := ""
		if op == "vpternlogd" {
			imm = ", 0x96"
		}
		for i, z := range zmm {
			add("%s %s, %s, %s%s", op, z, zmm[(i+1)%len(zmm)], zmm[(i+2)%len(zmm)], imm)
		}
		add("%s zmm1{k1}, zmm2, zmm3%s", op, imm)
		add("%s zmm1{k2}{z}, zmm2, zmmword ptr [rdi+0x40]%s", op, imm)
		add("%s ymm16, ymm17, ymm18%s", op, imm)
		if op != "vpermd" {
			add("%s xmm20, xmm21, xmmword ptr [rax+0x10]%s", op, imm)
		}
	}
	add("vaddps zmm0, zmm1, dword ptr [rax]{1to16}")
	add("vaddpd zmm0, zmm1, qword ptr [rax+0x8]{1to8}")
	add("vaddps zmm0, zmm1, zmm2, {rn-sae}")
	add("vmulpd zmm3, zmm4, zmm5, {rz-sae}")
	add("vmovdqu64 zmm0, zmmword ptr [rsi]")
	add("vmovdqu32 zmmword ptr [rdi]{k1}, zmm1")
	add("vmovdqa64 zmm2, zmm3")
	add("vmovups zmm4{k3}{z}, zmmword ptr [rax+0x80]")
	add("vpbroadcastd zmm0, eax")
	add("vpbroadcastq zmm1, xmm2")
	add("vpcmpd k1, zmm0, zmm1, 0x1")
	add("vpcmpeqd k2{k1}, zmm2, zmm3")
	add("vpcompressd zmm0{k1}, zmm1")
	add("vpexpandd zmm0{k1}{z}, zmm1")
	add("vcvtps2ph ymm0, zmm1, 0x4")
	add("vextracti64x4 ymm0, zmm1, 0x1")
	add("vinserti32x8 zmm0, zmm1, ymm2, 0x1")
	add("vshufi64x2 zmm0, zmm1, zmm2, 0x44")
	add("vpsrad zmm0, zmm1, 0x3")
	add("vpgatherdd zmm0{k1}, dword ptr [rax+zmm1*4]")
	for _, op := range []string{"kmovw", "kmovq", "knotw", "kortestw"} {
		add("%s k1, k2", op)
	}
	add("kmovw k1, eax")
	add("kandw k1, k2, k3")
	add("kshiftlw k1, k2, 0x3")
	add("vpdpbusd zmm0, zmm1, zmm2")
	// What x86asm's AVX decoder and printers get wrong (evex.go): RIP-relative
	// operands (shown as absolute addresses), broadcast counts of
	// conversions and of compares into a k register, k registers that are
	// operands, the opmask of prefetches, {sae}, segment overrides and 67
	// before VEX and EVEX.
	for _, s := range []string{
		"vaddps ymm0, ymm1, ymmword ptr [rip+0x40]", "vmovdqu xmmword ptr [rip+0x40], xmm9", "blsi r11d, dword ptr [rip+0x40]",
		"vcvtss2si eax, dword ptr [rip+0x8]", "vpaddd zmm0{k1}, zmm1, dword ptr [rip+0x20]{1to16}",
		"vfmadd213pd xmm10{k1}{z}, xmm15, qword ptr [rip+0x0]{1to2}", "vpermilps ymm11{k3}, dword ptr [rip+0x0]{1to8}, 0x12",
		"vcvtdq2pd ymm1{k1}, dword ptr [rax]{1to4}", "vcvtdq2pd zmm1, dword ptr [rax+0x40]{1to8}", "vcvtudq2pd xmm2, dword ptr [rcx]{1to2}",
		"vcvtps2pd zmm1, dword ptr [rax]{1to8}", "vcvtps2qq ymm3, dword ptr [rdx]{1to4}", "vcvttps2uqq zmm4, dword ptr [rbx]{1to8}",
		"vcvtpd2dq xmm1, qword ptr [rax]{1to4}", "vcvtpd2ps ymm1, qword ptr [rax]{1to8}", "vcvtqq2ps xmm1, qword ptr [rax]{1to2}",
		"vcvtqq2ps xmm2, qword ptr [rax]{1to4}", "vcvttpd2udq ymm5, qword ptr [rsi]{1to8}",
		"vpcmpd k1, zmm0, dword ptr [rax]{1to16}, 0x1", "vcmpps k2{k1}, ymm1, dword ptr [rdx+0x40]{1to8}, 0x2",
		"vptestmd k3, xmm4, dword ptr [rbx]{1to4}", "vptestnmq k4, zmm5, qword ptr [rsi+0x8]{1to8}", "vpcmpeqq k1, zmm2, qword ptr [rcx]{1to8}",
		"vfpclassps k1, dword ptr [rax]{1to16}, 0x4", "vfpclasspd k2{k3}, qword ptr [rax]{1to4}, 0x4",
		"vpmovm2d zmm0, k1", "vpmovm2b xmm1, k0", "vpmovm2q ymm3, k7", "vpmovm2w zmm4, k2", "vpbroadcastmw2d zmm0, k1", "vpbroadcastmb2q xmm1, k3",
		"vgatherpf0dpd qword ptr [r10+ymm29*8]{k5}", "vscatterpf1qps dword ptr [rbp+zmm10*2+0x80]{k3}", "vgatherpf1dps dword ptr [rax+zmm2*4]{k1}",
		"vcvtss2sd xmm4, xmm9, xmm14, {sae}", "vcvtps2pd zmm1{k2}, ymm6, {sae}", "vmaxps zmm0, zmm1, zmm2, {sae}", "vcvttpd2qq zmm3, zmm4, {sae}",
		"vcvtsi2sd xmm1, xmm2, rax, {rd-sae}", "vcvtusi2ss xmm1, xmm2, eax, {ru-sae}", "vcvtss2si eax, xmm1, {rz-sae}",
		"vgetmantps zmm1, zmm2, {sae}, 0x3", "vrndscalesd xmm14{k6}{z}, xmm19, xmm24, {sae}, 0x41", "vcmpps k1, zmm2, zmm3, {sae}, 0x11",
		"vcmpps k1{k2}, zmm2, zmm3, {sae}, 0x2", "vfixupimmpd zmm1, zmm2, zmm3, {sae}, 0x5",
		"vmovaps xmm0, xmmword ptr fs:[rax]", "vmovdqu64 zmm1, zmmword ptr gs:[rdi+0x40]", "vmovaps xmm0, xmmword ptr [eax]",
		"vaddps zmm0, zmm1, dword ptr [eip+0x10]{1to16}", "mov eax, dword ptr [eip+0x40]",
		"nop edx", "nop esp", "cmpsd xmm2, qword ptr [rbx], 0x7", "cmpsd xmm8, xmm13, 0x7",
		"push -0x1", "push -0xedcba99", "push 0x7f", "push word ptr -0x2",
	} {
		add("%s", s)
	}
	// AVX512-FP16 (EVEX map 5 and 6): x86asm misreads the map.
	add("vaddph zmm0, zmm1, zmm2")
	add("vmulsh xmm0, xmm1, xmm2")
	add("vfmadd231ph zmm0, zmm1, zmm2")

	// System and odd instructions.
	for _, s := range []string{"nop", "xchg ax, ax", "nop dword ptr [rax]", "nop word ptr [rax+rax*1+0x0]",
		"nop dword ptr [rax+0x0]", "nop word ptr cs:[rax+rax*1+0x0]", "ret", "ret 0x10", "int3", "int1", "int 0x80", "ud2", "hlt",
		"cpuid", "rdtsc", "rdtscp", "rdpid rax", "pause", "lfence", "mfence", "sfence", "clflush byte ptr [rax]",
		"prefetcht0 byte ptr [rdi]", "syscall", "cqo", "cdq", "cwd", "cdqe", "cbw", "clc", "stc", "cld", "std",
		"leave", "endbr64", "endbr32", "serialize", "xgetbv", "rdpmc", "lahf", "sahf", "pushfq", "popfq",
		"rep movsb", "rep stosq", "repne scasb", "movsq", "lock inc qword ptr [rax]", "xlatb",
		"fld qword ptr [rax]", "fstp dword ptr [rbx]", "fadd st, st(1)", "fsqrt", "fldz",
		"fld tbyte ptr [r13]", "fstp tbyte ptr [rbx+0x8]", "fbld tbyte ptr [rax]", "fbstp tbyte ptr [rax]",
		"tpause ecx", "umwait eax", "umonitor rax", "enter 0x10, 0x0",
		"aesenc xmm0, xmm1", "vaesenc ymm0, ymm1, ymm2", "pclmulqdq xmm0, xmm1, 0x11", "sha256rnds2 xmm1, xmm2",
		"xsave [rax]", "xrstor [rax]", "clwb [rax]", "clflushopt [rax]", "xend", "xtest", "xabort 0x1",
		"rdfsbase rax", "wrgsbase rax", "swapgs", "sysretq", "iretq", "lgdt [rax]", "invlpg [rax]", "prefetchw [rax]",
		"vcvtne2ps2bf16 zmm0, zmm1, zmm2", "vpdpwssd ymm0, ymm1, ymm2", "vpmadd52luq zmm0, zmm1, zmm2",
		"vpopcntb zmm0, zmm1", "vp2intersectd k0, zmm1, zmm2",
		"gf2p8affineqb xmm0, xmm1, 0x1", "rdpkru", "wrpkru", "movdiri [rax], rax", "movdir64b rax, [rcx]",
		"cldemote [rax]", "ldtilecfg [rax]", "tileloadd tmm0, [rax+rcx*1]", "tdpbssd tmm0, tmm1, tmm2", "tilerelease",
		"rdsspq rax", "saveprevssp", "setssbsy", "clui", "stui", "testui", "uiret", "hreset 0x1", "wbnoinvd", "incsspq rax",
		"clac", "stac", "rdpru", "vmcall", "vmlaunch", "vmresume", "vmxoff", "encls", "enclu", "vmfunc", "xsusldtrk", "xresldtrk",
		"senduipi rax",
		"mov rax, qword ptr fs:[0x28]", "mov eax, dword ptr gs:[rbx]", "movabs rax, qword ptr [0x1122334455667788]"} {
		add("%s", s)
	}
	// x87 register forms (st(i)), MMX, far transfers and far-pointer
	// loads, system instructions whose names carry the operand size, and
	// absolute addresses: the forms whose Intel text x86asm prints in ways
	// GNU as rejects (st0, mmx2, lfs eax, [m], ret far, jmp qword ptr []).
	for _, op := range []string{"fadd", "fmul", "fsub", "fsubr", "fdiv", "fdivr"} {
		add("%s st, st(3)", op)
		add("%s st(5), st", op)
		add("%sp st(2), st", op)
		add("%s qword ptr [rax]", op)
	}
	for _, op := range []string{"fcom", "fcomp", "fucom", "fucomp", "fld", "fst", "fstp", "fxch", "ffree", "ffreep"} {
		add("%s st(1)", op)
	}
	for _, op := range []string{"fcomi", "fcomip", "fucomi", "fucomip", "fcmovb", "fcmove", "fcmovbe", "fcmovu", "fcmovnb", "fcmovne", "fcmovnbe", "fcmovnu"} {
		add("%s st, st(2)", op)
	}
	for _, s := range []string{"fcompp", "fucompp", "fnstsw ax", "fldcw word ptr [rax]", "fnstcw word ptr [rax]", "fnstenv [rax]", "fldenv [rax]",
		"fnsave [rax]", "frstor [rax]", "fild word ptr [rax]", "fild qword ptr [rax]", "fistp dword ptr [rax]", "fisttp qword ptr [rax]",
		"fxsave [rax]", "fxrstor [rax]", "fninit", "fnclex", "fxam", "fprem1"} {
		add("%s", s)
	}
	for _, op := range []string{"paddb", "paddw", "paddd", "paddq", "psubb", "psubsw", "pmullw", "pmulhw", "pmaddwd", "pand", "por", "pxor", "pandn",
		"pcmpeqb", "pcmpgtd", "packsswb", "packuswb", "punpckhbw", "punpckhdq", "psllw", "psrld", "psraw", "psllq", "pavgb", "pminub", "pshufb", "phaddd"} {
		add("%s mm0, mm1", op)
		add("%s mm7, qword ptr [rsi+0x8]", op)
	}
	for _, s := range []string{"movq mm0, mm1", "movq mm2, qword ptr [rbx]", "movq qword ptr [rbx], mm3", "movd mm0, eax", "movd eax, mm1",
		"movd mm2, dword ptr [rax]", "movq mm4, rax", "movq rcx, mm5", "psllq mm0, 0x3", "psrlw mm6, 0x2", "pshufw mm0, mm1, 0x1b",
		"pinsrw mm0, eax, 0x2", "pextrw eax, mm1, 0x1", "pmovmskb eax, mm2", "maskmovq mm0, mm1", "movntq qword ptr [rax], mm0",
		"movq2dq xmm0, mm1", "movdq2q mm0, xmm1", "cvtpi2ps xmm0, mm1", "cvttps2pi mm0, xmm1", "cvtpd2pi mm0, xmmword ptr [rax]",
		"palignr mm0, mm1, 0x3", "emms",
		"call fword ptr [rax]", "call dword ptr [rax]", "rex.w call fword ptr [rax]", "jmp fword ptr [rbx+0x8]", "jmp dword ptr [rax]",
		"rex.w jmp fword ptr [rax]", "retf", "retfw", "retfq", "retf 0x10", "retfq 0x10",
		"lfs eax, fword ptr [rax]", "lfs ax, dword ptr [rax]", "lgs ecx, fword ptr [rbx+0x8]", "lss edx, fword ptr [rsp]",
		"rex.w lfs eax, fword ptr [rax]", "sysexitd", "sysexitq", "sysretd",
		"mov rax, qword ptr [0x0]", "jmp qword ptr [0x0]", "call qword ptr [0x0]", "mov eax, dword ptr [0x10]",
		"mov dword ptr [0x0], 0x5", "mov rax, qword ptr fs:[0x0]", "mov rax, qword ptr gs:[0x28]", "movabs rax, qword ptr [0x0]",
		"movabs al, byte ptr [0x10]", "movabs qword ptr [0x8], rax", "push qword ptr [0x0]", "lgdt [0x0]"} {
		add("%s", s)
	}
	// Alias encodings the CPU runs (sal /6, test /1, x87 aliases), as
	// bytes: GNU as writes no such encoding.
	for _, b := range []string{"d1 f4", "d0 f0", "d3 f4", "c1 f4 05", "48 d1 74 24 08", "f6 c8 01", "f7 c8 01 00 00 00",
		"d9 db", "dd cb", "df d3", "df db", "dc d3", "dc db", "de d3"} {
		c = append(c, ".byte 0x"+strings.ReplaceAll(b, " ", ", 0x"))
	}
	// Padding and hints compilers emit, as bytes.
	for _, b := range []string{"66 90", "0f 1f 00", "0f 1f 40 00", "0f 1f 44 00 00", "66 0f 1f 44 00 00",
		"0f 1f 80 00 00 00 00", "0f 1f 84 00 00 00 00 00", "66 0f 1f 84 00 00 00 00 00",
		"66 2e 0f 1f 84 00 00 00 00 00", "66 66 2e 0f 1f 84 00 00 00 00 00", "66 66 66 2e 0f 1f 84 00 00 00 00 00",
		"3e ff e0", "3e ff d0", "2e 74 00", "3e 75 00", "f3 c3", "f2 c3", "f2 e9 00 00 00 00", "2e 48 8b 00",
		"64 48 8b 04 25 28 00 00 00", "67 48 8b 00", "f0 48 0f c1 07", "66 6a 01", "66 9c", "40 38 f7",
		"66 0f 1f c2", "2e c5 f8 28 00", "26 62 f1 7c 48 28 00"} {
		c = append(c, ".byte 0x"+strings.ReplaceAll(b, " ", ", 0x"))
	}
	return c
}
