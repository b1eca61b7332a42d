//go:build linux && amd64

package trampoline

import (
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jitrun/jitrun/execmem"
	"golang.org/x/arch/x86/x86asm"
)

// snippet is a piece of machine code for the tests, with its disassembly
// (Intel syntax, as x86asm prints it). TestSnippets checks the two agree,
// so that no hand-encoded byte goes unchecked.
type snippet struct {
	asm  []string
	code []byte
}

func sn(asm string, code ...byte) snippet {
	return snippet{asm: strings.Split(asm, "; "), code: code}
}

var (
	codeRet  = sn("ret", 0xc3)
	codeAdd  = sn("mov rax, rdi; add rax, rsi; ret", 0x48, 0x89, 0xf8, 0x48, 0x01, 0xf0, 0xc3)
	codeLoop = sn("jmp .+0", 0xeb, 0xfe)
	// RDX:RAX = RDI*RSI: checks both integer result registers.
	codeMul = sn("mov rax, rdi; mul rsi; ret", 0x48, 0x89, 0xf8, 0x48, 0xf7, 0xe6, 0xc3)
	// X0 = X0+X1, X1 = X1 (doubles).
	codeAddsd = sn("addsd xmm0, xmm1; ret", 0xf2, 0x0f, 0x58, 0xc1, 0xc3)
	// Six integer arguments: RAX = RDI+RSI+RDX+RCX+R8+R9.
	codeSum6 = sn("mov rax, rdi; add rax, rsi; add rax, rdx; add rax, rcx; add rax, r8; add rax, r9; ret",
		0x48, 0x89, 0xf8, 0x48, 0x01, 0xf0, 0x48, 0x01, 0xd0, 0x48, 0x01, 0xc8, 0x4c, 0x01, 0xc0, 0x4c, 0x01, 0xc8, 0xc3)
	// The stack pointer the code sees (to check alignment).
	codeRSP = sn("mov rax, rsp; ret", 0x48, 0x89, 0xe0, 0xc3)

	// Faults.
	codeWriteCode = sn("lea rax, ptr [rip]; mov byte ptr [rax], 0x0; ret", // offset 7 writes to itself
		0x48, 0x8d, 0x05, 0x00, 0x00, 0x00, 0x00, 0xc6, 0x00, 0x00, 0xc3)
	codeCallRDI   = sn("call rdi; ret", 0xff, 0xd7, 0xc3)
	codeExecStack = sn("mov byte ptr [rsp-0x10], 0xc3; lea rax, ptr [rsp-0x10]; call rax; ret",
		0xc6, 0x44, 0x24, 0xf0, 0xc3, 0x48, 0x8d, 0x44, 0x24, 0xf0, 0xff, 0xd0, 0xc3)
	codeUD2    = sn("ud2", 0x0f, 0x0b)
	codeINT3   = sn("int3", 0xcc)
	codeDiv0   = sn("xor ecx, ecx; xor edx, edx; mov eax, 0x1; div ecx; ret", 0x31, 0xc9, 0x31, 0xd2, 0xb8, 0x01, 0x00, 0x00, 0x00, 0xf7, 0xf1, 0xc3)
	codeNull   = sn("xor eax, eax; mov rax, qword ptr [rax]; ret", 0x31, 0xc0, 0x48, 0x8b, 0x00, 0xc3)
	codeLoad   = sn("mov al, byte ptr [rdi]; ret", 0x8a, 0x07, 0xc3)
	codePushes = sn("push rax; jmp .-1", 0x50, 0xeb, 0xfd)
	codeHLT    = sn("hlt", 0xf4)
	codeMovaps = sn("movaps xmm0, xmmword ptr [rsp]; ret", 0x0f, 0x28, 0x04, 0x24, 0xc3) // RSP is 8 mod 16 at entry
	codeACLoad = sn("pushfq; or dword ptr [rsp], 0x40000; popfq; mov eax, dword ptr [rsp+0x1]; ret",
		0x9c, 0x81, 0x0c, 0x24, 0x00, 0x00, 0x04, 0x00, 0x9d, 0x8b, 0x44, 0x24, 0x01, 0xc3)

	// Hygiene: leave every GPR but RSP clobbered, DF and AC set, MXCSR
	// rounding toward zero with FTZ, the x87 control word at single
	// precision rounding toward zero; then return, or fault with all of
	// that still in place.
	clobber = sn("std; pushfq; or dword ptr [rsp], 0x40000; popfq; "+
		"stmxcsr dword ptr [rsp-0x8]; or dword ptr [rsp-0x8], 0xe000; ldmxcsr dword ptr [rsp-0x8]; "+
		"fnstcw word ptr [rsp-0x8]; and word ptr [rsp-0x8], -0xf01; or word ptr [rsp-0x8], 0xc00; fldcw word ptr [rsp-0x8]; "+
		"mov rax, 0xdead; mov rbx, rax; mov rcx, rax; mov rdx, rax; mov rbp, rax; mov rsi, rax; mov rdi, rax; "+
		"mov r8, rax; mov r9, rax; mov r10, rax; mov r11, rax; mov r12, rax; mov r13, rax; mov r14, rax; mov r15, rax",
		0xfd, 0x9c, 0x81, 0x0c, 0x24, 0x00, 0x00, 0x04, 0x00, 0x9d,
		0x0f, 0xae, 0x5c, 0x24, 0xf8, 0x81, 0x4c, 0x24, 0xf8, 0x00, 0xe0, 0x00, 0x00, 0x0f, 0xae, 0x54, 0x24, 0xf8,
		0xd9, 0x7c, 0x24, 0xf8, 0x66, 0x81, 0x64, 0x24, 0xf8, 0xff, 0xf0, 0x66, 0x81, 0x4c, 0x24, 0xf8, 0x00, 0x0c, 0xd9, 0x6c, 0x24, 0xf8,
		0x48, 0xc7, 0xc0, 0xad, 0xde, 0x00, 0x00, 0x48, 0x89, 0xc3, 0x48, 0x89, 0xc1, 0x48, 0x89, 0xc2, 0x48, 0x89, 0xc5,
		0x48, 0x89, 0xc6, 0x48, 0x89, 0xc7, 0x49, 0x89, 0xc0, 0x49, 0x89, 0xc1, 0x49, 0x89, 0xc2, 0x49, 0x89, 0xc3,
		0x49, 0x89, 0xc4, 0x49, 0x89, 0xc5, 0x49, 0x89, 0xc6, 0x49, 0x89, 0xc7)
	// Reads the state the code starts with: RAX = MXCSR, RDX = x87
	// control word, X0 = RFLAGS.
	codeState = sn("stmxcsr dword ptr [rsp-0x8]; mov eax, dword ptr [rsp-0x8]; fnstcw word ptr [rsp-0x8]; movzx edx, word ptr [rsp-0x8]; pushfq; pop rcx; movq xmm0, rcx; ret",
		0x0f, 0xae, 0x5c, 0x24, 0xf8, 0x8b, 0x44, 0x24, 0xf8, 0xd9, 0x7c, 0x24, 0xf8, 0x0f, 0xb7, 0x54, 0x24, 0xf8,
		0x9c, 0x59, 0x66, 0x48, 0x0f, 0x6e, 0xc1, 0xc3)
	// Counts RDI down to zero, then RET or UD2: a long-running call.
	codeCountRet = sn("dec rdi; jnz .-3; ret", 0x48, 0xff, 0xcf, 0x75, 0xfb, 0xc3)
	codeCountUD2 = sn("dec rdi; jnz .-3; ud2", 0x48, 0xff, 0xcf, 0x75, 0xfb, 0x0f, 0x0b)
	codeCount    = sn("dec rdi; jnz .-3", 0x48, 0xff, 0xcf, 0x75, 0xfb)
)

