package att

import (
	"os"
	"path/filepath"
	"testing"
)

// corpora are the AT&T oracle corpora, in testdata/att.
var corpora = []string{"corpus.s", "corpus_suffix.s"}

// corpusText returns the text of the oracle corpus name.
func corpusText(t testing.TB, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "att", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
