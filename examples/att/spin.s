# spin.s teaches the timeout: a loop that never ends is stopped by a signal and reported where it was.
# Run: jitrun run --timeout 100ms examples/att/spin.s
# Register contract: no arguments; never returns.
	.att_syntax            # no register names a syntax here: say it
spin:
loop:
	jmp loop               # forever: only the timeout's signal gets the thread back
