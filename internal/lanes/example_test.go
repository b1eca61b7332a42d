package lanes_test

import (
	"encoding/binary"
	"fmt"

	"github.com/jitrun/jitrun/internal/lanes"
)

// A YMM register after VPADDD of eight 1s to themselves: lane 0 first in
// the lane views, the highest bits first in hex.
func ExampleFormat() {
	var reg [64]byte // ZMM-sized, as trampoline.Regs.Vec gives it
	for i := range 8 {
		binary.LittleEndian.PutUint32(reg[4*i:], 2*uint32(i+1))
	}
	w := lanes.Width(reg[:])
	view, err := lanes.ParseView("i32")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(lanes.Name(1, w), lanes.Format(reg[:w], view))
	fmt.Println(lanes.Format(reg[:w], lanes.Hex))
	_, err = lanes.ParseView("int")
	fmt.Println(err)
	// Output:
	// ymm1 {2, 4, 6, 8, 10, 12, 14, 16}
	// 0x000000100000000e0000000c0000000a_00000008000000060000000400000002
	// unknown lane view "int": want one of hex, i8, u8, i16, u16, i32, u32, i64, u64, f32, f64
}
