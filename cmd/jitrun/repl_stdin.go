package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/jitrun/jitrun/internal/platform"
)

// replInput is where the REPL reads its lines: standard input moved to a
// descriptor of its own (file, fd), or the env's reader in a test.
type replInput struct {
	r        io.Reader
	file     *os.File // nil for a test's reader
	terminal bool
}

// takeStdin makes standard input the REPL's: in a jitrun process it
// moves descriptor 0 to a new descriptor the REPL reads, and puts
// /dev/null on 0, so that code that reads standard input gets end-of-file
// and cannot take the lines typed for the REPL. restore puts it back.
// Where descriptors cannot be moved (not Linux), standard input stays as
// it is.
func takeStdin(e *env) (in replInput, restore func(), err error) {
	f, ok := e.stdin.(*os.File)
	if !ok || f.Fd() != 0 {
		return replInput{r: e.stdin}, func() {}, nil
	}
	fd, err := platform.DupFD(0)
	if errors.Is(err, errors.ErrUnsupported) {
		return replInput{r: f, file: f, terminal: platform.IsTerminal(0)}, func() {}, nil
	}
	if err != nil {
		return replInput{}, nil, fmt.Errorf("take standard input: %v", err)
	}
	own := os.NewFile(uintptr(fd), "stdin")
	null, err := os.Open(os.DevNull)
	if err == nil {
		err = platform.MoveFD(int(null.Fd()), 0)
		null.Close()
	}
	if err != nil {
		own.Close()
		return replInput{}, nil, fmt.Errorf("put %s on standard input: %v", os.DevNull, err)
	}
	restore = func() {
		platform.MoveFD(fd, 0)
		own.Close()
	}
	return replInput{r: own, file: own, terminal: platform.IsTerminal(fd)}, restore, nil
}
