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

func ExampleMap() {
	// Two pages, read+write; then the second becomes read-only.
	m, err := execmem.Map(2*execmem.PageSize(), execmem.MapOptions{Prot: execmem.ProtRW})
	if err != nil {
		panic(err)
	}
	defer m.Close()
	m.Bytes()[0] = 42
	if err := m.ProtectRange(execmem.PageSize(), execmem.PageSize(), execmem.ProtRead); err != nil {
		panic(err)
	}
	regions, err := execmem.Maps()
	if err != nil {
		panic(err)
	}
	first, _ := execmem.FindRegion(regions, m.Addr())
	second, _ := execmem.FindRegion(regions, m.Addr()+uintptr(execmem.PageSize()))
	fmt.Println(m.Bytes()[0], first.Prot, second.Prot)

	// Writable and executable at once is refused before any system call.
	_, err = execmem.Map(1, execmem.MapOptions{Prot: execmem.ProtRWX})
	fmt.Println(err)
	// Output:
	// 42 rw- r--
	// execmem: map: protection rwx is writable and executable at once; set UnsafeAllowWriteExec to ask for it
}

func ExampleMaps() {
	b, err := execmem.Load([]byte{0xc3}) // ret
	if err != nil {
		panic(err)
	}
	defer b.Close()
	regions, err := execmem.Maps()
	if err != nil {
		panic(err)
	}
	// No region is writable and executable at once; the code's is r-x.
	wx := 0
	for _, r := range regions {
		if r.Prot.WriteExec() {
			wx++
		}
	}
	r, _ := execmem.FindRegion(regions, b.Addr())
	fmt.Println(wx, r.Prot, r.Shared, r.Path == "", r.Len() >= uintptr(b.Cap()))
	// Output: 0 r-x false true true
}

func ExampleLoadWith() {
	// mov eax, 7; ret — through a memory file seen twice: the code is
	// written through a read+write view, run through a read+exec one.
	b, err := execmem.LoadWith([]byte{0xb8, 7, 0, 0, 0, 0xc3}, execmem.LoadOptions{Strategy: execmem.StrategyDualMap})
	if err != nil {
		panic(err)
	}
	defer b.Close()
	regions, err := execmem.Maps()
	if err != nil {
		panic(err)
	}
	r, _ := execmem.FindRegion(regions, b.Addr())
	fmt.Println(b.Strategy(), r.Prot, r.Shared, r.Path)
	res, err := trampoline.Call(b.Addr())
	fmt.Println(res.RAX, err)
	// Output:
	// dualmap r-x true /memfd:jitrun-code (deleted)
	// 7 <nil>
}

func ExampleMapping_UnmapRange() {
	ps := execmem.PageSize()
	m, err := execmem.Map(3*ps, execmem.MapOptions{Prot: execmem.ProtRead})
	if err != nil {
		panic(err)
	}
	// A hole in the middle: the kernel may now give it to anyone, so the
	// mapping will not touch it again.
	if err := m.UnmapRange(ps, ps); err != nil {
		panic(err)
	}
	fmt.Println(m.UnmapRange(ps, ps))
	fmt.Println(m.Close()) // unmaps the first and last pages
	// Output:
	// execmem: munmap 0x1000+0x1000: 0x1000+0x1000 of the mapping is already unmapped (UnmapRange)
	// <nil>
}
