// Package asm assembles x86-64 source text, or instructions built in Go,
// into position-independent machine code.
//
// The model has three stages with plain values between them. A front end
// turns text into statements (Stmt): the Go (Plan 9) syntax that `go tool
// asm` reads, Intel (NASM-style) syntax, or the AT&T syntax of the GNU
// assembler (what gcc -S writes). The Builder makes the same
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
// them their public names), gosyntax, intel and att (the front ends), and
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
// does not define (but for the routines of jitrun's I/O library, print_int,
// read_line and the others Library lists: a program that calls one and does
// not define it gets it, and the routines it calls, as TEXT blocks after
// its own, and a program that calls none gets no byte of it), an absolute
// address of a symbol, argument references
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
// # Intel syntax
//
// Sources are NASM-style, or GNU as's .intel_syntax noprefix dialect: one
// instruction per line, a mnemonic in any case and its operands,
// destination first; ';' and '#' start a comment (with
// Options.Semicolons, ';' separates statements instead, as in GNU as).
// Each instruction is matched against a table of forms generated from the
// Go assembler's own encoder tests, and becomes the Go instruction for its
// operand sizes. These operands:
//
//	rax eax ax al ah r8 r8d r8w r8b spl  registers by their Intel names
//	xmm0-31 ymm0-31 zmm0-31 k0-7 mm0-7 st0-7 st(1)
//	42 0x2a 2ah 0b101 101b 0o17 17q 'a'  numbers, any constant expression
//	[base + index*scale + disp]           memory, terms in any order
//	[rip + disp] [rel label] [label]      RIP-relative (labels always are)
//	fs:[rax+8]  [gs:0x10]  fs:0x28        FS- and GS-relative memory
//	byte word dword qword tbyte xmmword ymmword zmmword [ptr]   sizes
//	oword yword zword mmword fword tword                          (NASM names)
//	zmm1{k1}{z}  [rax]{1to16}  {rn-sae} {rd-sae} {ru-sae} {rz-sae} {sae}
//	lock rep repe repz repne repnz        prefixes
//	jmp/jcc/call/loop/jrcxz/xbegin label  branches (short or near: the
//	                                      encoder picks)
//	$ $+2 $-4 [rel $]  $$ $$+8            in an instruction's operands, the
//	                                      address of its start (of its first
//	                                      prefix) and of the start of .text:
//	                                      jmp $, call $+5, lea rax, [rel $]
//	vcmpltps, cmpeqsd, vpcmpltud …        predicate pseudo-mnemonics
//
// An 8-bit immediate is taken signed or unsigned, as GNU as and NASM take
// it (pshufd xmm0, xmm1, -1 is 0xff; psrlw mm0, 200 is 0xc8). A numeric
// [rip + n] is n bytes from the end of its instruction (Operand.PCRel).
// The directives, with or without a leading dot where GNU as has one:
//
//	name:  .local:                        labels (.local is scoped to the
//	                                      label before it: main.local)
//	name equ expr   .equ/.set name, expr  constants
//	section .text|.data|.rodata|.bss      (segment, .text, .data, .section)
//	db dw dd dq, .byte .word .long .quad .ascii .asciz .string .zero
//	resb resw resd resq, times N …, align N, .p2align, .balign
//	global/.globl name                    accepted (names must be defined)
//	extern name                           an error (there is no linker), but
//	                                      for the I/O library's routines
//	bits 64, [bits 64], default rel, .intel_syntax noprefix
//	.type .size .file .ident .cfi_*       accepted and ignored
//
// Code in .text is one function (see Go syntax for its name). Each label
// in a data section becomes a GLOBL symbol that runs to the next label, or
// to the end of the section (a label with nothing after it is a symbol of
// size 0, its address still usable); bytes before the first label become
// a symbol named after the section (.data). A section is a run of its
// symbols without gaps, as NASM lays it out (align pads with zeros where
// it is written), starting at a multiple of its largest align and at
// least of the largest power of two not above its size (at most 64). A
// name used before its equ or data label is defined takes a second pass.
// In a data section $ and $$ are offsets there ($-msg is a constant); in
// code they are addresses, known once the code is laid out, so they are
// usable only where a label is (not as an immediate, in equ or times, or
// as the distance to another label).
// A data section holds at most 64 MiB, data in code 16 MiB, and times
// repeats an instruction at most 65536 times.
//
// # AT&T syntax
//
// Sources are what gcc -S writes and objdump -d prints (GNU as's default
// dialect): a mnemonic, with a size suffix (b w l q; x y z for vector
// memory; s l t ll for x87) or without one where a register gives the
// size, and its operands sources first, destination last, as in Go
// syntax; '#' and /* */ start comments, ';' separates statements. The
// instruction is matched against the Intel front end's form table with
// its operands reversed. These operands:
//
//	%rax %eax %al %r8d %xmm0 %zmm31 %k1 %st %st(1)   registers
//	$42 $0x2a $-1 $'a $N                            immediates (N a .set constant)
//	disp(base,index,scale) (%rax) 8(%rsp) (,%rcx,8)  memory
//	label(%rip) label+8(%rip) 16(%rip)              RIP-relative
//	%fs:0x28 %gs:8(%rax)                            FS- and GS-relative memory
//	label 1f 2b  *%rax *(%rax)                      branch targets, indirect ones
//	. .+2 .-4(%rip)                                 in an instruction's operands, its start: jmp ., leaq .(%rip), %rax
//	%zmm0{%k1}{z} (%rax){1to16} {rn-sae} {sae}      AVX-512 decorations
//	lock rep repe repne (also rep; movsb)           prefixes
//	movzbl movsbq movslq cltq cqto cltd cwtl …      the AT&T names
//
// The directives:
//
//	name: 1:                              labels; 1b and 1f name the nearest 1: before and after
//	.text .data .bss .section NAME,"FLAGS",@TYPE  .previous .pushsection .popsection
//	.byte .word .short .value .long .quad .ascii .asciz .string .zero .skip .float .double
//	.long .L3-.L4                         a label difference, computed after layout
//	.p2align .align .balign               (alignment in bytes; fill and maximum ignored)
//	.set/.equ name, expr   name = expr    constants
//	.comm/.lcomm name, size[, align]      zeroed writable data
//	.globl .type .size .file .ident .cfi_* .loc .addrsig, .section .note.GNU-stack
//	                                      accepted and ignored
//
// Sections named .text* are the code, in source order (one function, see
// Go syntax for its name); .rodata* and .data.rel.ro* read-only data;
// .data* writable data; .bss* zeros; another section by its flags. Data
// sections become GLOBL symbols as Intel-syntax sections do. An absolute
// address (.quad label, $label, label without (%rip)) needs a linker and
// is an error that says what to write instead.
//
// # Layout
//
// Program.Code holds the TEXT blocks in source order, with branches as
// short as their targets allow; then, from the next multiple of
// SectionAlign (a page), the read-only data: each RODATA GLOBL symbol in
// the order declared and the float constants (MOVSD $1.5, X0); then, from
// the next multiple of SectionAlign, the writable data: each GLOBL symbol
// without RODATA (Intel's .data and .bss) in the order declared. Each
// symbol is aligned (relative to the start of Code) as GloblDef.Align
// says, by default to the largest power of two not above its size (at
// most 64): INT3 pads the code up to the data, zeros within it.
// Intel-syntax sections are runs of such symbols: the .rodata ones among
// the read-only data, the .data and .bss ones among the writable data,
// each in the order first written. Program.Sections says where each part
// is, so that a loader can map, as a loader of executables does, the code
// read+execute, the read-only data read-only and the writable data
// read+write, no page both writable and executable and no data page
// executable (Program.LoadLayout; see Program). Every reference from code
// to code or data is PC-relative, so Code runs wherever it is copied. A
// program is at most MaxProgramSize (1 GiB) of code and data.
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
