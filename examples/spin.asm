; spin.asm teaches the timeout: a loop that never ends is stopped by a signal and reported where it was.
; Run: jitrun run --timeout 100ms examples/spin.asm
; Register contract: no arguments; never returns.
spin:
loop:
	jmp loop    ; forever: only the timeout's signal gets the thread back
