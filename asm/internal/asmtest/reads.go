package asmtest

import (
	"fmt"
	"testing"
)

// CompareReads reports where two readings of one source differ: a and b
// are the statements and errors each reading gave, one a line, named by
// how they were read (e.g. "read at once", "token by token"). It reports
// a difference in number, and the first ten lines that differ.
func CompareReads(t testing.TB, nameA string, a []string, nameB string, b []string) {
	t.Helper()
	if len(a) != len(b) {
		t.Errorf("%d statements and errors %s, %d %s", len(a), nameA, len(b), nameB)
	}
	bad := 0
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] && bad < 10 {
			bad++
			t.Errorf("%s:\n\t%s\n%s:\n\t%s", nameA, a[i], nameB, b[i])
		}
	}
}

// CompareEachLine compares two readings of each line alone: read(line,
// false), named nameA, and read(line, true), named nameB. A source keeps
// only its first ir.MaxErrors errors, so lines read together as one
// source compare none of the later lines' errors.
func CompareEachLine(t testing.TB, lines []string, nameA, nameB string, read func(line string, b bool) []string) {
	t.Helper()
	for _, line := range lines {
		CompareReads(t, fmt.Sprintf("%q %s", line, nameA), read(line, false), nameB, read(line, true))
	}
}
