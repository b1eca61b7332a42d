package memview_test

import (
	"encoding/binary"
	"fmt"

	"github.com/jitrun/jitrun/memview"
	"github.com/jitrun/jitrun/trampoline"
)

// A view of the 16 bytes RSP points to, as two hex quadwords, and of a
// symbol in signed decimal. Read stands in for the process's memory here;
// left nil, Render reads the process's own with a read that cannot fault.
func Example() {
	mem := make([]byte, 32)
	binary.LittleEndian.PutUint64(mem[0:], 7)
	binary.LittleEndian.PutUint64(mem[8:], 0xfffffffffffffffb)
	binary.LittleEndian.PutUint64(mem[16:], 42)
	const base = 0x10000
	regs := &trampoline.Regs{}
	regs.GPR[trampoline.RSP] = base
	ctx := memview.Context{
		Regs:    regs,
		Symbols: []memview.Symbol{{Name: "counter", Addr: base + 16, Size: 8}},
		Read: func(addr uint64, buf []byte) int {
			if addr < base || addr >= base+uint64(len(mem)) {
				return 0
			}
			return copy(buf, mem[addr-base:])
		},
	}
	for _, spec := range []string{"rsp:16/gx", "counter/d", "SP+8:16/d", "0x20000:8"} {
		v, err := memview.Parse(spec)
		if err != nil {
			fmt.Println(err)
			continue
		}
		shown, err := v.Render(ctx)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Print(shown.Text())
	}
	// Output:
	// rsp:16/gx  (rsp = 0x10000; 16 bytes: 2 × 8-byte hex)
	//   0x10000:  0x0000000000000007  0xfffffffffffffffb
	// counter/d  (counter = 0x10010; 8 bytes: 1 × 8-byte signed)
	//   0x10010 <counter>:  42
	// SP+8:16/d  (SP = 0x10000; 16 bytes: 2 × 8-byte signed)
	//   0x10008:  -5  42
	// 0x20000:8  (at 0x20000; 8 bytes: 1 × 8-byte hex)
	//   0x20000:  unreadable, 8 bytes
}
