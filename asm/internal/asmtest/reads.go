package asmtest

import "testing"

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
