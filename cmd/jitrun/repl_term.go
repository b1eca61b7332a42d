package main

import (
	"errors"
	"fmt"
	"io"

	"golang.org/x/term"
)

// The terminal: golang.org/x/term's Terminal edits the line (arrows,
// Home/End, Ctrl-A/E/K/U/W, Alt-arrows by words) and walks the history
// (up and down), in raw mode. It comes from the Go project, is of the
// golang.org/x family jitrun already depends on (x/sys, x/arch), and
// needs no cgo. Its ReadLine ends at Ctrl-C as at Ctrl-D (io.EOF, with
// the rest of the line kept), so Ctrl-C never reaches it: ctrlCReader
// turns it into the keys that end the line with "^C" shown, and the
// line is then dropped (cancelled).

// replPrompt and blockPrompt are the terminal's prompts.
const (
	replPrompt  = "> "
	blockPrompt = "... "
)

// runTerminal runs the session on a terminal until .quit or Ctrl-D.
func runTerminal(l *replLoop, in replInput) error {
	fd := int(in.file.Fd())
	old, err := term.MakeRaw(fd)
	if err != nil {
		return systemError("put the terminal in raw mode: %v", err)
	}
	defer term.Restore(fd, old)
	keys := &ctrlCReader{r: in.r}
	t := term.NewTerminal(struct {
		io.Reader
		io.Writer
	}{keys, l.e.stdout}, replPrompt)
	if w, h, err := term.GetSize(fd); err == nil {
		t.SetSize(w, h)
	}
	hist, histErr := openHistory(keys) // repl_history.go
	if histErr == nil {
		defer hist.close()
		t.History = hist
	}
	l.out = t
	l.running = func(start bool) {
		// Code runs with the terminal as a shell leaves it: Ctrl-C then
		// raises SIGINT, which interrupts it (runCode).
		if start {
			term.Restore(fd, old)
		} else {
			term.MakeRaw(fd)
		}
	}
	fmt.Fprintf(t, "jitrun repl (%s syntax): type an instruction; .help lists the commands, Ctrl-D quits.\n", l.s.Syntax())
	fmt.Fprintf(t, "rdi holds the scratch area; code that reads standard input gets end-of-file.\n")
	if histErr != nil {
		fmt.Fprintf(t, "(no history file: %v)\n", histErr)
	}
	for {
		line, err := t.ReadLine()
		if errors.Is(err, io.EOF) && !keys.cancelled {
			return l.end() // Ctrl-D
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return systemError("read the terminal: %v", err)
		}
		if keys.cancelled {
			keys.cancelled = false
			l.s.CancelBlock()
			t.SetPrompt(replPrompt)
			continue
		}
		if l.handle(line) {
			return nil
		}
		if l.s.BlockOpen() {
			t.SetPrompt(blockPrompt)
		} else {
			t.SetPrompt(replPrompt)
		}
	}
}

// ctrlCReader passes a terminal's keys on, with Ctrl-C (0x03) turned into
// Ctrl-E (to the end of the line), "^C" and Enter, and cancelled set: the
// line that comes back is to be dropped.
type ctrlCReader struct {
	r         io.Reader
	pending   []byte
	buf       [256]byte
	cancelled bool
}

func (c *ctrlCReader) Read(p []byte) (int, error) {
	if len(c.pending) == 0 {
		n, err := c.r.Read(c.buf[:])
		for _, k := range c.buf[:n] {
			if k == 0x03 {
				c.pending = append(c.pending, 0x05, '^', 'C', '\r')
				c.cancelled = true
				continue
			}
			c.pending = append(c.pending, k)
		}
		if len(c.pending) == 0 {
			return 0, err
		}
	}
	n := copy(p, c.pending)
	c.pending = c.pending[n:]
	return n, nil
}
