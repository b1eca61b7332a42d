//go:build linux && amd64

package trampoline

import (
	"context"
	"testing"
)

// BenchmarkCallSnapshot is a call that takes a register snapshot
// (Options.Regs): what the vector state's XSAVE costs on top of Run.
func BenchmarkCallSnapshot(b *testing.B) {
	blk := load(b, codeAdd)
	args := &Args{Int: [6]uint64{1, 2}}
	var regs Regs
	opt := &Options{Regs: &regs}
	for b.Loop() {
		if _, err := Run(context.Background(), blk.Addr(), args, opt); err != nil {
			b.Fatal(err)
		}
	}
}
