package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/jitrun/jitrun/asm"
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
	if _, ok := parseIntArg(s); ok {
		return true
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// sizeSuffixes are the binary multipliers a size may end in, longest
// first; case does not matter (64k = 64K = 64KiB = 64kb = 65536).
var sizeSuffixes = []struct {
	name string
	mult uint64
}{{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"kb", 1 << 10}, {"mb", 1 << 20}, {"gb", 1 << 30}, {"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"b", 1}}

// parseSize reads a byte count as every size flag takes it: 65536, 0x10000,
// or a number with a binary suffix (64k, 1M, 2GiB). It rejects sizes below
// least or above most, saying which.
func parseSize(s string, least, most int) (int, error) {
	t := strings.TrimSpace(s)
	mult := uint64(1)
	lower := strings.ToLower(t)
	for _, suf := range sizeSuffixes {
		if strings.HasSuffix(lower, suf.name) && !strings.HasPrefix(lower, "0x") {
			t, mult = strings.TrimSpace(t[:len(t)-len(suf.name)]), suf.mult
			break
		}
	}
	v, err := strconv.ParseUint(t, 0, 64)
	if err != nil {
		if strings.HasPrefix(t, "-") {
			return 0, fmt.Errorf("%q: a size cannot be negative", s)
		}
		return 0, fmt.Errorf("%q is not a size: write 65536, 0x10000, 64k, 1M or 1G", s)
	}
	if v > uint64(most)/mult {
		return 0, fmt.Errorf("%q is too large: at most %s", s, formatSize(most))
	}
	if n := int(v * mult); n < least {
		if least == 1 {
			return 0, fmt.Errorf("%q: the size must be positive", s)
		}
		return 0, fmt.Errorf("%q is too small: at least %s", s, formatSize(least))
	}
	return int(v * mult), nil
}

// formatSize prints n bytes in the largest binary unit that divides it.
func formatSize(n int) string {
	for _, u := range []struct {
		name  string
		shift uint
	}{{"GiB", 30}, {"MiB", 20}, {"KiB", 10}} {
		if n >= 1<<u.shift && n%(1<<u.shift) == 0 {
			return fmt.Sprintf("%d %s", n>>u.shift, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

// parseListingSyntax reads the syntax a listing is printed in: go, intel
// or att (and the other names asm.ParseSyntax knows, but not auto).
func parseListingSyntax(name string) (asm.Syntax, error) {
	s, err := asm.ParseSyntax(name)
	if err != nil || s == asm.SyntaxAuto {
		names := make([]string, len(asm.Syntaxes))
		for i, s := range asm.Syntaxes {
			names[i] = s.String()
		}
		return 0, fmt.Errorf("unknown syntax %q: want %s or %s", name, strings.Join(names[:len(names)-1], ", "), names[len(names)-1])
	}
	return s, nil
}
