package ir

import (
	"strconv"
	"strings"
)

// hereLabelPrefix starts the names of the labels the front ends define
// for the current address in code (NASM's $, GNU as's .): the space makes
// them names no source can write.
const hereLabelPrefix = "$ here "

// HereLabel is the name of the nth label a front end defines just before
// an instruction whose operands use the current address: `jmp $+2`
// becomes a branch to HereLabel(n)+2.
func HereLabel(n int) string { return hereLabelPrefix + strconv.Itoa(n) }

// IsHereLabel reports whether name is a HereLabel: the encoder leaves
// such labels out of the program's label list.
func IsHereLabel(name string) bool { return strings.HasPrefix(name, hereLabelPrefix) }
