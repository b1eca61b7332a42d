// Package disasm lists x86-64 machine code: what ran, in Go, Intel or GNU
// (AT&T) syntax.
//
// The model is a list of rows. Decode cuts a block of code into Rows, each
// one instruction, one value of data, or bytes that are not an instruction,
// and gives each its address, its offset from the nearest symbol or label
// (f+0x12), its bytes and its text. The text of every row is something an
// assembler of the syntax reads back: branch targets and RIP-relative
// operands are printed as names (JMP loop, CALL f(SB), MOVQ msg+0x8(SB), AX;
// jmp loop, mov rax, qword ptr [rel msg+0x8]; mov msg+0x8(%rip),%rax), and
// data as directives (QUAD $0x…, dq 0x…, .quad 0x…). The names come from an
// asm.Program when there is one: its symbols and labels become "name:" lines,
// its data symbols data rows, its source lines a column beside the
// instructions. Raw code gets a loc_ADDR label at each branch target. The
// sweep is linear and restarts at every symbol, label, source line and at
// the marked address (a faulting PC), so a byte that throws it out of step
// cannot hide the instruction that faulted. Write prints rows as a listing,
// WriteAsm as assembler source, At returns the single instruction at an
// address, as a fault report shows it. Nothing here loops, panics or fails
// on any byte sequence: every byte lands in exactly one row, and the
// decoder always moves forward.
//
// The decoding is golang.org/x/arch/x86/x86asm v0.33.0. It is checked in the
// tests against GNU as and objdump: every row boundary of a generated corpus
// of some 1,650 instructions (GPR, SSE, AVX2, AVX-512, BMI, x87, system) agrees
// with the assembler; the Intel and GNU text of each reassembles with GNU as
// to the same bytes or to another encoding of the same instruction.
// This package corrects the mistakes of x86asm it knows of:
//
//   - endbr64, endbr32 (x86asm: "rep" of one byte) and serialize
//     (unrecognized) are recognised by their bytes.
//   - adcx, adox, rdseed and rdpid (unknown to x86asm or shown as a lone
//     "data16"/"rep"), and rdrand with a 64-bit register (operand lost) are
//     decoded through a stand-in instruction with the same operands.
//   - clwb and clflushopt (shown as xsaveopt and clflush) are renamed.
//   - vzeroupper and vzeroall (x86asm swallows the next byte) and mov to or
//     from a control or debug register (x86asm reads displacement bytes that
//     belong to the next instruction) get their true length.
//   - The GNU printer's phantom %gs: or %fs: on VEX instructions whose VEX
//     byte happens to be 0x65 or 0x64, its %riz index and its data32 are
//     removed; the Intel printer's implicit x87 st0 operands, bare "ptr",
//     NOP register operand, "data16 cwd" forms, hint-taken prefixes and
//     size-less 16-bit push are put the way assemblers write them.
//
// What users will meet that is not fixed:
//
//   - Shown as data, with a note saying why: AVX512-FP16 and other EVEX
//     map 4-7 instructions (x86asm reads vaddph as vaddps); tpause, umwait
//     and umonitor (x86asm: mfence or a lone prefix); F2/F3-prefixed 0F
//     instructions x86asm only knows without the prefix (wbnoinvd would be
//     wbinvd, incsspq lfence, senduipi rdrand); and what x86asm does not know
//     at all: AMX (ldtilecfg, tileloadd, tdp*), GFNI, rdpkru/wrpkru,
//     movdiri/movdir64b, cldemote, the CET shadow-stack and user-interrupt
//     instructions, hreset, VEX scalar instructions with VEX.L=1, the
//     undocumented shl /6 and test /1 aliases. Where x86asm returns only a
//     prefix, the one byte is data and the sweep goes on at the next, so the
//     rest of such an instruction shows as whatever it decodes to until the
//     next label.
//   - Go syntax is x86asm's, as go tool objdump prints it: a few mnemonics
//     are not the ones go tool asm takes (MOVZX for MOVBLZX, SETE for SETEQ,
//     NOPL for a one-byte NOP, MOVL for a move to a control register). This
//     package fixes its byte-register forms (ADDB AL, BL, not ADDL; SIB, not
//     SI, for sil).
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
