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

// flagsOf is what every subcommand's flags struct does: it adds its
// flags to the command's flag set.
type flagsOf interface {
	register(fset *flag.FlagSet)
}

// noFlags is the flags struct of a command that has none but -h.
type noFlags struct{}

func (*noFlags) register(*flag.FlagSet) {}

// commandLine is a subcommand's parsed command line: its positional
// arguments and the flag set, which knows which flags were given.
type commandLine struct {
	pos  []string
	fset *flag.FlagSet
}

// given reports whether the flag was on the command line, even with an
// empty value.
func (c *commandLine) given(name string) bool {
	found := false
	c.fset.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

// parseCommand registers f's flags for subcommand name and parses args.
// usageLine is the synopsis shown at the top of -h, help the text under
// it; the input limits (for a command whose flags have readsInput) and the
// table of exit statuses follow the flags. After -h it returns
// errHelpShown, after a bad flag a one-line input error.
func parseCommand(e *env, name, usageLine, help string, f flagsOf, args []string) (*commandLine, error) {
	fset := flag.NewFlagSet("jitrun "+name, flag.ContinueOnError)
	f.register(fset)
	pos, err := parseFlags(fset, args)
	if errors.Is(err, flag.ErrHelp) {
		fset.SetOutput(e.stdout)
		fmt.Fprintf(e.stdout, "Usage: jitrun %s %s\n\n%s\n\nFlags:\n", name, usageLine, help)
		fset.PrintDefaults()
		if _, ok := f.(interface{ readsInput() }); ok {
			writeInputLimits(e.stdout)
		}
		writeExitStatuses(e.stdout)
		return nil, errHelpShown
	}
	if err != nil {
		return nil, inputError("%v (see '%s -h')", err, fset.Name())
	}
	return &commandLine{pos: pos, fset: fset}, nil
}

// parseFlags parses args with fset and returns the positional arguments.
// Flags and positional arguments may be interleaved (jitrun run add.s 2 3
// --regs); an argument that parses as a number (-5, -0x10, -1.5) is
// positional, not a flag, unless it is the value of the flag before it;
// "--" ends the flags. It prints nothing: the error is flag.ErrHelp for
// -h, or the flag package's one-line complaint.
func parseFlags(fset *flag.FlagSet, args []string) (positional []string, err error) {
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
		if f := fset.Lookup(name); f != nil && !hasValue && !isBoolFlag(f) && i+1 < len(args) {
			i++
			flagArgs = append(flagArgs, args[i])
		}
	}
	// The flag package prints the usage itself on -h and on a bad flag;
	// parseCommand prints it once, and only for -h.
	fset.Usage = func() {}
	fset.SetOutput(io.Discard)
	if err := fset.Parse(flagArgs); err != nil {
		return nil, err
	}
	return positional, nil
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
		names := make([]string, len(asm.Syntaxes()))
		for i, s := range asm.Syntaxes() {
			names[i] = s.String()
		}
		return 0, fmt.Errorf("unknown syntax %q: want %s or %s", name, strings.Join(names[:len(names)-1], ", "), names[len(names)-1])
	}
	return s, nil
}
