// spin.s teaches the timeout: a loop that never ends is stopped by a signal and reported where it was.
// Run: jitrun run --timeout 100ms examples/spin.s
// Register contract: no arguments; never returns.
TEXT ·spin(SB), NOSPLIT|NOFRAME, $0
loop:
	JMP loop    // forever: only the timeout's signal gets the thread back
