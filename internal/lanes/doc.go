// Package lanes shows the bytes of a vector register (XMM, YMM, ZMM) as
// lanes: the register split into equal elements of one type — i8 to i64
// and u8 to u64 (signed and unsigned integers of 8 to 64 bits), f32 and
// f64 (IEEE floats) — or as one hex number, hex.
//
// A register is given as its bytes in memory order (little-endian: byte 0
// holds bits 0–7, as XSAVE and trampoline.Regs.Vec lay it out), 16, 32 or
// 64 bytes. Lanes are listed as gdb lists them, lane 0 (the lowest bits)
// first: a register holding the dwords 1, 2, 3, 4 from the bottom up is
// "{1, 2, 3, 4}" in i32, as gdb's {v4_int32 = {1, 2, 3, 4}}. The hex view
// is the reverse, one number, the highest bits first, with an underscore
// between 128-bit groups (a Go hex literal): the XMM register 0x…_… of
// a YMM is its lower group, on the right.
//
// Width says how wide a register's set bits make it (xmm, ymm or zmm),
// Name names it at that width; ParseView reads a view's name (the CLI's
// --lanes), Format and Lanes do the showing.
package lanes
