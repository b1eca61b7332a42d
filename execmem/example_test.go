//go:build linux && amd64

package execmem_test

import (
	"fmt"

	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/trampoline"
)

func ExampleLoad() {
	// mov rax, rdi; add rax, rsi; ret
	b, err := execmem.Load([]byte{0x48, 0x89, 0xf8, 0x48, 0x01, 0xf0, 0xc3})
	if err != nil {
		panic(err)
	}
	defer b.Close()

	regions, err := execmem.Maps()
	if err != nil {
		panic(err)
	}
	r, _ := execmem.FindRegion(regions, b.Addr())
	fmt.Println("protection:", r.Prot)

	res, err := trampoline.Call(b.Addr(), 40, 2)
	fmt.Println("result:", res.RAX, err)
	// Output:
	// protection: r-x
	// result: 42 <nil>
}

func ExampleArena() {
	a, err := execmem.NewArena(execmem.ArenaOptions{})
	if err != nil {
		panic(err)
	}
	defer a.Close()
	var slots []*execmem.Slot
	for v := byte(1); v <= 3; v++ {
		s, err := a.Add([]byte{0xb8, v, 0, 0, 0, 0xc3}) // mov eax, v; ret
		if err != nil {
			panic(err)
		}
		slots = append(slots, s)
	}
	if err := a.Seal(); err != nil { // one mprotect for all three
		panic(err)
	}
	for _, s := range slots {
		r, _ := trampoline.Call(s.Addr())
		fmt.Print(r.RAX, " ")
	}
	fmt.Println("mprotects:", a.Stats().Mprotects)
	// Output: 1 2 3 mprotects: 1
}