// collectAlongside runs the garbage collector again and again, pause
// between runs, until the stop it returns is called: the collector's
// SIGURGs then interrupt whatever code runs meanwhile.
func collectAlongside(pause time.Duration) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
				runtime.GC()
				time.Sleep(pause)
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// then concatenates snippets.
func then(parts ...snippet) snippet {
	var s snippet
	for _, p := range parts {
		s.asm = append(s.asm, p.asm...)
		s.code = append(s.code, p.code...)
	}
	return s
}

var allSnippets = map[string]snippet{
	"ret": codeRet, "add": codeAdd, "loop": codeLoop, "mul": codeMul, "addsd": codeAddsd, "sum6": codeSum6, "rsp": codeRSP,
	"writecode": codeWriteCode, "callrdi": codeCallRDI, "execstack": codeExecStack, "ud2": codeUD2, "int3": codeINT3,
	"div0": codeDiv0, "null": codeNull, "load": codeLoad, "pushes": codePushes, "hlt": codeHLT, "movaps": codeMovaps,
	"acload": codeACLoad, "clobber": clobber, "state": codeState, "countret": codeCountRet, "countud2": codeCountUD2, "count": codeCount, "smashnull": codeSmashNull, "smashrsp": codeSmashRSP,
	"above0": codeAbove0, "aboversp": codeAboveRSP,
}

