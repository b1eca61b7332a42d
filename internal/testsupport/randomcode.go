package testsupport

import "math/rand/v2"

// RandomBlob returns blob i of seed for the random-code fuzz: 16–64
// random bytes, then RET. Blob i of a seed is the same bytes on every run
// and in every package's tests (trampoline runs them in-process, jitrun's
// CLI tests through `jitrun run --hex`).
func RandomBlob(seed uint64, i int) []byte {
	r := rand.New(rand.NewPCG(seed, uint64(i)))
	b := make([]byte, 16+r.IntN(49), 65)
	for j := range b {
		b[j] = byte(r.Uint32())
	}
	return append(b, 0xc3)
}
