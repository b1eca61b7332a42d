// Package gocrash reads the report the Go runtime prints when a program
// dies of a fatal error (a throw, an unrecovered panic, a signal it could
// not handle). jitrun's supervised and isolated children can die that way
// when machine code breaks the runtime; their parents turn the report
// into the one line they show with Summary.
package gocrash

import "strings"

// summaryLines is how many of the report's first lines Summary reads: the
// headline and the "[signal …]" line come first.
const summaryLines = 12

// Summary is a Go fatal error's report in one line: its first "fatal
// error: …" or "panic: …" line (else the report's first line), followed
// by its "[signal …]" line when there is one among the first lines.
func Summary(text []byte) string {
	lines := strings.Split(strings.TrimSpace(string(text)), "\n")
	first, fatal, signal := strings.TrimSpace(lines[0]), false, ""
	for _, l := range lines[:min(len(lines), summaryLines)] {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "[signal ") && signal == "":
			signal = " " + l
		case (strings.HasPrefix(l, "fatal error: ") || strings.HasPrefix(l, "panic: ")) && !fatal:
			first, fatal = l, true
		}
	}
	return first + signal
}
