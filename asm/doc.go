// Package asm assembles x86-64 source text, or instructions built in Go,
// into position-independent machine code.
//
// The model has three stages with plain values between them. A front end
// turns text into statements (Stmt): the Go (Plan 9) syntax that `go tool
// asm` reads, or Intel (NASM-style) syntax. The Builder makes the same
// statements from Go code. The encoder then validates every instruction
// and encodes it with the Go toolchain's own x86 encoder
// (github.com/twitchyliquid64/golang-asm), and this package lays out code
// and data and resolves every reference inside the program, as a linker
// would. The result is a Program: the bytes, the symbols and labels, the
// sections, and a map from each source line to the bytes it produced.
// Options say which front end reads a source and how (Options.Assemble,
// Options.Parse); AssembleSource and Parse are their shorthands for a
// syntax.
//
// Each stage is a package of its own under internal/: ir (the statements,
// operands, registers and positions every stage shares; this package gives
// them their public names), gosyntax and intel (the front ends), and
// x86enc (validation and golang-asm). The layout (encode.go and the files
// it names) and the public surface are here.
//
// Every problem comes back as an ErrorList of FILE:LINE:COL positions: all
// of them in one pass, what the front end cannot read and what the encoder
// rejects in the rest, sorted by position (up to MaxErrors). A message
// names the instruction in the syntax it was written in: Go's mnemonic and
// operands for Go syntax (PSHUFD: immediate 0x12c does not fit in 8 bits),
// the instruction as written for Intel syntax (pshufd xmm0, xmm1, 300:
// immediate 300 does not fit in 8 bits). The package never prints, never
// panics and never returns bytes the encoder got wrong: an operand form the
// encoder mishandles is rejected before it reaches it, or its bytes are
// completed afterwards (a REX prefix for SPB, a segment prefix). It is safe
// for concurrent use.
//
// # Go syntax
//
// Sources are what `go tool asm` assembles for amd64: one instruction per
// line or several separated by ';', // and /* */ comments, labels (name:),
// the mnemonics and registers of the Go assembler (ADDQ, VPADDD, JEQ; AX,
// R8B, AH, X0-X31, Y0-Y31, Z0-Z31, K0-K7), AVX-512 suffixes (.Z, .BCST,
// .SAE, .RN_SAE, …) and opmask operands, and these operands:
//
//	AX  X0  K1                      registers
//	$42  $-1  $0x10  $'a'  $(1<<4)  integer constants (64-bit expressions)
//	$1.5  $(-2.0)                   float constants (MOVSD $1.5, X0 reads a constant laid out with the data)
//	8(SP)  -8(BP)(CX*4)  8(X4*1)    memory; 0x1000 alone is memory at that address
//	0x28(FS)  8(AX)(GS*1)           FS- or GS-relative memory (a segment override)
//	name+8(SB)  name<>(SB)          a TEXT or GLOBL symbol of the source, reached RIP-relatively
//	$name(SB)                       its address (MOVQ $name(SB), AX is LEAQ name(SB), AX)
//	label  name(SB)  2(PC)          branch targets; *name(SB) is an indirect branch through memory
//	[Z0-Z3]                         register ranges
//
// The directives are TEXT name(SB), FLAGS, $frame-args (several functions
// per source; a source without TEXT is one function), GLOBL and DATA
// (constants laid out after the code), PCALIGN $n, and PCDATA and
// FUNCDATA, which are accepted and ignored. The preprocessor has #define
// (object-like and function-like, continued with a backslash), #undef,
// #ifdef, #ifndef, #else, #endif and #include of textflag.h and
// funcdata.h; the textflag.h names (NOSPLIT, NOFRAME, RODATA, …) are known
// without it. A function copied from a Go .s file that takes its arguments
// in registers assembles to the bytes go tool asm gives it: a TEXT block
// with a frame, or with a CALL and without NOFRAME, gets the prologue and
// epilogue go tool asm inserts (PUSHQ BP; MOVQ SP, BP; SUBQ $frame, SP, and
// the reverse before each RET).
//
// A source without TEXT (and every Intel-syntax source) is one function. It
// is named after the label at its first byte when that name is an
// identifier in both syntaxes (letters, digits, _) and no data symbol has
// it; the label is then listed as the symbol only. Otherwise it is named
// main, or main1, main2, … when the source uses main.
//
// There is no linker, so what needs one is an error: a symbol the source
// does not define, an absolute address of a symbol, argument references
// through FP, pseudo-SP references (name-8(SP)), the pseudo-registers FP,
// SB and PC on their own, TLS, and a function that is not NOSPLIT but
// would need go tool asm's stack-growth check. Deliberate differences from
// go tool asm: NOP assembles to the one-byte 0x90 (go tool asm emits
// nothing); RET $n assembles to ret imm16, c2 iw (go tool asm has no such
// form); SPB is SPL, with the REX prefix golang-asm does not give it (go
// tool asm drops it from the instruction); and instructions go tool asm
// accepts but that do not mean what they say are errors (ADDQ $0xffffffff,
// AX would add -1; MOVB AH, R8B would read SPL; INVLPG AX would be SWAPGS;
// 8(DS) has no effect in 64-bit mode; LEAQ 8(FS), AX would not add the FS
// base).
//
// # Layout
//
// Program.Code holds the TEXT blocks in source order, with branches as
// short as their targets allow; then the read-only data: each RODATA
// GLOBL symbol in the order declared and the float constants; then, from
// the next multiple of WritableAlign (a page), the writable data: each
// GLOBL symbol without RODATA (Intel's .data and .bss) in the order
// declared. Each symbol is aligned (relative to the start of Code) as
// GloblDef.Align says, by default to the largest power of two not above
// its size (at most 64), and INT3 pads between. Program.Sections says where
// each part is, so that a loader can map the code and read-only data
// read+execute and the writable data read+write (see Program). An
// Intel-syntax data section is a run of symbols, one per label, laid out
// without gaps as NASM lays out a section (see internal/intel). Every
// reference from code to code or data is PC-relative, so Code runs
// wherever it is copied.
//
// # Concurrency
//
// golang-asm keeps its tables in package variables; every call into it is
// made under one process-wide lock (internal/x86enc: the only global
// mutable state here, with a sync.Pool that recycles the encoder's scratch
// Progs).
// Everything else is per call, so Assemble, AssembleSource, Parse and
// Builder.Assemble may be called from many goroutines.
package asm
