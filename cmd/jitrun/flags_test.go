package main

import (
	"bytes"
	"flag"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// testFlags is a flags struct for the tests of parseCommand.
type testFlags struct {
	regs bool
	expr string
}

func (f *testFlags) register(fset *flag.FlagSet) {
	fset.BoolVar(&f.regs, "regs", false, "")
	fset.StringVar(&f.expr, "e", "", "")
}

func TestParseFlagsInterleaved(t *testing.T) {
	tests := []struct {
		args       []string
		positional []string
		regs       bool
		expr       string
		status     int
		stderr     string
	}{
		{args: []string{"add.s", "2", "3"}, positional: []string{"add.s", "2", "3"}},
		{args: []string{"add.s", "2", "--regs", "3"}, positional: []string{"add.s", "2", "3"}, regs: true},
		{args: []string{"-e", "RET", "-5", "-0x10", "-1.5"}, positional: []string{"-5", "-0x10", "-1.5"}, expr: "RET"},
		{args: []string{"--regs", "--", "-x"}, positional: []string{"-x"}, regs: true},
		{args: []string{"f.s", "--bogus"}, status: exitInput, stderr: "jitrun t: flag provided but not defined: -bogus (see 'jitrun t -h')\n"},
		{args: []string{"-h"}, status: exitOK},
		{args: []string{"-e", "-5", "2"}, positional: []string{"2"}, expr: "-5"},
		{args: []string{"-e"}, status: exitInput, stderr: "jitrun t: flag needs an argument: -e (see 'jitrun t -h')\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			e := &env{stdout: &stdout, stderr: &stderr}
			var f testFlags
			cl, err := parseCommand(e, "t", "[flags]", "test", &f, tt.args)
			printError(&stderr, "t", err)
			var pos []string
			if cl != nil {
				pos = cl.pos
			}
			if statusOf(err) != tt.status || (cl != nil) != (err == nil) || !reflect.DeepEqual(pos, tt.positional) ||
				f.regs != tt.regs || f.expr != tt.expr || stderr.String() != tt.stderr {
				t.Errorf("parseCommand(%q) = %q, status %d, regs=%v e=%q stderr=%q; want %q, %d, regs=%v e=%q stderr=%q",
					tt.args, pos, statusOf(err), f.regs, f.expr, stderr.String(),
					tt.positional, tt.status, tt.regs, tt.expr, tt.stderr)
			}
			wantStdout := ""
			if tt.args[0] == "-h" {
				var table strings.Builder
				writeExitStatuses(&table)
				wantStdout = "Usage: jitrun t [flags]\n\ntest\n\nFlags:\n  -e string\n    \t\n  -regs\n    \t\n" + table.String()
			}
			if stdout.String() != wantStdout {
				t.Errorf("parseCommand(%q) printed %q on stdout, want %q", tt.args, stdout.String(), wantStdout)
			}
		})
	}
}

func TestParseSize(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		in          string
		least, most int
		want        int
		err         string
	}{
		{"65536", 1, math.MaxInt, 65536, ""},
		{"0x10000", 1, math.MaxInt, 65536, ""},
		{"64k", 1, math.MaxInt, 64 << 10, ""},
		{"64K", 1, math.MaxInt, 64 << 10, ""},
		{"64KiB", 1, math.MaxInt, 64 << 10, ""},
		{"64kb", 1, math.MaxInt, 64 << 10, ""},
		{" 8 K ", 1, math.MaxInt, 8 << 10, ""},
		{"1M", 1, math.MaxInt, 1 << 20, ""},
		{"1mib", 1, math.MaxInt, 1 << 20, ""},
		{"2G", 1, math.MaxInt, 2 << 30, ""},
		{"100b", 1, math.MaxInt, 100, ""},
		{"0", 0, mib, 0, ""},
		{"1M", 0, mib, mib, ""},
		{"0", 1, mib, 0, `"0": the size must be positive`},
		{"2k", 4096, mib, 0, `"2k" is too small: at least 4 KiB`},
		{"2M", 0, mib, 0, `"2M" is too large: at most 1 MiB`},
		{"99999999999G", 1, math.MaxInt, 0, `"99999999999G" is too large: at most 9223372036854775807 bytes`},
		{"-1k", 1, math.MaxInt, 0, `"-1k": a size cannot be negative`},
		{"", 1, math.MaxInt, 0, `"" is not a size: write 65536, 0x10000, 64k, 1M or 1G`},
		{"k", 1, math.MaxInt, 0, `"k" is not a size: write 65536, 0x10000, 64k, 1M or 1G`},
		{"1.5M", 1, math.MaxInt, 0, `"1.5M" is not a size: write 65536, 0x10000, 64k, 1M or 1G`},
		{"1T", 1, math.MaxInt, 0, `"1T" is not a size: write 65536, 0x10000, 64k, 1M or 1G`},
	}
	for _, tt := range tests {
		got, err := parseSize(tt.in, tt.least, tt.most)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if got != tt.want || gotErr != tt.err {
			t.Errorf("parseSize(%q, %d, %d) = %d, %q; want %d, %q", tt.in, tt.least, tt.most, got, gotErr, tt.want, tt.err)
		}
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"4096", "64K", "1MiB", "0x10", "", "9G", "1e3", "-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseSize(s, 1, 1<<30)
		switch {
		case err != nil && (n != 0 || strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), strconv.Quote(s))):
			t.Fatalf("parseSize(%q) = %d, %q: want 0 and a one-line error that quotes the input", s, n, err)
		case err == nil && (n < 1 || n > 1<<30):
			t.Fatalf("parseSize(%q) = %d: outside [1, 1<<30]", s, n)
		}
	})
}
