//go:build linux && amd64

package memarg_test

import (
	"fmt"

	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/memarg"
	"github.com/jitrun/jitrun/trampoline"
)

// Memory arguments for a strlen that also capitalises its string: the
// words are parsed, mapped with a guard page after each, passed as
// pointers, and read back after the call.
func Example() {
	code, err := execmem.Load([]byte{
		0xc6, 0x07, 0x48, // mov byte [rdi], 'H'
		0x31, 0xc0, // xor eax, eax
		0x80, 0x3c, 0x07, 0x00, // loop: cmp byte [rdi+rax], 0
		0x74, 0x05, // je done
		0x48, 0xff, 0xc0, // inc rax
		0xeb, 0xf5, // jmp loop
		0xc3, // done: ret
	})
	if err != nil {
		panic(err)
	}
	defer code.Close()
	var specs []memarg.Spec
	for _, word := range []string{"str:hello", "i32:1,99999999999"} {
		spec, isMem, err := memarg.Parse(word)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(word, "is a memory argument:", isMem)
		specs = append(specs, spec)
	}
	set, err := memarg.Map(specs)
	if err != nil {
		panic(err)
	}
	defer set.Close()
	b := set.Buffers[0]
	fmt.Println("ends at a page boundary:", (b.Addr+uintptr(b.Size))%uintptr(execmem.PageSize()) == 0)
	r, err := trampoline.Call(code.Addr(), set.Pointers()...)
	if err != nil {
		panic(err)
	}
	data, complete := b.Contents(64)
	fmt.Printf("rax = %d, buffer %q (complete %v)\n", r.RAX, data, complete)
	// Output:
	// str:hello is a memory argument: true
	// i32:1,99999999999: element 2, 99999999999, does not fit in i32
	// ends at a page boundary: true
	// rax = 5, buffer "Hello\x00" (complete true)
}
