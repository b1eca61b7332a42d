package testsupport

import (
	"os"
	"path/filepath"
	"testing"
)

// StdinFile returns a file that reads text, for a child process's
// standard input (a file, not a pipe: what the child does not read stays
// unread, and nothing waits on a writer). It is closed when the test ends.
func StdinFile(t testing.TB, text string) *os.File {
	t.Helper()
	name := filepath.Join(t.TempDir(), "stdin")
	if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
