package repl

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxLineLen is the longest line Parse accepts, in bytes.
const MaxLineLen = 4096

// Line is one line of input as Parse reads it: a command (Command set,
// its words in Args) or a line of code (Code).
type Line struct {
	// Command is the command's name without its dot ("regs", "set"), or
	// "" for a line of code.
	Command string
	// Args are the words after the command, split at spaces and tabs.
	Args []string
	// Code is the line of code as typed, trailing spaces and the line
	// ending cut; "" for a blank line (which ends an open block).
	Code string
}

// Commands are the command names Parse knows, in the order the help lists
// them.
var Commands = [...]string{"regs", "show", "set", "undo", "reset", "syntax", "load", "save", "history", "help", "quit"}

// maxArgs bounds the words of a command.
const maxArgs = 8

// Parse reads one line of input. These forms are commands:
//
//	.regs [--lanes VIEW]    .show WHAT[:LEN][/FMT]   .set REG VALUE
//	.undo  .reset  .syntax go|intel  .load FILE  .save FILE
//	.history  .help  .quit
//
// A line starting with a dot and a letter whose word is not a command is
// an error when it is not code: a label (.loop:) or an Intel directive
// with operands (.byte 1) is code. Everything else is a line of code. A
// line longer than MaxLineLen, or that is not UTF-8, or that holds a NUL
// or other control character but the tab, is an error.
func Parse(text string) (Line, error) {
	text = strings.TrimRight(text, " \t\r\n")
	switch {
	case len(text) > MaxLineLen:
		return Line{}, fmt.Errorf("the line is %d bytes long; at most %d", len(text), MaxLineLen)
	case !utf8.ValidString(text):
		return Line{}, errors.New("the line is not UTF-8 text")
	}
	for _, r := range text {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return Line{}, fmt.Errorf("the line holds the control character %U", r)
		}
	}
	trimmed := strings.TrimLeft(text, " \t")
	if !strings.HasPrefix(trimmed, ".") || len(trimmed) < 2 || !isLetter(trimmed[1]) {
		return Line{Code: text}, nil
	}
	words := strings.Fields(trimmed[1:])
	name := words[0]
	for _, c := range Commands {
		if c == name {
			if len(words)-1 > maxArgs {
				return Line{}, fmt.Errorf(".%s takes at most %d words", name, maxArgs)
			}
			return Line{Command: name, Args: words[1:]}, nil
		}
	}
	if strings.HasSuffix(name, ":") || len(words) > 1 {
		return Line{Code: text}, nil // a local label, an Intel directive
	}
	return Line{}, fmt.Errorf("unknown command .%s: .help lists the commands", name)
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
