//go:build linux && amd64

// saveVec, called by the signal handler (handler_amd64.s) where it records
// the registers of a faulting or interrupted call: the vector state
// beyond XMM0–15.
//
// Register contract: R10 = the call's frame, DX = the ucontext; keeps DI
// SI DX R10, clobbers AX CX R8 R9 R11. DF is clear (the kernel clears it
// for a handler).

#include "textflag.h"
#include "go_asm.h"

// saveVec copies the kernel's XSAVE image of the interrupted FPU state
// (the ucontext's fpregs) into the frame's snapshot image, frame.vec: its
// first vecCopy bytes (the legacy region, the header, and the YMM, ZMM
// and opmask components), fewer when the kernel's image is smaller, and
// none when the kernel gave no image or only FXSAVE's legacy region (no
// _fpx_sw_bytes magic). frame.vecLen says how many bytes it copied.
TEXT ·saveVec(SB), NOSPLIT|NOFRAME, $0
	MOVL	$0, frame_vecLen(R10)
	MOVQ	(const_ucFpregs)(DX), R9	// the kernel's FPU image, or nil
	TESTQ	R9, R9
	JZ	done
	CMPL	const_fxSWMagic1(R9), $const_fpXstateMagic1
	JNE	done			// FXSAVE only: nothing beyond XMM0–15
	MOVL	const_fxSWXstateSize(R9), CX	// the image's size
	MOVQ	·vecCopy(SB), R8
	CMPQ	CX, R8
	CMOVQHI	R8, CX			// at most vecCopy bytes
	SHRQ	$3, CX			// in quadwords (every size is a multiple of 8)
	MOVL	CX, AX
	SHLL	$3, AX
	MOVL	AX, frame_vecLen(R10)
	PUSHQ	DI
	PUSHQ	SI
	MOVQ	R9, SI
	MOVQ	frame_vec(R10), DI
	REP;	MOVSQ
	POPQ	SI
	POPQ	DI
done:
	RET
