package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// newFlagSet returns a flag set for subcommand name. usageLine is the
// synopsis shown at the top of -h, summary the paragraph under it.
func newFlagSet(e *env, name, usageLine, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet("jitrun "+name, flag.ContinueOnError)
	fs.Usage = func() {
		fs.SetOutput(e.stdout)
		fmt.Fprintf(e.stdout, "Usage: jitrun %s %s\n\n%s\n\nFlags:\n", name, usageLine, summary)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args with fs and returns the positional arguments.
// Flags and positional arguments may be interleaved (jitrun run add.s 2 3
// --regs); an argument that parses as a number (-5, -0x10, -1.5) is
// positional, not a flag, unless it is the value of the flag before it;
// "--" ends the flags. It returns ok=false when the command must stop, with
// the status to return: exitOK after -h printed the usage, exitUsage after a
// bad flag (reported in one line on e.stderr).
func parseFlags(e *env, fs *flag.FlagSet, args []string) (positional []string, status int, ok bool) {
	var flagArgs []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" || isNumber(a) {
			positional = append(positional, a)
			continue
		}
		flagArgs = append(flagArgs, a)
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if f := fs.Lookup(name); f != nil && !hasValue && !isBoolFlag(f) && i+1 < len(args) {
			i++
			flagArgs = append(flagArgs, args[i])
		}
	}
	// The flag package calls Usage itself on -h and on a bad flag; silence
	// it during Parse so the usage is printed once, and only for -h.
	usage := fs.Usage
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	err := fs.Parse(flagArgs)
	fs.Usage = usage
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.Usage()
		return nil, exitOK, false
	case err != nil:
		fmt.Fprintf(e.stderr, "%s: %v (see '%s -h')\n", fs.Name(), err, fs.Name())
		return nil, exitUsage, false
	}
	return positional, 0, true
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// isNumber reports whether s parses as an integer (any base prefix) or a
// float, so that "-5" is read as an argument rather than a flag.
func isNumber(s string) bool {
	if _, err := strconv.ParseInt(s, 0, 64); err == nil {
		return true
	}
	if _, err := strconv.ParseUint(s, 0, 64); err == nil {
		return true
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}
