package att

// Register-to-register vector moves in GNU as's encoding. A move between
// two registers has two encodings, the load form (vmovaps: VEX 0F 28 /r,
// the destination in ModRM.reg) and the store form (0F 29, the source
// there); golang-asm picks the store form, GNU as the load form. For the
// VEX moves between xmm0–15 or ymm0–15 without decorations, the front end
// writes GNU as's bytes itself, so that gcc's output and objdump's
// listings assemble to the bytes GNU as gives.

import "github.com/jitrun/jitrun/asm/internal/ir"

// vexMoves are the moves, by Intel name: their VEX pp (0 none, 1 66,
// 2 F3, 3 F2), their load opcode (map 0F), and whether they take a
// second source (vmovss/vmovsd xmm, xmm, xmm).
var vexMoves = map[string]struct {
	pp, op byte
	nds    bool
}{
	"vmovaps": {0, 0x28, false}, "vmovapd": {1, 0x28, false},
	"vmovups": {0, 0x10, false}, "vmovupd": {1, 0x10, false},
	"vmovdqa": {1, 0x6f, false}, "vmovdqu": {2, 0x6f, false},
	"vmovss": {2, 0x10, true}, "vmovsd": {3, 0x10, true},
}

// vexMove returns GNU as's bytes for a register-to-register VEX move
// (ops in Intel order), or nil when the instruction is not one.
func vexMove(name string, ops []*operand) []byte {
	if len(ops) < 2 || len(name) < 6 || name[:4] != "vmov" {
		return nil // a cheap test before the map: every one is a vmov…
	}
	m, ok := vexMoves[name]
	if !ok || len(ops) < 2 || len(ops) > 3 || (len(ops) == 3) != m.nds {
		return nil
	}
	num := make([]byte, len(ops))
	l := byte(0)
	for i, o := range ops {
		if o.kind != oReg || o.mask != 0 || o.zeroing {
			return nil
		}
		switch o.reg.Class() {
		case "xmm":
			num[i] = byte(o.reg.Reg - ir.X0)
		case "ymm":
			if m.nds {
				return nil
			}
			num[i] = byte(o.reg.Reg - ir.Y0)
			l = 1
		default:
			return nil
		}
		if num[i] > 15 || o.reg.Class() != ops[0].reg.Class() {
			return nil
		}
	}
	dst, src, v := num[0], num[len(num)-1], byte(0)
	if m.nds {
		v = num[1]
	}
	notR := byte(1)
	if dst >= 8 {
		notR = 0
	}
	modrm := 0xc0 | (dst&7)<<3 | src&7
	tail := (^v&15)<<3 | l<<2 | m.pp
	if src < 8 {
		return []byte{0xc5, notR<<7 | tail, m.op, modrm}
	}
	// ModRM.rm needs VEX.B: the 3-byte form (X̄ = 1, map 0F).
	return []byte{0xc4, notR<<7 | 1<<6 | 0<<5 | 0x01, tail, m.op, modrm}
}
