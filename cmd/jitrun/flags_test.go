package main

import (
	"bytes"
	"reflect"
	"testing"
)

func TestParseFlagsInterleaved(t *testing.T) {
	tests := []struct {
		args       []string
		positional []string
		regs       bool
		expr       string
		status     int
		ok         bool
		stderr     string
	}{
		{args: []string{"add.s", "2", "3"}, positional: []string{"add.s", "2", "3"}, ok: true},
		{args: []string{"add.s", "2", "--regs", "3"}, positional: []string{"add.s", "2", "3"}, regs: true, ok: true},
		{args: []string{"-e", "RET", "-5", "-0x10", "-1.5"}, positional: []string{"-5", "-0x10", "-1.5"}, expr: "RET", ok: true},
		{args: []string{"--regs", "--", "-x"}, positional: []string{"-x"}, regs: true, ok: true},
		{args: []string{"f.s", "--bogus"}, status: exitUsage, stderr: "jitrun t: flag provided but not defined: -bogus (see 'jitrun t -h')\n"},
		{args: []string{"-h"}, status: exitOK},
		{args: []string{"-e", "-5", "2"}, positional: []string{"2"}, expr: "-5", ok: true},
		{args: []string{"-e"}, status: exitUsage, stderr: "jitrun t: flag needs an argument: -e (see 'jitrun t -h')\n"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		e := &env{stdout: &stdout, stderr: &stderr}
		fs := newFlagSet(e, "t", "[flags]", "test")
		regs := fs.Bool("regs", false, "")
		expr := fs.String("e", "", "")
		pos, status, ok := parseFlags(e, fs, tt.args)
		if ok != tt.ok || status != tt.status || !reflect.DeepEqual(pos, tt.positional) ||
			*regs != tt.regs || *expr != tt.expr || stderr.String() != tt.stderr {
			t.Errorf("parseFlags(%q) = %q, %d, %v, regs=%v e=%q stderr=%q; want %q, %d, %v, regs=%v e=%q stderr=%q",
				tt.args, pos, status, ok, *regs, *expr, stderr.String(),
				tt.positional, tt.status, tt.ok, tt.regs, tt.expr, tt.stderr)
		}
		wantStdout := ""
		if tt.args[0] == "-h" {
			wantStdout = "Usage: jitrun t [flags]\n\ntest\n\nFlags:\n  -e string\n    \t\n  -regs\n    \t\n"
		}
		if stdout.String() != wantStdout {
			t.Errorf("parseFlags(%q) printed %q on stdout, want %q", tt.args, stdout.String(), wantStdout)
		}
	}
}
