package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// The most jitrun reads of each kind of input. An input is read through
// an io.LimitReader one byte past its cap, so that /dev/zero or an endless
// pipe ends as an error after the cap, never as a process that grows.
const (
	maxSource  = 64 << 20 // assembly source: FILE, -, -e, bench's kernels and --init
	maxCode    = 16 << 20 // machine code: --hex, --bin, disasm's FILE and --hex
	maxMapFile = 1 << 30  // the file of run --map (mapped, not read)
)

// stdinName is the name standard input has in messages and positions.
const stdinName = "<stdin>"

// writeInputLimits prints the caps, for `jitrun help` and the -h of the
// commands that read input.
func writeInputLimits(w io.Writer) {
	fmt.Fprintf(w, "\nInput limits: %s of assembly source (a FILE, standard input, -e; bench's kernels and --init\n"+
		"together), %s of machine code (--hex, --bin, disasm's input), %s for a --map file;\n"+
		"a larger input is refused (status 2).\n",
		formatSize(maxSource), formatSize(maxCode), formatSize(maxMapFile))
}

// input is one input a command reads whole: a file, or standard input
// when path is "-".
type input struct {
	path  string // as given; "-" for standard input
	what  string // "source" or "machine code", for the too-large message
	limit int
	// shared, when the limit is what is left of a cap several inputs
	// share (bench's kernels): that cap, for the too-large message.
	shared int
}

// name is the input's name in messages: the path, or <stdin>.
func (in input) name() string {
	if in.path == "-" {
		return stdinName
	}
	return in.path
}

// read reads the input whole. Bad input is status 2 with one line: a
// missing or unreadable file, a directory, more than the limit. Standard
// input that is not there is bad input too; a read that fails is a
// system error (status 1). An empty input is returned as it is: what
// empty means is the caller's to say.
func (in input) read(e *env) ([]byte, error) {
	if in.path == "-" {
		if e.stdin == nil {
			return nil, inputError("no standard input")
		}
		return in.readFrom(e.stdin, 0)
	}
	f, st, err := openFile(in.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st.Mode().IsRegular() && st.Size() > int64(in.limit) {
		return nil, in.tooLarge()
	}
	size := int64(0)
	if st.Mode().IsRegular() {
		size = st.Size()
	}
	return in.readFrom(f, size)
}

// openFile opens a file a command reads or maps, refusing a directory.
// A missing or unreadable file or a directory is bad input, a Stat that
// fails a system error.
func openFile(name string) (*os.File, fs.FileInfo, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, fileError(err)
	}
	st, err := f.Stat()
	switch {
	case err != nil:
		f.Close()
		return nil, nil, systemError("%v", err)
	case st.IsDir():
		f.Close()
		return nil, nil, inputError("%s is a directory", name)
	}
	return f, st, nil
}

// readFrom reads r up to one byte past the limit, into a buffer made for
// size bytes (a regular file's; 0 when not known) so that a file is read
// without the buffer growing: a short process's fresh pages cost.
func (in input) readFrom(r io.Reader, size int64) ([]byte, error) {
	data, err := readAll(io.LimitReader(r, int64(in.limit)+1), min(size, int64(in.limit))+1)
	switch {
	case errors.Is(err, syscall.EISDIR):
		return nil, inputError("%s is a directory", in.name())
	case err != nil:
		what := in.path
		if in.path == "-" {
			what = "standard input"
		}
		return nil, systemError("reading %s: %v", what, unwrapPath(err))
	case len(data) > in.limit:
		return nil, in.tooLarge()
	}
	return data, nil
}

// readAll is io.ReadAll into a buffer made for size bytes first (a
// file's size plus one, to see its end without growing).
func readAll(r io.Reader, size int64) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(int(size) + bytes.MinRead) // ReadFrom wants MinRead bytes free before each read
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}

// tooLarge is the error of the input past its limit.
func (in input) tooLarge() error {
	if in.shared > 0 {
		return inputError("%s: %s, all kernels together", in.name(), tooLargeWords(in.shared, in.what))
	}
	return inputError("%s: %s", in.name(), tooLargeWords(in.limit, in.what))
}

// tooLargeWords says that an input of what is past limit: the words of
// every input jitrun reads, from a file or an argument (--hex).
func tooLargeWords(limit int, what string) string {
	return fmt.Sprintf("input too large: jitrun reads at most %s of %s", formatSize(limit), what)
}

// fileError classifies the error of opening a file: a missing one, one
// jitrun may not read, a directory are bad input; anything else (too many
// open files, an I/O error) is a system error.
func fileError(err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission):
		return &exitError{status: exitInput, err: err}
	case errors.Is(err, syscall.EISDIR):
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return inputError("%s is a directory", pe.Path)
		}
		return &exitError{status: exitInput, err: err}
	}
	return &exitError{status: exitSystem, err: err}
}

// unwrapPath drops the "read FILE: " of a read error, which the caller's
// message names already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