func TestSnippets(t *testing.T) {
	for name, s := range allSnippets {
		var got []string
		for pc := 0; pc < len(s.code); {
			inst, err := x86asm.Decode(s.code[pc:], 64)
			if err != nil || inst.Len == 0 {
				t.Errorf("%s: decode at %d: %v", name, pc, err)
				break
			}
			text := x86asm.IntelSyntax(inst, uint64(pc), nil)
			if _, rel := inst.Args[0].(x86asm.Rel); rel && (inst.Op == x86asm.JMP || inst.Op == x86asm.JNE) {
				text = strings.Fields(text)[0] + " ." + relText(inst)
			}
			got = append(got, text)
			pc += inst.Len
		}
		if strings.Join(got, "; ") != strings.Join(s.asm, "; ") {
			t.Errorf("%s: bytes decode as\n\t%s\nwant\n\t%s", name, strings.Join(got, "; "), strings.Join(s.asm, "; "))
		}
	}
}

func relText(inst x86asm.Inst) string {
	rel := int64(inst.Args[0].(x86asm.Rel)) + int64(inst.Len)
	if rel >= 0 {
		return "+" + itoa(rel)
	}
	return "-" + itoa(-rel)
}

func itoa(v int64) string {
	if v < 10 {
		return string(rune('0' + v))
	}
	return itoa(v/10) + string(rune('0'+v%10))
}

// load maps a snippet and unmaps it when the test ends.
func load(t testing.TB, s snippet) *execmem.Block {
	t.Helper()
	b, err := execmem.Load(s.code)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// loadShared maps a snippet for the whole test binary (never unmapped).
func loadShared(s snippet) (*execmem.Block, error) { return execmem.Load(s.code) }

var (
	// Overwrite the word above the return address (the trampoline's
	// frame pointer) with 0, or with a readable wrong value, and return.
	codeSmashNull = sn("mov qword ptr [rsp+0x8], 0x0; ret", 0x48, 0xc7, 0x44, 0x24, 0x08, 0x00, 0x00, 0x00, 0x00, 0xc3)
	codeSmashRSP  = sn("mov qword ptr [rsp+0x8], rsp; ret", 0x48, 0x89, 0x64, 0x24, 0x08, 0xc3)
	// Overwrite the word above that one (where enter keeps a copy of
	// Go's RSP for the epilogue), with 0 or a stack address, and return
	// RDI+RSI: a legal return.
	codeAbove0   = sn("mov qword ptr [rsp+0x10], 0x0; mov rax, rdi; add rax, rsi; ret", 0x48, 0xc7, 0x44, 0x24, 0x10, 0x00, 0x00, 0x00, 0x00, 0x48, 0x89, 0xf8, 0x48, 0x01, 0xf0, 0xc3)
	codeAboveRSP = sn("mov qword ptr [rsp+0x10], rsp; mov rax, rdi; add rax, rsi; ret", 0x48, 0x89, 0x64, 0x24, 0x10, 0x48, 0x89, 0xf8, 0x48, 0x01, 0xf0, 0xc3)
)
