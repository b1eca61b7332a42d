// Package inteltab generates the Intel-syntax form table of the Intel front
// end (asm/internal/intel/table_gen.go) and the corpus its oracle test runs
// against GNU as.
//
// The table says, for every Intel instruction form (mnemonic and operand
// classes), which Go instruction it is: Go's mnemonic and the order of its
// operands. Nothing in it is typed by hand but the exceptions in manual.go.
// It is learned from the Go toolchain's own encoder tests
// ($GOROOT/src/cmd/asm/internal/asm/testdata: amd64enc.s,
// amd64enc_extra.s, avx512enc/*.s), where every line is a Go instruction and
// the bytes it must assemble to. Decoding those bytes with
// golang.org/x/arch/x86/x86asm gives the Intel form of the same
// instruction; matching the Go operands to the Intel ones (registers by
// identity, immediates by value, memory to memory) gives the operand order.
// Lines whose accepted encodings are different instructions ("movd or
// movq") are settled by asking jitrun's encoder which one it emits.
//
// Every sample of every form is then written out as Intel text and
// assembled with GNU as (one run for all): a form is kept only when GNU as
// gives Go's bytes, or another encoding of the same instruction, for all
// its samples that GNU as takes. GNU as also answers what Go's tests do not
// show: which AVX-512 forms take {z}, {rn-sae}/{sae} and a 32- or 64-bit
// broadcast (probe.go). Aliases (jz for je, cmovnae for cmovb, popf,
// two-operand imul) are added by rule.
//
// Operand classes: r8 r16 r32 r64 xmm ymm zmm k mm st sreg cr dr; imm;
// m8 … m512 (memory of that many bits), m (memory of any size: lea,
// prefetch, clflush); vm32x … vm64z (a vector-indexed operand of gathers
// and scatters: element size, index register class); b32:16 (a broadcast
// of 32-bit elements, {1to16}); =name (a fixed register: =cl, =xmm0, =st0).
//
// The corpus is two lines per form: a sample as Go's tests write it, and a
// synthesized one with other registers, another addressing mode
// (RIP-relative among them), the AVX-512 decorations the form takes, and
// every other time no size keyword where the other operands settle the
// size. It is written in GNU spelling (dword ptr [rax]) and NASM spelling
// (dword [rax]).
//
// Generate needs the Go toolchain's assembler tests and GNU binutils (as,
// objdump); go generate in package asm runs it through ./internal/intelgen.
package inteltab
