#include "textflag.h"

#define RESULT AX

// func add(a, b int) int
TEXT ·add(SB), NOSPLIT|NOFRAME, $0-24
	MOVQ DI, RESULT
	ADDQ SI, RESULT   // sum
loop:
	RET

TEXT ·pi(SB), NOSPLIT, $0
	MOVSD pi<>(SB), X0
	MOVSD $(2.5), X1
	JMP ·add(SB)

DATA pi<>+0(SB)/8, $3.141592653589793
DATA pi<>+12(SB)/4, $7 // a gap of 4 zero bytes before this
GLOBL pi<>(SB), RODATA, $16
