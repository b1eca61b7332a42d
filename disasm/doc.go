// Package disasm lists x86-64 machine code: what ran, in Go, Intel or GNU
// (AT&T) syntax.
//
// The model is a list of rows. Decode cuts a block of code into Rows, each
// one instruction, one value of data, or bytes that are not an instruction,
// and gives each its address, its offset from the nearest symbol or label
// (f+0x12), its bytes and its text. The text of every row is something an
// assembler of the syntax reads back: branch targets and RIP-relative
// operands are printed as names (JMP loop, CALL f(SB), MOVQ msg+0x8(SB), AX;
// jmp loop, mov rax, qword ptr [rip+msg+0x8]; mov msg+0x8(%rip),%rax), and
// data as directives (QUAD $0x…, .quad 0x…). Intel text is GNU as's dialect
// (.intel_syntax noprefix: [rip+msg], st(1), mm2, .byte), which jitrun's
// Intel front end reads too, but for forms its encoder lacks (x87 register
// forms, far transfers, 32-bit addressing, the no-op overrides cs:, ds:, es:
// and ss:). An assembler takes the text back as the same instruction, in the
// encoding it picks where there are several (add eax, ecx of 03 c1 comes back
// as 01 c8). Where no text gives the bytes back (an alias encoding, movabs),
// the row also has an Asm text of byte directives, which WriteAsm writes. The
// names come from an asm.Program when there is one: its symbols and labels
// become "name:" lines, its data symbols data rows, its source lines a column
// beside the instructions. Raw code gets a loc_ADDR label at each branch
// target. The sweep is linear and restarts at every symbol, label, source
// line and at the marked address (a faulting PC), so a byte that throws it
// out of step cannot hide the instruction that faulted. A name the syntax's
// assembler cannot read back (a register name, a dotted Intel local label in
// Go syntax) is never printed: the address gets another name, or a loc_ADDR
// label. Write prints rows as a listing (a run of data rows alike, such as
// resb 4096, on one line that says how many bytes it stands for), WriteAsm as
// assembler source of the same instructions, At returns the single
// instruction at an address, as a fault report shows it, and Outside the row
// for a faulting PC outside the code (code run from the stack), decoded from
// bytes the caller read there. Nothing here loops, panics or fails on any
// byte sequence: every byte lands in exactly one row, and the decoder always
// moves forward.
//
// The decoding is golang.org/x/arch/x86/x86asm v0.33.0. It is checked in the
// tests against GNU as and objdump: every row boundary of a generated corpus
// of some 1,900 instructions (GPR, SSE, AVX2, AVX-512, BMI, x87, MMX,
// system) agrees with the assembler; the Intel and GNU text of each, and
// the Intel text of asm's corpus of 10,000, reassembles with GNU as to the
// same bytes or to another encoding of the same instruction. Every
// EVEX instruction x86asm decodes is checked the same way with EVEX.b set
// (rounding, {sae}, broadcast). This package corrects the mistakes of
// x86asm it knows of:
//
//   - endbr64, endbr32 (x86asm: "rep" of one byte), wbnoinvd (wbinvd),
//     and serialize, clac, stac, rdpkru, wrpkru, rdpru, the VMX, SGX, CET,
//     TSX-ldtrk and user-interrupt instructions of the 0F 01 group that
//     have no operands (unrecognized) are recognised by their bytes.
//   - adcx, adox, rdseed and rdpid (unknown to x86asm or shown as a lone
//     "data16"/"rep"), and rdrand with a 64-bit register (operand lost) are
//     decoded through a stand-in instruction with the same operands.
//   - clwb and clflushopt (shown as xsaveopt and clflush) are renamed.
//   - vzeroupper and vzeroall (x86asm swallows the next byte) and mov to or
//     from a control or debug register (x86asm reads displacement bytes that
//     belong to the next instruction) get their true length. Mov to or
//     from a test register (0f 24, 0f 26: x86asm shows mov rax, tr0), which
//     64-bit mode refuses with #UD, is shown as data with a note.
//   - VEX and EVEX (evex.go): a RIP-relative memory operand (x86asm: the
//     absolute address [0x40], or [] for [rip]); the element count of a
//     broadcast (x86asm: wrong for conversions, vcvtdq2pd ymm, [m]{1to8},
//     and missing when the destination is a k register); {sae} where
//     x86asm prints a rounding mode (vcvtps2pd), and where GNU as takes
//     it (before an immediate); the k register operand of vpmovm2* and
//     vpbroadcastm* (x86asm: an opmask); the opmask of a gather or
//     scatter prefetch (x86asm: before its operand); phantom cs:/ds:
//     overrides the printers read from the EVEX payload; segment
//     overrides and 67 (32-bit addressing) before VEX and EVEX, which
//     x86asm shows as a prefix with no instruction. What the CPU refuses
//     with #UD is shown as data with a note saying why: EVEX.b on a
//     register form that takes no rounding, or on memory of an instruction
//     with no broadcast form; zeroing-masking with no opmask or on a
//     store; 66, F2, F3 or F0 before VEX.
//   - The GNU printer's phantom %gs: or %fs: on VEX instructions whose VEX
//     byte happens to be 0x65 or 0x64, its %riz index, its data32 and its
//     vcvtpd2dqz are removed, its icebp is int1, and its far transfers
//     get their operand size (lret, not lretq, for cb); the Intel printer's implicit x87 st0
//     operands, its register names st0 and mmx0 (GNU as takes mmx0 for a
//     symbol), its ret far and call far [rax] (a near ret and call to a
//     symbol named far, to GNU as), size-less far pointers (lfs eax, [rax]
//     for lfs eax, fword ptr [rax]), sysret and sysexit without their
//     operand size, size-less 80-bit x87 operands (fld [r13] for fld tbyte
//     ptr [r13]), bare "ptr", NOP register operand (nop dx, ax), cmpsd_xmm,
//     "data16 cwd" forms, hint-taken prefixes, size-less 16-bit push,
//     unsigned push immediates (push 0xffffffff for push -0x1) and RIP for
//     EIP are put the way assemblers write them; so are the Go printer's
//     PUSHL $imm (PUSHQ) and its SSE compares (CMPSD_XMM $0x7, 0(BX), X2
//     for CMPSD 0(BX), X2, $0x7).
//   - The undocumented alias encodings the CPU runs (x86asm: not an
//     instruction) are decoded through their documented twin: shift /6 as
//     sal (d1 f4 is sal esp, 0x1; objdump calls it shl), test r/m, imm /1
//     (f6, f7) as test, and the x87 register aliases fstp1 (d9 d8+i),
//     fxch4 (dd c8+i), fxch7 (df c8+i), fstp8 (df d0+i), fstp9 (df d8+i),
//     fcom2 (dc d0+i), fcomp3 (dc d8+i) and fcomp5 (de d0+i), which
//     objdump shows as (bad).
//     An assembler writes the documented encoding of the text (or knows no
//     such name), so these rows get an Asm text of their bytes, and a note.
//   - A memory operand with neither base nor index at address 0 (x86asm:
//     mov rax, qword ptr [], mov ,%rax, jmpq *) is [0x0] (Intel), 0x0
//     (AT&T) or 0 (Go). In 64-bit mode such an operand is the SIB form
//     (no base, no index), which every syntax writes this way; RIP-relative
//     is [rip+N], N(%rip), N(IP). mov with a 64-bit address (opcode a0-a3)
//     is movabs, a 32-bit one (prefix 67) has addr32. Where an assembler
//     would make other bytes of the text (movabs, addr32: jitrun's
//     assemblers take neither) or cannot read it (an FS or GS operand in
//     Go syntax: FS:0x28, FS:0(BX)), the row's Asm text is its bytes, with
//     the text in a comment.
//
// What users will meet that is not fixed:
//
//   - Shown as data, with a note saying why: AVX512-FP16 and other EVEX
//     map 4-7 instructions (x86asm reads vaddph as vaddps); tpause, umwait
//     and umonitor (x86asm: mfence or a lone prefix); F2/F3-prefixed 0F
//     instructions x86asm only knows without the prefix (incsspq would be
//     lfence, senduipi rdrand); the broadcast forms of the
//     AVX512-FP16 instructions of maps 1-3 (vcmpph, vrndscaleph, …); and
//     what x86asm does not know at all: AMX (ldtilecfg, tileloadd, tdp*),
//     GFNI, movdiri/movdir64b, cldemote, the CET shadow-stack instructions
//     with operands (rdsspq), hreset, VEX scalar instructions with VEX.L=1.
//     Where x86asm returns only a prefix, the one byte is data and the
//     sweep goes on at the next, so the rest of such an instruction shows
//     as whatever it decodes to until the next label.
//   - Go syntax is x86asm's, as go tool objdump prints it: a few mnemonics
//     are not the ones go tool asm takes (MOVZX for MOVBLZX, SETE for SETEQ,
//     NOPL for a one-byte NOP, MOVL for a move to a control register). This
//     package fixes its byte-register forms (ADDB AL, BL, not ADDL; SIB, not
//     SI, for sil). Go assembly has no numeric RIP-relative operand, no
//     32-bit addressing and no segment override on VEX: a RIP-relative
//     operand with no name for its target shows as 0x40(IP), 67 is not
//     shown, and FS:0(AX) on a VEX instruction is not read back.
//   - 66-prefixed near branches decode as Intel CPUs run them (rel32; AMD
//     CPUs take rel16). WAIT (9b) is a row of its own, not folded into the
//     x87 instruction after it as objdump does.
//   - An assembler given the text may pick a shorter encoding than the bytes
//     had: padding NOPs with a zero displacement (nop dword ptr [rax] for
//     0f 1f 40 00), redundant prefixes (f3 c3 is ret), jumps with a rel32
//     that fits in rel8. Branch targets and RIP-relative addresses inside
//     the code are names, so the code still means the same when it moves.
//     A branch out of the code prints as its address, which no assembler
//     takes back as the same instruction.
//
// Everything here is safe for concurrent use.
package disasm
