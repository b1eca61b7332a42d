package asm_test

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"unsafe"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/trampoline"
)

// load assembles src and loads its code, returning the address of symbol.
func load(t *testing.T, file string, src []byte, symbol string) uintptr {
	t.Helper()
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skipf("SKIP: running machine code needs linux/amd64, this is %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	p, err := asm.AssembleSource(file, src, asm.SyntaxGo)
	if err != nil {
		t.Fatal(err)
	}
	s, ok := p.Symbol(symbol)
	if !ok {
		t.Fatalf("no symbol %s in %+v", symbol, p.Symbols)
	}
	ro, w := p.LoadLayout() // the read-only data (chacha8's constants) on read-only pages
	b, err := execmem.LoadWith(p.Code, execmem.LoadOptions{Readonly: ro, Writable: w})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b.Addr() + uintptr(s.Offset)
}

// TestRunGoFunction loads and runs the ChaCha8 block function copied from
// the Go tree (internal/chacha8rand/chacha8_amd64.s: #define, DATA/GLOBL,
// a TEXT block taking its arguments in registers) and checks its output
// against math/rand/v2's ChaCha8, which uses the same function. The source
// is assembled as it is, with a wrapper that moves the System V argument
// registers into the ones the function takes (AX, BX, CX).
func TestRunGoFunction(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "go", "chacha8_amd64.s"))
	if err != nil {
		t.Fatal(err)
	}
	wrapper := []byte(`
TEXT ·callBlock(SB), NOSPLIT|NOFRAME, $0
	MOVQ DI, AX // seed *[8]uint32
	MOVQ SI, BX // blocks *[16][4]uint32
	MOVQ DX, CX // counter uint32
	JMP ·block(SB)
`)
	for _, v2 := range []bool{false, true} {
		text := append(append([]byte(nil), src...), wrapper...)
		if v2 {
			// The GOAMD64=v2 variant reads its shuffle tables from DATA.
			text = append([]byte("#define GOAMD64_v2\n"), text...)
		}
		addr := load(t, "chacha8_amd64.s", text, "callBlock")
		var seed [32]byte
		for i := range seed {
			seed[i] = byte(i*7 + 1)
		}
		var buf [32]uint64
		_, err := trampoline.Call(addr, uint64(uintptr(unsafe.Pointer(&seed))), uint64(uintptr(unsafe.Pointer(&buf))), 0)
		runtime.KeepAlive(&seed)
		runtime.KeepAlive(&buf)
		if err != nil {
			t.Fatalf("v2=%v: %v", v2, err)
		}
		// ChaCha8 returns the first 28 words of the first block in order
		// (the last 4 reseed it).
		ref := rand.NewChaCha8(seed)
		for i := 0; i < 28; i++ {
			if want := ref.Uint64(); buf[i] != want {
				t.Fatalf("v2=%v: word %d = %#x, math/rand/v2 says %#x", v2, i, buf[i], want)
			}
		}
	}
}

// TestRunAdd runs a small function with constants in data.
func TestRunAdd(t *testing.T) {
	addr := load(t, "add.s", []byte(`
#include "textflag.h"
#define SCALE 3
// func madd(a, b int64) int64 { return a*SCALE + b + k }
TEXT ·madd(SB), NOSPLIT|NOFRAME, $0
	IMUL3Q $SCALE, DI, AX
	ADDQ SI, AX
	ADDQ k<>(SB), AX
	RET
DATA k<>+0(SB)/8, $1000
GLOBL k<>(SB), RODATA|NOPTR, $8
`), "madd")
	r, err := trampoline.Call(addr, 5, 7)
	if err != nil {
		t.Fatal(err)
	}
	if r.RAX != 5*3+7+1000 {
		t.Errorf("madd(5, 7) = %d, want %d", r.RAX, 5*3+7+1000)
	}
}
