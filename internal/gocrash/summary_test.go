package gocrash

import (
	"strings"
	"testing"
)

// TestSummary checks the one line a Go fatal error's report becomes: its
// "fatal error: …" or "panic: …" line (the first, else the report's first
// line) and its "[signal …]" line.
func TestSummary(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"throw", "fatal error: stack overflow\n\nruntime stack:\nruntime.throw(...)\n", "fatal error: stack overflow"},
		{"runtime line first", "runtime: goroutine stack exceeds 1000000-byte limit\nfatal error: stack overflow\n\ngoroutine 1 [running]:\n", "fatal error: stack overflow"},
		{"panic with signal", "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a1b2c]\n\ngoroutine 1 [running]:\n", "panic: runtime error: invalid memory address or nil pointer dereference [signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a1b2c]"},
		{"two fatal lines", "runtime: bad pointer\nfatal error: found bad pointer in Go heap\npanic: second\n", "fatal error: found bad pointer in Go heap"},
		{"neither", "SIGILL: illegal instruction\nPC=0x0 m=0 sigcode=2\n", "SIGILL: illegal instruction"},
		{"signal past twelve lines", "unexpected fault\n" + strings.Repeat("x\n", 12) + "[signal SIGBUS]\n", "unexpected fault"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Summary([]byte(tt.text)); got != tt.want {
				t.Errorf("Summary = %q, want %q", got, tt.want)
			}
		})
	}
}
