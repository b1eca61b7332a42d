package disasm

import (
	"math/rand/v2"
	"testing"

	"github.com/jitrun/jitrun/asm"
)

// BenchmarkDecode lists 64 KiB of random bytes (mostly short garbage
// instructions and undecodable bytes) in each syntax.
func BenchmarkDecode(b *testing.B) {
	rnd := rand.New(rand.NewPCG(3, 4))
	code := make([]byte, 64<<10)
	for i := range code {
		code[i] = byte(rnd.Uint32())
	}
	for _, s := range []asm.Syntax{asm.SyntaxGo, asm.SyntaxIntel, asm.SyntaxATT} {
		b.Run(s.String(), func(b *testing.B) {
			b.SetBytes(int64(len(code)))
			for b.Loop() {
				Decode(code, Options{Syntax: s, Base: 0x400000})
			}
		})
	}
}
