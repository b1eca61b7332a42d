package memarg

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/internal/platform"
)

// Set is the buffers of one call, mapped by Map. Close unmaps them.
type Set struct {
	Buffers []*Buffer // in the order of the Specs
}

// Buffer is one mapped memory argument.
type Buffer struct {
	Spec Spec
	// Addr is the pointer to pass to the code: the first byte of the
	// data, which ends where the guard page starts.
	Addr uintptr
	// Size is the number of bytes of data (for a file, its size).
	Size int
	m    *execmem.Mapping
}

// InputError is an error in what the user gave: a Spec over the caps, a
// file that cannot be read. Map's other errors are the system's (a
// refused mmap).
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// Map maps every spec, each in a read+write mapping of its own followed by
// a PROT_NONE guard page, with the data placed so that its end touches the
// guard page; files are read into their mappings. Buffers over MaxBuffer,
// or together over MaxTotal, are refused (an *InputError) before anything
// is mapped. On an error nothing stays mapped.
func Map(specs []Spec) (*Set, error) {
	files := make([]*os.File, len(specs))
	defer func() {
		for _, f := range files {
			if f != nil {
				f.Close()
			}
		}
	}()
	sizes := make([]int, len(specs))
	total := 0
	for i, s := range specs {
		sizes[i] = s.Size
		if s.Kind == KindFile {
			f, n, err := openFile(s)
			if err != nil {
				return nil, &InputError{err}
			}
			files[i], sizes[i] = f, n
		}
		if sizes[i] < 0 || sizes[i] > MaxBuffer {
			return nil, &InputError{fmt.Errorf("%s: %s is over the cap of %s for one buffer", s.Arg, sizeWords(sizes[i]), sizeWords(MaxBuffer))}
		}
		if total += sizes[i]; total > MaxTotal {
			return nil, &InputError{fmt.Errorf("%s: the memory arguments together come to more than the cap of %s", s.Arg, sizeWords(MaxTotal))}
		}
	}
	set := &Set{}
	for i, s := range specs {
		b, err := mapBuffer(s, sizes[i], files[i])
		if err != nil {
			set.Close()
			return nil, err
		}
		set.Buffers = append(set.Buffers, b)
	}
	return set, nil
}

// openFile opens a file:PATH argument and returns its size. It looks at
// the path before opening it: opening a FIFO for reading waits for a
// writer, maybe for ever.
func openFile(s Spec) (*os.File, int, error) {
	if st, err := os.Stat(s.Path); err == nil && !st.Mode().IsRegular() {
		return nil, 0, fmt.Errorf("%s: %s is not a regular file", s.Arg, s.Path)
	}
	f, err := os.Open(s.Path)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %v", s.Arg, unwrapPath(err))
	}
	st, err := f.Stat()
	switch {
	case err != nil:
		f.Close()
		return nil, 0, fmt.Errorf("%s: %v", s.Arg, unwrapPath(err))
	case !st.Mode().IsRegular():
		f.Close()
		return nil, 0, fmt.Errorf("%s: %s is not a regular file", s.Arg, s.Path)
	case st.Size() > MaxBuffer:
		f.Close()
		return nil, 0, fmt.Errorf("%s: the file's %d bytes are over the cap of %s for one buffer", s.Arg, st.Size(), sizeWords(MaxBuffer))
	}
	return f, int(st.Size()), nil
}

// unwrapPath drops the *PathError's operation and path, which the caller's
// message already names.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// mapBuffer maps one buffer of size bytes: whole pages for the data, then
// the guard page.
func mapBuffer(s Spec, size int, file *os.File) (*Buffer, error) {
	ps := execmem.PageSize()
	dataLen := (size + ps - 1) / ps * ps
	m, err := execmem.Map(dataLen+ps, execmem.MapOptions{Prot: execmem.ProtRW})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Arg, err)
	}
	if err := m.ProtectRange(dataLen, ps, execmem.ProtNone); err != nil {
		m.Close()
		return nil, fmt.Errorf("%s: the guard page: %w", s.Arg, err)
	}
	b := &Buffer{Spec: s, Addr: m.Addr() + uintptr(dataLen-size), Size: size, m: m}
	data := m.Bytes()[dataLen-size : dataLen]
	copy(data, s.Data)
	if file != nil {
		if _, err := io.ReadFull(file, data); err != nil {
			m.Close()
			return nil, &InputError{fmt.Errorf("%s: reading the file: %v (did it shrink?)", s.Arg, err)}
		}
	}
	s.Size = size
	b.Spec = s
	return b, nil
}

// Contents reads back up to limit bytes of the buffer from its start, with
// a read that cannot fault: it stops where the code unmapped the memory or
// made it unreadable, and complete reports whether it read all limit (or
// all of the buffer). A limit of 0 or less reads nothing.
func (b *Buffer) Contents(limit int) (data []byte, complete bool) {
	n := max(0, min(limit, b.Size))
	data = make([]byte, n)
	got := 0
	if n > 0 {
		got = platform.ReadMemory(b.Addr, data)
	}
	return data[:got], got == n
}

// Pointers returns each buffer's address, in order, as integer arguments.
func (s *Set) Pointers() []uint64 {
	p := make([]uint64, len(s.Buffers))
	for i, b := range s.Buffers {
		p[i] = uint64(b.Addr)
	}
	return p
}

// Close unmaps every buffer. It returns the first error and goes on.
func (s *Set) Close() error {
	var first error
	for _, b := range s.Buffers {
		if err := b.m.Close(); err != nil && first == nil {
			first = err
		}
	}
	s.Buffers = nil
	return first
}
